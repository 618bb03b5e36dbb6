/**
 * Verifying candidate pairs.
 *  - estimate (default): the share of equal MinHash signature positions, counted by the kernel
 *    (GPU or CPU twin) = countEqual / numPerm. The GPU twin gets the signature rows the batch
 *    needs, gathered from the memory-mapped signature file; the CPU twin reads the map directly.
 *  - exact: |A n B| / |A u B| of the two documents' shingle-hash sets (CPU): each document's
 *    hashes are sorted and de-duplicated in place the first time a pair needs them, then merged.
 * A pair passes when its similarity is >= the threshold.
 */
import type { MinHashKernel } from "../kernels/minhash.ts";
import { sortU32 } from "./sort-u32.ts";

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
  /** int32 views of the segments: comparisons stay in int32 (see minhash-cpu-core.ts signDocs). */
  private readonly sets: Int32Array[];
  /** Per doc: its number of distinct hashes once its rows are sorted in place, else -1. */
  private readonly distinct: Float64Array;

  constructor(
    /**
     * Set files holding every doc's shingle hashes in any order, duplicates allowed, mapped
     * privately (sorting a document's rows writes only this process's copy of its pages).
     */
    private readonly segments: Uint32Array[],
    /** Doc d's hashes are segments[segment[d]] rows [start[d], start[d] + count[d]). */
    private readonly segment: Uint32Array,
    private readonly start: Float64Array,
    private readonly count: Uint32Array,
  ) {
    this.sets = segments.map((s) => new Int32Array(s.buffer, s.byteOffset, s.length));
    this.distinct = new Float64Array(count.length).fill(-1);
  }

  /** Sorts doc d's rows (as u32) and moves its distinct hashes to the front; returns their count. */
  private sortedSize(d: number): number {
    let size = this.distinct[d];
    if (size >= 0) return size;
    const start = this.start[d];
    const rows = this.segments[this.segment[d]].subarray(start, start + this.count[d]);
    sortU32(rows);
    size = 0;
    for (let i = 0; i < rows.length; i++) if (size === 0 || rows[i] !== rows[size - 1]) rows[size++] = rows[i];
    this.distinct[d] = size;
    return size;
  }

  async similarities(pairs: Uint32Array): Promise<Float64Array> {
    const n = pairs.length >>> 1;
    const out = new Float64Array(n);
    for (let p = 0; p < n; p++) out[p] = this.jaccard(pairs[2 * p], pairs[2 * p + 1]);
    return out;
  }

  jaccard(a: number, b: number): number {
    const sizeA = this.sortedSize(a);
    const sizeB = this.sortedSize(b);
    const s = this.sets[this.segment[a]];
    const t = this.sets[this.segment[b]];
    let i = this.start[a];
    const iEnd = i + sizeA;
    let j = this.start[b];
    const jEnd = j + sizeB;
    if (sizeA === 0 || sizeB === 0) return 0;
    let inter = 0;
    while (i < iEnd && j < jEnd) {
      // Flipping the sign bit makes int32 order equal the u32 order the sets are sorted in.
      const x = s[i] ^ 0x80000000;
      const y = t[j] ^ 0x80000000;
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
