/**
 * MinHash kernel contract: the bytes both twins consume and produce.
 *
 * Twins: src/kernels/minhash.cpu.ts (CPU, worker threads) and src/kernels/minhash.gpu.ts (WGSL in
 * shaders/minhash.wgsl and shaders/minhash-pairs.wgsl). Given the same input they return
 * bit-identical outputs; test/kernels/minhash-conformance.ts holds them to it.
 *
 * Input: a CSR batch of documents. `hashes` is every document's u32 shingle hashes, concatenated;
 * `offsets` has nDocs+1 entries, offsets[0] = 0, document d owns hashes[offsets[d], offsets[d+1]).
 * Duplicate hashes inside a document are allowed (a minimum does not care).
 *
 * Permutation family (all u32 arithmetic, mod 2^32):
 *
 *     y = a_k * x + b_k,   pi_k(x) = (y ^ (y >> 16)) * 0x85ebca6b     k = 0 .. numPerm-1, a_k odd
 *
 * `x -> a_k*x + b_k` is a bijection of the 32-bit words because a_k is odd; the xor-shift and the
 * multiplication by an odd constant (the first round of MurmurHash3's finaliser fmix32) are
 * bijections too, so every pi_k is a true permutation of [0, 2^32): two distinct shingles never
 * tie. The affine step gives each k its own arrangement of the inputs; the xor-shift folds the
 * high half into the low half and the multiplication carries every bit of that back up, so the
 * high bits of pi_k(x), which decide the minimum, depend on all bits of y and the linear structure
 * is gone: for the already well-mixed shingle hashes the minima under different k behave as if
 * drawn from independent random permutations. test/kernels/minhash-estimator.test.ts checks this
 * statistically on random and on structured sets: the estimate's mean and its spread match the
 * binomial model. (The full fmix32, two rounds, passed the same checks no better and made signing
 * twice as slow.)
 *
 * The constants a_k, b_k come from `seed` through a counter-based generator (splitmix-style: a
 * Weyl sequence of the golden-ratio increment through a 2-round xorshift-multiply mixer), in the
 * order a_0, b_0, a_1, b_1, ... ; a_k has its low bit forced to 1. permutationConstants() is the
 * only place they are made; both twins receive the same Uint32Array.
 *
 * Outputs:
 *  - signatures: Uint32Array(nDocs * numPerm), doc-major: sig[d*K + k] = min over the doc's
 *    hashes of pi_k. A document with no shingles gets the sentinel signature (every slot
 *    0xFFFFFFFF) and must never be matched (countEqual ignores sentinel slots; the near engine
 *    also keeps empty documents out of the band tables).
 *  - bandKeys: Uint32Array(nDocs * bands), doc-major: key[d*B + b] = MurmurHash3_x86_32 of the R
 *    words sig[d*K + b*R .. d*K + b*R + R-1] (as little-endian bytes) with seed b.
 *  - countEqual(signatures, pairs): for pairs [i0, j0, i1, j1, ...] of row indices into a
 *    signature array, the number of positions k with sig[i][k] == sig[j][k] != 0xFFFFFFFF.
 *    The estimated Jaccard similarity of the pair is count / numPerm.
 */
import { ConfigError } from "../errors.ts";

export const SENTINEL = 0xffffffff;
export const DEFAULT_NUM_PERM = 128;
/** The GPU twin keeps one signature in workgroup memory: 2048 slots = 8 KiB, half the 16 KiB minimum. */
export const MAX_NUM_PERM = 2048;

export interface MinHashParams {
  numPerm: number;
  seed: number;
  bands: number;
  rows: number;
}

export interface CsrBatch {
  hashes: Uint32Array;
  offsets: Uint32Array;
}

export interface SignOutput {
  signatures: Uint32Array;
  bandKeys: Uint32Array;
}

export interface KernelStats {
  dispatches: number;
  bytesToGpu: number;
  bytesFromGpu: number;
  /** Wall-clock milliseconds during which at least one kernel call was in flight. */
  kernelMs: number;
}

/** What both twins implement. Calls may overlap; results come back in call order per promise. */
export interface MinHashKernel {
  readonly kind: "gpu" | "cpu";
  readonly params: MinHashParams;
  sign(batch: CsrBatch): Promise<SignOutput>;
  countEqual(signatures: Uint32Array, pairs: Uint32Array): Promise<Uint32Array>;
  stats(): KernelStats;
  dispose(): Promise<void>;
}

export function validateParams(p: MinHashParams): void {
  const int = (v: number) => Number.isInteger(v) && v >= 1;
  if (!int(p.numPerm) || p.numPerm > MAX_NUM_PERM) {
    throw new ConfigError(`--num-perm must be an integer from 1 to ${MAX_NUM_PERM}, got ${p.numPerm}`);
  }
  if (!int(p.bands) || !int(p.rows) || p.bands * p.rows > p.numPerm) {
    throw new ConfigError(`--bands ${p.bands} x --rows ${p.rows} must be positive integers with bands*rows <= --num-perm ${p.numPerm}`);
  }
  if (!Number.isInteger(p.seed) || p.seed < 0 || p.seed > 0xffffffff) {
    throw new ConfigError(`--seed must be an integer from 0 to 4294967295, got ${p.seed}`);
  }
}

export function validateBatch(batch: CsrBatch): number {
  const { hashes, offsets } = batch;
  const nDocs = offsets.length - 1;
  if (nDocs < 0 || offsets[0] !== 0 || offsets[nDocs] !== hashes.length) {
    throw new RangeError(
      `CSR batch: offsets must start at 0 and end at hashes.length (${hashes.length}); got ${offsets[0]}..${offsets[nDocs]}`,
    );
  }
  for (let d = 0; d < nDocs; d++) {
    if (offsets[d + 1] < offsets[d]) throw new RangeError(`CSR batch: offsets decrease at doc ${d}`);
  }
  return nDocs;
}

/** The permutation constants [a_0, b_0, a_1, b_1, ...] for `seed`; see the header comment. */
export function permutationConstants(seed: number, numPerm: number): Uint32Array {
  const out = new Uint32Array(2 * numPerm);
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  for (let k = 0; k < numPerm; k++) {
    out[2 * k] = (next() | 1) >>> 0;
    out[2 * k + 1] = next();
  }
  return out;
}

/** The mixing step of the permutations: one xor-shift-multiply round. */
export const PERM_MIX = 0x85ebca6b;

/** pi_k(x) for one permutation; the twins inline this. */
export function permute(x: number, a: number, b: number): number {
  const y = (Math.imul(a, x) + b) >>> 0;
  return Math.imul(y ^ (y >>> 16), PERM_MIX) >>> 0;
}
