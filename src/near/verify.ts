/**
 * Verifying candidate pairs.
 *  - estimate (default): the share of equal MinHash signature positions, counted by the kernel
 *    (GPU or CPU twin) = countEqual / numPerm. The GPU twin gets the signature rows the batch
 *    needs, gathered from the memory-mapped signature file; the CPU twin reads the map directly.
 *  - exact: |A n B| / |A u B| of the two documents' shingle-hash sets (CPU): each document's
 *    hashes are copied out of the set files, sorted and de-duplicated the first time a pair needs
 *    them, then merged.
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
  /**
   * Sorted, distinct hashes of the documents pairs have needed so far, back to back. They are
   * kept here rather than sorted in place in the set files: writing a private mapping copies
   * each page it touches, which cost more than the sorting.
   */
  private arena = new Uint32Array(1 << 16);
  /** int32 view of the arena: comparisons stay in int32 (see minhash-cpu-core.ts signDocs). */
  private arenaI32 = new Int32Array(this.arena.buffer);
  private used = 0;
  /** Per doc: where its sorted hashes start in the arena, or -1 before a pair needs them. */
  private readonly at: Float64Array;
  private readonly size: Uint32Array;

  constructor(
    /** Set files holding every doc's shingle hashes in any order, duplicates allowed (mapped). */
    private readonly segments: Uint32Array[],
    /** Doc d's hashes are segments[segment[d]] rows [start[d], start[d] + count[d]). */
    private readonly segment: Uint32Array,
    private readonly start: Float64Array,
    private readonly count: Uint32Array,
  ) {
    this.at = new Float64Array(count.length).fill(-1);
    this.size = new Uint32Array(count.length);
  }

  /** Copies doc d's hashes to the arena, sorted (as u32) and de-duplicated, once. */
  private sorted(d: number): void {
    if (this.at[d] >= 0) return;
    const n = this.count[d];
    if (this.used + n > this.arena.length) {
      const bigger = new Uint32Array(Math.max(2 * this.arena.length, this.used + n));
      bigger.set(this.arena.subarray(0, this.used));
      this.arena = bigger;
      this.arenaI32 = new Int32Array(bigger.buffer);
    }
    const from = this.start[d];
    const rows = this.arena.subarray(this.used, this.used + n);
    rows.set(this.segments[this.segment[d]].subarray(from, from + n));
    rows.sort();
    let size = 0;
    for (let i = 0; i < n; i++) if (size === 0 || rows[i] !== rows[size - 1]) rows[size++] = rows[i];
    this.at[d] = this.used;
    this.size[d] = size;
    this.used += size;
  }

  async similarities(pairs: Uint32Array): Promise<Float64Array> {
    const n = pairs.length >>> 1;
    const out = new Float64Array(n);
    for (let p = 0; p < n; p++) out[p] = this.jaccard(pairs[2 * p], pairs[2 * p + 1]);
    return out;
  }

  jaccard(a: number, b: number): number {
    this.sorted(a);
    this.sorted(b);
    const sizeA = this.size[a];
    const sizeB = this.size[b];
    if (sizeA === 0 || sizeB === 0) return 0;
    const s = this.arenaI32;
    let i = this.at[a];
    const iEnd = i + sizeA;
    let j = this.at[b];
    const jEnd = j + sizeB;
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
