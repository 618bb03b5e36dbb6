/**
 * The near engine's CPU hot loops in WebAssembly SIMD (AssemblyScript: src/kernels/as/near.ts,
 * sign and shingles): shingle hashing (MurmurHash3_x86_32 over
 * byte ranges of the simplified text) and MinHash signing (four permutations per 128-bit vector).
 * They compute exactly what the JavaScript twin computes (src/kernels/minhash-cpu-core.ts signDocs,
 * itself a transliteration of shaders/minhash.wgsl; src/kernels/hash32.ts murmur3Bytes), with
 * the same u32 wrapping arithmetic: `i32x4.mul` is WGSL's `a * x` on four lanes, `i32x4.min_u`
 * its `min`. JavaScriptCore runs them about 4x faster than the scalar JavaScript (whose inner
 * loop is limited to one permutation of one hash at a time).
 *
 * Each user (a Shingler, a batch signer) has its own `NearWasm`, which owns a WebAssembly.Memory
 * laid out as
 *   [0, PERM_BYTES)           permutation constants, blocks of 4: a_k..a_k+3, b_k..b_k+3
 *   [DOC_OFF, +8)             offsets [0, n] of the one document signed by signShingles()
 *   [MINS, +4*K4)             that document's minima
 *   [DATA, ...)               either text scratch (UTF-8 bytes, unit starts, shingle hashes)
 *                             or a CSR batch (offsets, hashes, signature rows of K4 words)
 * where K4 = numPerm rounded up to a multiple of 4 (the extra lanes are computed and dropped).
 * Views handed out are valid until the next call on the same instance.
 *
 * When WebAssembly (with SIMD) is unavailable, nearWasm() returns null and callers use the
 * JavaScript twin; useWasmKernels(false) forces that on the calling thread (for tests).
 */
import { readFileSync } from "node:fs";
import nearWasmFile from "./wasm/near.wasm" with { type: "file" };
import { MAX_NUM_PERM, permutationConstants, type MinHashParams } from "./minhash.ts";

const PERM_BYTES = MAX_NUM_PERM * 8;
const DOC_OFF = PERM_BYTES;
const MINS = DOC_OFF + 16;
const DATA = MINS + MAX_NUM_PERM * 4;
const PAGE = 65536;
/** Addresses are u32: the memory ends at 4 GiB minus a page of slack for reads past a region's end. */
const MAX_BYTES = 2 ** 32 - PAGE;

let compiled: WebAssembly.Module | null | undefined;
let enabled = true;

/** Turns the WebAssembly kernels off (or back on) for this thread: callers then use the JavaScript twin. */
export function useWasmKernels(on: boolean): void {
  enabled = on;
}

/** Whether this thread may use the WebAssembly kernels (see useWasmKernels). */
export function wasmKernelsOn(): boolean {
  return enabled;
}

