/**
 * MinHash GPU twin: runs shaders/minhash.wgsl (signatures + band keys) and
 * shaders/minhash-pairs.wgsl (pair verification) on a WebGPU device. Contract: ./minhash.ts.
 *
 * A batch is cut into dispatch units that fit the adapter's limits (hashes and outputs within
 * maxStorageBufferBindingSize, workgroups within maxComputeWorkgroupsPerDimension in a 2-D grid).
 * Units alternate between two slots of buffers, so the upload and dispatch of unit n+1 are queued
 * while unit n is still being read back. A document with more hashes than one unit holds is signed
 * in chunks: later chunks start from the minima already in the signature buffer.
 */
import signSource from "../../shaders/minhash.wgsl" with { type: "text" };
import pairsSource from "../../shaders/minhash-pairs.wgsl" with { type: "text" };
import { GrowableBuffer, createTrackedBuffer } from "../gpu/buffers.ts";
import { computePipeline } from "../gpu/pipeline-cache.ts";
import { withErrorScopes } from "../gpu/error-scopes.ts";
import { BusyClock } from "./busy-clock.ts";
import {
  permutationConstants,
  validateBatch,
  validateParams,
  type CsrBatch,
  type KernelStats,
  type MinHashKernel,
  type MinHashParams,
  type SignOutput,
} from "./minhash.ts";

export interface GpuMinhashOptions {
  /** Upper bounds below the adapter's limits (tests use tiny ones to force many dispatches). */
  maxDocsPerDispatch?: number;
  maxHashesPerDispatch?: number;
  maxPairsPerDispatch?: number;
}

interface Slot {
  index: number;
  params: GPUBuffer;
  hashes: GrowableBuffer;
  offsets: GrowableBuffer;
  sigs: GrowableBuffer;
  keys: GrowableBuffer;
  staging: GrowableBuffer;
  /** Resolves when the slot's previous unit has been read back. */
  free: Promise<void>;
}

/** Docs [docStart, docEnd) of a batch, or one chunk range of a single oversized doc. */
interface Unit {
  docStart: number;
  docEnd: number;
  /** For an oversized doc: the hash ranges signed one dispatch at a time. */
  chunks?: [number, number][];
}

export class GpuMinhash implements MinHashKernel {
  readonly kind = "gpu" as const;
  private readonly signPipeline: GPUComputePipeline;
  private readonly pairsPipeline: GPUComputePipeline;
  private readonly perm: GPUBuffer;
  private readonly slots: Slot[];
  private nextSlot = 0;
  private readonly maxDocs: number;
  private readonly maxHashes: number;
  private readonly maxPairs: number;
  private readonly maxGrid: number;
  private readonly signWg: number;
  private readonly pairsWg = 64;
  private readonly pairBufs: {
    params: GPUBuffer;
    sigs: GrowableBuffer;
    pairs: GrowableBuffer;
    counts: GrowableBuffer;
    staging: GrowableBuffer;
  };
  private pairQueue: Promise<void> = Promise.resolve();
  private readonly clock = new BusyClock();
  private readonly counters = { dispatches: 0, bytesToGpu: 0, bytesFromGpu: 0 };
  /** Signature rows one countEqual call may reference (its signatures fit one binding). */
  readonly maxSignatureRows: number;

