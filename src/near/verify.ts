/**
 * Verifying candidate pairs.
 *  - estimate (default): the share of equal MinHash signature positions, counted by the kernel
 *    (GPU or CPU twin) = countEqual / numPerm. The GPU twin gets the signature rows the batch
 *    needs, gathered from the memory-mapped signature file; the CPU twin reads the map directly.
 *  - exact: |A n B| / |A u B| of the two documents' sorted shingle-hash sets (CPU, merge walk).
 * A pair passes when its similarity is >= the threshold.
 */
import type { MinHashKernel } from "../kernels/minhash.ts";

export interface Verifier {
  /** Similarity of each pair [i0, j0, i1, j1, ...] (global doc indices). */
  similarities(pairs: Uint32Array): Promise<Float64Array>;
}

export class EstimateVerifier implements Verifier {
  private slot: Int32Array | null = null;

  constructor(
    private readonly kernel: MinHashKernel & { readonly maxSignatureRows: number },
    /** All signatures, doc-major (the mapped signature file). */
    private readonly sigs: Uint32Array,
    private readonly numPerm: number,
    /** Rows gathered per GPU call at most (tests lower it). */
    private readonly maxRows = Math.min(kernel.maxSignatureRows, 1 << 17),
  ) {}

  async similarities(pairs: Uint32Array): Promise<Float64Array> {
    const n = pairs.length >>> 1;
    const out = new Float64Array(n);
    const K = this.numPerm;
    if (this.kernel.kind === "cpu") {
      const counts = await this.kernel.countEqual(this.sigs, pairs);
      for (let p = 0; p < n; p++) out[p] = counts[p] / K;
      return out;
    }
    // Gather the rows a run of pairs needs into a compact array, renumbering the pairs.
    this.slot ??= new Int32Array(this.sigs.length / K).fill(-1);
    const slot = this.slot;
    let p0 = 0;
    while (p0 < n) {
      const rows: number[] = [];
      let p1 = p0;
      while (p1 < n) {
        const fresh = (slot[pairs[2 * p1]] < 0 ? 1 : 0) + (slot[pairs[2 * p1 + 1]] < 0 ? 1 : 0);
        if (rows.length + fresh > this.maxRows) break;
        for (const d of [pairs[2 * p1], pairs[2 * p1 + 1]]) {
          if (slot[d] < 0) {
            slot[d] = rows.length;
            rows.push(d);
          }
        }
        p1++;
      }
      const compact = new Uint32Array(rows.length * K);
      rows.forEach((d, r) => compact.set(this.sigs.subarray(d * K, d * K + K), r * K));
      const local = new Uint32Array(2 * (p1 - p0));
      for (let p = p0; p < p1; p++) {
        local[2 * (p - p0)] = slot[pairs[2 * p]];
        local[2 * (p - p0) + 1] = slot[pairs[2 * p + 1]];
      }
      for (const d of rows) slot[d] = -1;
      const counts = await this.kernel.countEqual(compact, local);
      for (let p = p0; p < p1; p++) out[p] = counts[p - p0] / K;
      p0 = p1;
    }
    return out;
  }
}

export class ExactVerifier implements Verifier {
  /** int32 view of the sets: comparisons stay in int32 (see minhash-cpu-core.ts signDocs). */
  private readonly sets: Int32Array;

  constructor(
    /** Every doc's sorted (as u32), de-duplicated shingle hashes, concatenated (the mapped set file). */
    sets: Uint32Array,
    /** Doc d's set is sets[setOffsets[d], setOffsets[d+1]). */
    private readonly setOffsets: Float64Array,
  ) {
    this.sets = new Int32Array(sets.buffer, sets.byteOffset, sets.length);
  }

  async similarities(pairs: Uint32Array): Promise<Float64Array> {
    const n = pairs.length >>> 1;
    const out = new Float64Array(n);
    for (let p = 0; p < n; p++) out[p] = this.jaccard(pairs[2 * p], pairs[2 * p + 1]);
    return out;
  }

  jaccard(a: number, b: number): number {
    const s = this.sets;
    let i = this.setOffsets[a];
    const iEnd = this.setOffsets[a + 1];
    let j = this.setOffsets[b];
    const jEnd = this.setOffsets[b + 1];
    const sizeA = iEnd - i;
    const sizeB = jEnd - j;
    if (sizeA === 0 || sizeB === 0) return 0;
    let inter = 0;
    while (i < iEnd && j < jEnd) {
      // Flipping the sign bit makes int32 order equal the u32 order the sets are sorted in.
      const x = s[i] ^ 0x80000000;
      const y = s[j] ^ 0x80000000;
      if (x === y) {
        inter++;
        i++;
        j++;
      } else if (x < y) i++;
      else j++;
    }
    return inter / (sizeA + sizeB - inter);
  }
}