function module(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = readFileSync(nearWasmFile);
      compiled = typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** A new instance with its own memory, or null when WebAssembly SIMD is unavailable or turned off. */
export function nearWasm(): NearWasm | null {
  if (!enabled) return null;
  const m = module();
  if (m === null) return null;
  try {
    return new NearWasm(m);
  } catch {
    return null; // no memory for another instance: the JavaScript twin computes the same
  }
}

interface Exports {
  sign(h: number, off: number, n: number, out: number, perm: number, k4: number): void;
  shingles(bytes: number, starts: number, nUnits: number, n: number, gap: number, out: number): number;
}

export class NearWasm {
  private readonly memory = new WebAssembly.Memory({ initial: Math.ceil((DATA + PAGE) / PAGE) });
  private readonly fn: Exports;
  private buffer: ArrayBuffer | null = null;
  private u8 = new Uint8Array(0);
  private u32 = new Uint32Array(0);
  private i32 = new Int32Array(0);
  private permKey = "";
  private k4 = 0;
  // text scratch: byte offsets of the regions and their capacities
  private textCap = -1;
  private unitCap = -1;
  private startsAt = 0;
  private hashesAt = 0;

  constructor(mod: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(mod, { env: { memory: this.memory } });
    this.fn = inst.exports as unknown as Exports;
  }

  private views(): void {
    if (this.buffer === this.memory.buffer) return;
    this.buffer = this.memory.buffer as ArrayBuffer;
    this.u8 = new Uint8Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > MAX_BYTES) throw new RangeError(`near kernels: ${bytes} bytes exceed WebAssembly's 4 GiB memory`);
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.views();
  }

  // ---------------- shingle hashing ----------------

  /**
   * Scratch for one document's simplified text: `bytes` holds at least `maxBytes` bytes (plus
   * slack for the hash's tail reads), `starts` at least `maxUnits + 1` words. Views are valid
   * until the next call on this instance.
   */
  textScratch(maxBytes: number, maxUnits: number): { bytes: Uint8Array; starts: Uint32Array } {
    if (maxBytes > this.textCap || maxUnits > this.unitCap) {
      // Throws a RangeError (and changes nothing) when the memory cannot grow that far.
      const textCap = Math.max(maxBytes, Math.ceil(this.textCap * 1.25), 1 << 16);
      const unitCap = Math.max(maxUnits, Math.ceil(this.unitCap * 1.25), 1 << 14);
      const startsAt = DATA + align(textCap + 8);
      const hashesAt = startsAt + 4 * (unitCap + 1);
      this.reserve(hashesAt + 4 * (unitCap + 1));
      [this.textCap, this.unitCap, this.startsAt, this.hashesAt] = [textCap, unitCap, startsAt, hashesAt];
    }
    this.views();
    return {
      bytes: this.u8.subarray(DATA, DATA + this.textCap),
      starts: this.u32.subarray(this.startsAt >>> 2, (this.startsAt >>> 2) + this.unitCap + 1),
    };
  }

  /** Hashes the shingles of the text in textScratch(); returns their count (see ./near-wasm.ts header). */
  hashShingles(nUnits: number, n: number, gap: number): number {
    return this.fn.shingles(DATA, this.startsAt, nUnits, n, gap, this.hashesAt);
  }

  /** The hashes written by hashShingles() (a view). */
  shingleHashes(count: number): Uint32Array {
    this.views();
    return this.u32.subarray(this.hashesAt >>> 2, (this.hashesAt >>> 2) + count);
  }

  // ---------------- MinHash signing ----------------

  private usePerm(params: MinHashParams): void {
    const key = `${params.seed}/${params.numPerm}`;
    if (key === this.permKey) return;
    const K = params.numPerm;
    const k4 = (K + 3) & ~3;
    const pc = permutationConstants(params.seed, K);
    this.views();
    const u32 = this.u32;
    for (let k = 0; k < k4; k++) {
      const at = (k >>> 2) * 8 + (k & 3);
      u32[at] = k < K ? pc[2 * k] : 1;
      u32[at + 4] = k < K ? pc[2 * k + 1] : 0;
    }
    this.permKey = key;
    this.k4 = k4;
  }

  /**
   * The minima of the `count` hashes left by hashShingles() under the K permutations, as int32
   * bit patterns (a view of K words, valid until the next call). count = 0 gives the sentinel.
   */
  signShingles(count: number, params: MinHashParams): Int32Array {
    this.usePerm(params);
    this.views();
    this.u32[DOC_OFF >>> 2] = 0;
    this.u32[(DOC_OFF >>> 2) + 1] = count;
    this.fn.sign(this.hashesAt, DOC_OFF, 1, MINS, 0, this.k4);
    this.views();
    return this.i32.subarray(MINS >>> 2, (MINS >>> 2) + params.numPerm);
  }

  /**
   * Signs docs [0, nDocs) of a CSR batch: writes row d of `sigs` (K words each). Band keys are
   * the caller's (they are cheap). Uses the DATA region, so it clobbers textScratch().
   */
  signBatch(hashes: Uint32Array, offsets: Uint32Array, params: MinHashParams, sigs: Uint32Array): void {
    this.usePerm(params);
    const K = params.numPerm;
    const k4 = this.k4;
    const nDocs = offsets.length - 1;
    // A batch of many docs is signed in runs whose rows fit a bounded output region.
    const runDocs = Math.max(1, Math.min(nDocs, 4096));
    const offAt = DATA;
    const hashAt = align(offAt + 4 * (runDocs + 1));
    for (let d0 = 0; d0 < nDocs; d0 += runDocs) {
      const d1 = Math.min(nDocs, d0 + runDocs);
      const h0 = offsets[d0];
      const h1 = offsets[d1];
      const outAt = align(hashAt + 4 * (h1 - h0));
      this.reserve(outAt + 4 * k4 * (d1 - d0));
      const u32 = this.u32;
      for (let d = d0; d <= d1; d++) u32[(offAt >>> 2) + d - d0] = offsets[d] - h0;
      u32.set(hashes.subarray(h0, h1), hashAt >>> 2);
      this.fn.sign(hashAt, offAt, d1 - d0, outAt, 0, k4);
      this.views();
      const out = this.u32;
      if (k4 === K) {
        sigs.set(out.subarray(outAt >>> 2, (outAt >>> 2) + K * (d1 - d0)), d0 * K);
      } else {
        for (let d = d0; d < d1; d++) {
          const row = (outAt >>> 2) + (d - d0) * k4;
          sigs.set(out.subarray(row, row + K), d * K);
        }
      }
    }
  }
}

/** n rounded up to a multiple of 16 (addresses reach 4 GiB, past int32 bit operations). */
function align(n: number): number {
  return Math.ceil(n / 16) * 16;
}