  constructor(
    private readonly device: GPUDevice,
    readonly params: MinHashParams,
    opts: GpuMinhashOptions = {},
  ) {
    validateParams(params);
    const U = GPUBufferUsage; // defined once device.ts has loaded Dawn
    const L = device.limits;
    const K = params.numPerm;
    const binding = L.maxStorageBufferBindingSize;
    this.maxGrid = L.maxComputeWorkgroupsPerDimension;
    const gridCap = this.maxGrid * this.maxGrid;
    this.maxDocs = Math.max(1, Math.min(opts.maxDocsPerDispatch ?? 16384, Math.floor(binding / (4 * K)), gridCap));
    this.maxHashes = Math.max(1, Math.min(opts.maxHashesPerDispatch ?? 1 << 22, Math.floor(binding / 4)));
    this.maxPairs = Math.max(1, Math.min(opts.maxPairsPerDispatch ?? 1 << 18, Math.floor(binding / 8), gridCap * this.pairsWg));
    this.maxSignatureRows = Math.floor(binding / (4 * K));

    // One thread per permutation up to 256 (and the adapter's limits); each walks the doc's tiles.
    const wgCap = Math.min(256, L.maxComputeInvocationsPerWorkgroup, L.maxComputeWorkgroupSizeX);
    this.signWg = Math.max(1, Math.min(wgCap, Math.ceil(K / 32) * 32));
    const tileRoom = Math.floor(L.maxComputeWorkgroupStorageSize / 4) - K;
    const tile = Math.max(this.signWg, Math.min(1024, tileRoom));
    this.signPipeline = computePipeline(device, {
      label: "minhash.sign",
      code: signSource,
      entryPoint: "sign",
      constants: { WG: this.signWg, TILE: tile, K, B: params.bands, R: params.rows },
    });
    this.pairsPipeline = computePipeline(device, {
      label: "minhash.count_equal",
      code: pairsSource,
      entryPoint: "count_equal",
      constants: { WG: this.pairsWg, K },
    });

    const perm = permutationConstants(params.seed, K);
    this.perm = createTrackedBuffer(device, {
      label: "minhash.perm",
      size: perm.byteLength,
      usage: U.STORAGE | U.COPY_DST,
    });
    device.queue.writeBuffer(this.perm, 0, perm);
    this.counters.bytesToGpu += perm.byteLength;

    this.slots = [0, 1].map((i) => ({
      index: i,
      params: createTrackedBuffer(device, { label: `minhash.sign.params[${i}]`, size: 16, usage: U.UNIFORM | U.COPY_DST }),
      hashes: new GrowableBuffer(device, `minhash.sign.hashes[${i}]`, U.STORAGE | U.COPY_DST),
      offsets: new GrowableBuffer(device, `minhash.sign.offsets[${i}]`, U.STORAGE | U.COPY_DST),
      sigs: new GrowableBuffer(device, `minhash.sign.signatures[${i}]`, U.STORAGE | U.COPY_SRC),
      keys: new GrowableBuffer(device, `minhash.sign.band_keys[${i}]`, U.STORAGE | U.COPY_SRC),
      staging: new GrowableBuffer(device, `minhash.sign.readback[${i}]`, U.MAP_READ | U.COPY_DST),
      free: Promise.resolve(),
    }));
    this.pairBufs = {
      params: createTrackedBuffer(device, { label: "minhash.pairs.params", size: 16, usage: U.UNIFORM | U.COPY_DST }),
      sigs: new GrowableBuffer(device, "minhash.pairs.signatures", U.STORAGE | U.COPY_DST),
      pairs: new GrowableBuffer(device, "minhash.pairs.pairs", U.STORAGE | U.COPY_DST),
      counts: new GrowableBuffer(device, "minhash.pairs.counts", U.STORAGE | U.COPY_SRC),
      staging: new GrowableBuffer(device, "minhash.pairs.readback", U.MAP_READ | U.COPY_DST),
    };
  }

  stats(): KernelStats {
    return { ...this.counters, kernelMs: this.clock.ms };
  }

  sign(batch: CsrBatch): Promise<SignOutput> {
    return this.clock.time(async () => {
      const nDocs = validateBatch(batch);
      const { numPerm: K, bands: B } = this.params;
      const out: SignOutput = {
        signatures: new Uint32Array(nDocs * K),
        bandKeys: new Uint32Array(nDocs * B),
      };
      await Promise.all(this.units(batch, nDocs).map((u) => this.runUnit(batch, u, out)));
      return out;
    });
  }

  private units(batch: CsrBatch, nDocs: number): Unit[] {
    const { offsets } = batch;
    const units: Unit[] = [];
    let d = 0;
    while (d < nDocs) {
      const size = offsets[d + 1] - offsets[d];
      if (size > this.maxHashes) {
        const chunks: [number, number][] = [];
        for (let s = offsets[d]; s < offsets[d + 1]; s += this.maxHashes) {
          chunks.push([s, Math.min(s + this.maxHashes, offsets[d + 1])]);
        }
        units.push({ docStart: d, docEnd: d + 1, chunks });
        d++;
        continue;
      }
      let e = d + 1;
      while (e < nDocs && e - d < this.maxDocs && offsets[e + 1] - offsets[d] <= this.maxHashes) e++;
      units.push({ docStart: d, docEnd: e });
      d = e;
    }
    return units;
  }

