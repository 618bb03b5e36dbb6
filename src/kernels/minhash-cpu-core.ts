/**
 * The CPU twin's arithmetic: a line-by-line transliteration of shaders/minhash.wgsl (`sign`) and
 * shaders/minhash-pairs.wgsl (`count_equal`) into u32 JavaScript. Pure functions over typed
 * arrays, so the worker threads and the in-thread path run exactly the same code. Signing runs
 * through ./near-wasm.ts (the same arithmetic on four lanes, ~4x faster) where WebAssembly SIMD
 * exists; signDocs is the fallback and the readable form.
 */
import { murmurStep, fmix32 } from "./hash32.ts";
import type { MinHashParams } from "./minhash.ts";

/**
 * Signs docs [docStart, docEnd) of a CSR batch. Writes rows (d - docStart) of `sigs`
 * (numPerm u32 each) and of `bandKeys` (bands u32 each).
 */
export function signDocs(
  hashes: Uint32Array,
  offsets: Uint32Array,
  docStart: number,
  docEnd: number,
  params: MinHashParams,
  perm: Uint32Array,
  sigs: Uint32Array,
  bandKeys: Uint32Array,
): void {
  const K = params.numPerm;
  const B = params.bands;
  const R = params.rows;
  // One signature row as int32 bit patterns: JavaScriptCore reads a Uint32Array element above
  // 2^31 as a double, and mixing those into the band-key arithmetic below made the optimiser
  // deoptimise over and over (10x slower on real text). The bits are the same u32s.
  const mins = new Int32Array(K);
  for (let d = docStart; d < docEnd; d++) {
    const start = offsets[d];
    const end = offsets[d + 1];
    const row = (d - docStart) * K;
    for (let k = 0; k < K; k++) {
      const a = perm[2 * k] | 0;
      const b = perm[2 * k + 1] | 0;
      // min over u32 values, kept as (value ^ 0x80000000) | 0 so that JavaScript's signed int32
      // comparison orders them as unsigned (a JIT-friendly form of WGSL's u32 min()).
      let m = 0x7fffffff; // SENTINEL ^ 0x80000000
      for (let i = start; i < end; i++) {
        // pi_k(x) = mix(a*x + b), inlined (minhash.ts)
        let h = (Math.imul(a, hashes[i]) + b) | 0;
        h = (Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ 0x80000000) | 0;
        if (h < m) m = h;
      }
      mins[k] = m ^ 0x80000000;
    }
    sigs.set(mins, row);
    writeBandKeys(mins, 0, B, R, bandKeys, (d - docStart) * B);
  }
}

/**
 * The B band keys of one signature row (mins[at .. at + B*R), as int32 bit patterns) into
 * keys[keyAt .. keyAt + B): key b = MurmurHash3_x86_32 with seed b of the R words of band b.
 */
export function writeBandKeys(mins: Int32Array, at: number, B: number, R: number, keys: Uint32Array, keyAt: number): void {
  for (let band = 0; band < B; band++) {
    let h = band;
    const base = at + band * R;
    for (let r = 0; r < R; r++) h = murmurStep(h, mins[base + r]);
    keys[keyAt + band] = fmix32((h ^ (R * 4)) >>> 0);
  }
}

/** counts[p] = #{k : sig[i][k] == sig[j][k] != 0xFFFFFFFF (the sentinel)} for pairs[2p] = i, pairs[2p+1] = j. */
export function countEqualPairs(
  sigs: Uint32Array,
  numPerm: number,
  pairs: Uint32Array,
  pairStart: number,
  pairEnd: number,
  counts: Uint32Array,
): void {
  const K = numPerm;
  // int32 view of the same bits (see signDocs): the sentinel 0xFFFFFFFF reads as -1.
  const s = new Int32Array(sigs.buffer, sigs.byteOffset, sigs.length);
  for (let p = pairStart; p < pairEnd; p++) {
    const a = pairs[2 * p] * K;
    const b = pairs[2 * p + 1] * K;
    let c = 0;
    for (let k = 0; k < K; k++) {
      const v = s[a + k];
      if (v === s[b + k] && v !== -1) c++;
    }
    counts[p - pairStart] = c;
  }
}
