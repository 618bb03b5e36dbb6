/**
 * MinHash CPU twin: the arithmetic of ./minhash-cpu-core.ts (a transliteration of the WGSL)
 * spread over a CpuPool. A batch is cut into one contiguous run of documents per worker, balanced
 * by shingle count; every document is signed by the same code whatever the cut, so the output is
 * bit-identical for any number of threads. Contract: ./minhash.ts.
 */
import { countEqualPairs } from "./minhash-cpu-core.ts";
import { BusyClock } from "./busy-clock.ts";
import { CpuPool } from "./cpu-pool.ts";
import {
  validateBatch,
  validateParams,
  type CsrBatch,
  type KernelStats,
  type MinHashKernel,
  type MinHashParams,
  type SignOutput,
} from "./minhash.ts";

export class CpuMinhash implements MinHashKernel {
  readonly kind = "cpu" as const;
  readonly maxSignatureRows = Number.POSITIVE_INFINITY;
  private readonly clock = new BusyClock();
  private readonly ownsPool: boolean;
  private readonly pool: CpuPool;

  /** `pool`: a shared pool, or a thread count for a pool of its own (0 = in-thread). */
  constructor(
    readonly params: MinHashParams,
    pool: CpuPool | number,
  ) {
    validateParams(params);
    this.ownsPool = typeof pool === "number";
    this.pool = typeof pool === "number" ? new CpuPool(pool) : pool;
  }

  stats(): KernelStats {
    return { dispatches: 0, bytesToGpu: 0, bytesFromGpu: 0, kernelMs: this.clock.ms };
  }

  sign(batch: CsrBatch): Promise<SignOutput> {
    return this.clock.time(async () => {
      const nDocs = validateBatch(batch);
      const { numPerm: K, bands: B } = this.params;
      const cuts = cutByWeight(batch.offsets, this.pool.width);
      const parts = await Promise.all(
        cuts.slice(0, -1).map((d0, i) => {
          const d1 = cuts[i + 1];
          const h0 = batch.offsets[d0];
          const h1 = batch.offsets[d1];
          const hashes = batch.hashes.slice(h0, h1);
          const offsets = batch.offsets.slice(d0, d1 + 1);
          for (let j = 0; j < offsets.length; j++) offsets[j] -= h0;
          return this.pool.run({ kind: "minhash.sign", hashes, offsets, params: this.params }, i, [
            hashes.buffer as ArrayBuffer,
            offsets.buffer as ArrayBuffer,
          ]);
        }),
      );
      const out: SignOutput = { signatures: new Uint32Array(nDocs * K), bandKeys: new Uint32Array(nDocs * B) };
      parts.forEach((p, i) => {
        out.signatures.set(p.signatures, cuts[i] * K);
        out.bandKeys.set(p.bandKeys, cuts[i] * B);
      });
      return out;
    });
  }

  countEqual(signatures: Uint32Array, pairs: Uint32Array): Promise<Uint32Array> {
    return this.clock.time(async () => {
      const n = pairs.length >>> 1;
      const counts = new Uint32Array(n);
      countEqualPairs(signatures, this.params.numPerm, pairs, 0, n, counts);
      return counts;
    });
  }

  async dispose(): Promise<void> {
    if (this.ownsPool) this.pool.dispose();
  }
}

/**
 * Doc boundaries [0, c1, ..., nDocs] cutting a CSR batch into at most `parts` contiguous runs of
 * about equal work (shingles, plus one per doc so that empty docs are spread too).
 */
export function cutByWeight(offsets: Uint32Array, parts: number): number[] {
  const nDocs = offsets.length - 1;
  const total = offsets[nDocs] + nDocs;
  const cuts = [0];
  let d = 0;
  for (let p = 1; p < parts && d < nDocs; p++) {
    const target = (total * p) / parts;
    while (d < nDocs && offsets[d] + d < target) d++;
    if (d > cuts[cuts.length - 1] && d < nDocs) cuts.push(d);
  }
  cuts.push(nDocs);
  return cuts;
}