  /** Claims the next slot in call order; resolves once its previous unit is read back. */
  private claimSlot(): { slot: Slot; release: () => void; ready: Promise<void> } {
    const slot = this.slots[this.nextSlot];
    this.nextSlot = (this.nextSlot + 1) % this.slots.length;
    const ready = slot.free;
    let release!: () => void;
    slot.free = new Promise<void>((r) => (release = r));
    return { slot, release, ready };
  }

  private async runUnit(batch: CsrBatch, unit: Unit, out: SignOutput): Promise<void> {
    const { slot, release, ready } = this.claimSlot();
    try {
      await ready;
      await this.signOnSlot(slot, batch, unit, out);
    } finally {
      release();
    }
  }

  private async signOnSlot(slot: Slot, batch: CsrBatch, unit: Unit, out: SignOutput): Promise<void> {
    const device = this.device;
    const { numPerm: K, bands: B } = this.params;
    const n = unit.docEnd - unit.docStart;
    const sigBytes = n * K * 4;
    const keyBytes = n * B * 4;
    const sigs = slot.sigs.ensure(sigBytes);
    const keys = slot.keys.ensure(keyBytes);
    const staging = slot.staging.ensure(sigBytes + keyBytes);
    const gridX = Math.min(n, this.maxGrid);
    const gridY = Math.ceil(n / gridX);

    const chunks: [number, number][] = unit.chunks ?? [[batch.offsets[unit.docStart], batch.offsets[unit.docEnd]]];
    await withErrorScopes(device, "minhash.sign", () => {
      chunks.forEach(([h0, h1], c) => {
        const hashes = slot.hashes.ensure((h1 - h0) * 4);
        const offsets = slot.offsets.ensure((n + 1) * 4);
        let localOffsets: Uint32Array;
        if (unit.chunks) {
          localOffsets = new Uint32Array([0, h1 - h0]);
        } else {
          localOffsets = batch.offsets.slice(unit.docStart, unit.docEnd + 1);
          const base = localOffsets[0];
          if (base !== 0) for (let i = 0; i < localOffsets.length; i++) localOffsets[i] -= base;
        }
        const params = new Uint32Array([n, c > 0 ? 1 : 0, gridX, 0]);
        device.queue.writeBuffer(slot.params, 0, params);
        if (h1 > h0) device.queue.writeBuffer(hashes, 0, batch.hashes, h0, h1 - h0);
        device.queue.writeBuffer(offsets, 0, localOffsets);
        this.counters.bytesToGpu += params.byteLength + (h1 - h0) * 4 + localOffsets.byteLength;

        const bindGroup = device.createBindGroup({
          label: `minhash.sign.bind[${slot.index}]`,
          layout: this.signPipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: slot.params } },
            { binding: 1, resource: { buffer: hashes, size: Math.max(4, (h1 - h0) * 4) } },
            { binding: 2, resource: { buffer: offsets, size: (n + 1) * 4 } },
            { binding: 3, resource: { buffer: this.perm } },
            { binding: 4, resource: { buffer: sigs, size: sigBytes } },
            { binding: 5, resource: { buffer: keys, size: keyBytes } },
          ],
        });
        const enc = device.createCommandEncoder({ label: `minhash.sign.encoder[${slot.index}]` });
        const pass = enc.beginComputePass({ label: `minhash.sign.pass[${slot.index}]` });
        pass.setPipeline(this.signPipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(gridX, gridY);
        pass.end();
        this.counters.dispatches++;
        if (c === chunks.length - 1) {
          enc.copyBufferToBuffer(sigs, 0, staging, 0, sigBytes);
          enc.copyBufferToBuffer(keys, 0, staging, sigBytes, keyBytes);
        }
        device.queue.submit([enc.finish({ label: `minhash.sign.commands[${slot.index}]` })]);
      });
    });

    await staging.mapAsync(GPUMapMode.READ, 0, sigBytes + keyBytes);
    try {
      const data = new Uint32Array(staging.getMappedRange(0, sigBytes + keyBytes));
      out.signatures.set(data.subarray(0, n * K), unit.docStart * K);
      out.bandKeys.set(data.subarray(n * K, n * K + n * B), unit.docStart * B);
    } finally {
      staging.unmap();
    }
    this.counters.bytesFromGpu += sigBytes + keyBytes;
  }

  countEqual(signatures: Uint32Array, pairs: Uint32Array): Promise<Uint32Array> {
    // Calls share one set of buffers: queue them.
    const run = this.pairQueue.then(() => this.clock.time(() => this.countEqualNow(signatures, pairs)));
    this.pairQueue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async countEqualNow(signatures: Uint32Array, pairs: Uint32Array): Promise<Uint32Array> {
    const K = this.params.numPerm;
    const nPairs = pairs.length >>> 1;
    const counts = new Uint32Array(nPairs);
    if (nPairs === 0) return counts;
    const nRows = Math.floor(signatures.length / K);
    if (nRows > this.maxSignatureRows) {
      throw new RangeError(`countEqual: ${nRows} signature rows exceed one binding (${this.maxSignatureRows}); split the call`);
    }
    const device = this.device;
    const pb = this.pairBufs;
    const sigBuf = pb.sigs.ensure(signatures.byteLength);
    device.queue.writeBuffer(sigBuf, 0, signatures);
    this.counters.bytesToGpu += signatures.byteLength;
    for (let p0 = 0; p0 < nPairs; p0 += this.maxPairs) {
      const n = Math.min(this.maxPairs, nPairs - p0);
      const groups = Math.ceil(n / this.pairsWg);
      const gridX = Math.min(groups, this.maxGrid);
      const gridY = Math.ceil(groups / gridX);
      const pairBuf = pb.pairs.ensure(n * 8);
      const countBuf = pb.counts.ensure(n * 4);
      const staging = pb.staging.ensure(n * 4);
      await withErrorScopes(device, "minhash.count_equal", () => {
        const params = new Uint32Array([n, gridX, 0, 0]);
        device.queue.writeBuffer(pb.params, 0, params);
        device.queue.writeBuffer(pairBuf, 0, pairs, 2 * p0, 2 * n);
        this.counters.bytesToGpu += params.byteLength + n * 8;
        const bindGroup = device.createBindGroup({
          label: "minhash.count_equal.bind",
          layout: this.pairsPipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: pb.params } },
            { binding: 1, resource: { buffer: sigBuf, size: Math.max(4, signatures.byteLength) } },
            { binding: 2, resource: { buffer: pairBuf, size: n * 8 } },
            { binding: 3, resource: { buffer: countBuf, size: n * 4 } },
          ],
        });
        const enc = device.createCommandEncoder({ label: "minhash.count_equal.encoder" });
        const pass = enc.beginComputePass({ label: "minhash.count_equal.pass" });
        pass.setPipeline(this.pairsPipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(gridX, gridY);
        pass.end();
        this.counters.dispatches++;
        enc.copyBufferToBuffer(countBuf, 0, staging, 0, n * 4);
        device.queue.submit([enc.finish({ label: "minhash.count_equal.commands" })]);
      });
      await staging.mapAsync(GPUMapMode.READ, 0, n * 4);
      try {
        counts.set(new Uint32Array(staging.getMappedRange(0, n * 4)), p0);
      } finally {
        staging.unmap();
      }
      this.counters.bytesFromGpu += n * 4;
    }
    return counts;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.free));
    await this.pairQueue;
    for (const s of this.slots) {
      s.params.destroy();
      for (const b of [s.hashes, s.offsets, s.sigs, s.keys, s.staging]) b.destroy();
    }
    this.perm.destroy();
    this.pairBufs.params.destroy();
    for (const b of [this.pairBufs.sigs, this.pairBufs.pairs, this.pairBufs.counts, this.pairBufs.staging]) b.destroy();
  }
}
