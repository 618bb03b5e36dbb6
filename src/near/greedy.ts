/**
 * Greedy near-duplicate selection (--near-clusters greedy, the default).
 *
 * Union-find drops whole connected components: with A~B and B~C verified, C is dropped for A
 * even when A and C are far apart (chain drift). Greedy instead visits the documents in
 * --near-selection preference order and keeps a document unless a document already kept is one
 * of its verified neighbours (a candidate pair whose similarity reached the threshold). A dropped
 * document names its kept neighbour with the highest similarity (ties: the one preferred first),
 * and that similarity, as measured. So every near_dup row names a kept document at >= threshold,
 * and no two kept documents form a verified pair.
 *
 * Only the passing pairs are stored, once each, in typed arrays: (i, j, similarity) plus an
 * open-addressing index on (i, j) that lets later bands skip pairs already verified as passing.
 */
import { prefer, type Selection } from "./select.ts";

export class PassingPairs {
  private lo = new Uint32Array(1024);
  private hi = new Uint32Array(1024);
  private sim = new Float32Array(1024);
  /** Edge number + 1 per slot, 0 = empty; size is a power of two, at most half full. */
  private slots = new Uint32Array(2048);
  length = 0;

  private slotOf(i: number, j: number): number {
    const mask = this.slots.length - 1;
    let h = (Math.imul(i, 0x9e3779b1) ^ Math.imul(j + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const e = this.slots[h];
      if (e === 0 || (this.lo[e - 1] === i && this.hi[e - 1] === j)) return h;
      h = (h + 1) & mask;
    }
  }

  /** Whether pair (i, j), i < j, is stored. */
  has(i: number, j: number): boolean {
    return this.slots[this.slotOf(i, j)] !== 0;
  }

  /** Stores pair (i, j), i < j, with its similarity; a pair already stored is left as it is. */
  add(i: number, j: number, similarity: number): void {
    const s = this.slotOf(i, j);
    if (this.slots[s] !== 0) return;
    if (this.length === this.lo.length) {
      const grow = <T extends Uint32Array | Float32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a as never);
        return b;
      };
      this.lo = grow(this.lo, (n) => new Uint32Array(n));
      this.hi = grow(this.hi, (n) => new Uint32Array(n));
      this.sim = grow(this.sim, (n) => new Float32Array(n));
    }
    const e = this.length++;
    this.lo[e] = i;
    this.hi[e] = j;
    this.sim[e] = similarity;
    if (2 * this.length > this.slots.length) this.rehash();
    else this.slots[s] = e + 1;
  }

  /** Frees the index: has() and add() may not be called again. */
  dropIndex(): void {
    this.slots = new Uint32Array(0);
  }

  private rehash(): void {
    this.slots = new Uint32Array(this.slots.length * 2);
    for (let e = 0; e < this.length; e++) this.slots[this.slotOf(this.lo[e], this.hi[e])] = e + 1;
  }

  /** The stored pairs: views valid until the next add. */
  view(): { lo: Uint32Array; hi: Uint32Array; sim: Float32Array } {
    return { lo: this.lo.subarray(0, this.length), hi: this.hi.subarray(0, this.length), sim: this.sim.subarray(0, this.length) };
  }
}

/** The documents of `docs` in --near-selection preference order (see ./select.ts). */
export function preferenceOrder(docs: Uint32Array, selection: Selection, lengths: ArrayLike<number>, docIds: readonly string[]): Uint32Array {
  const order = docs.slice();
  if (selection === "first") return order.sort();
  return order.sort((a, b) => (prefer(a, b, selection, lengths, docIds) === a ? -1 : 1));
}

export interface GreedyResult {
  /** -1 = kept, else the kept neighbour it was dropped for. */
  dupOf: Int32Array;
  /** Similarity to dupOf (as verified); NaN when kept. */
  similarity: Float32Array;
}

/**
 * The greedy decisions for `n` documents given every passing pair (see the header). Each pair is
 * listed once, under whichever of its two documents is visited later: when that document's turn
 * comes, the other one is decided. The pairs' hash index is dropped first (it is not needed here).
 */
export function greedyKeep(n: number, pairs: PassingPairs, selection: Selection, lengths: ArrayLike<number>, docIds: readonly string[]): GreedyResult {
  pairs.dropIndex();
  const { lo, hi, sim } = pairs.view();
  const m = lo.length;
  const linked = new Uint8Array(n);
  for (let e = 0; e < m; e++) linked[lo[e]] = linked[hi[e]] = 1;
  let nLinked = 0;
  for (let d = 0; d < n; d++) nLinked += linked[d];
  const docs = new Uint32Array(nLinked);
  for (let d = 0, k = 0; d < n; d++) if (linked[d] === 1) docs[k++] = d;
  const order = preferenceOrder(docs, selection, lengths, docIds);
  // Visit rank of each linked document; documents without pairs are always kept.
  const rank = new Uint32Array(n);
  for (let r = 0; r < order.length; r++) rank[order[r]] = r;
  const later = (e: number) => (rank[lo[e]] > rank[hi[e]] ? lo[e] : hi[e]);

  // Earlier-visited neighbours per document (CSR): the other end of each pair and its similarity.
  const start = new Uint32Array(n + 1);
  for (let e = 0; e < m; e++) start[later(e) + 1]++;
  for (let d = 0; d < n; d++) start[d + 1] += start[d];
  const fill = start.slice(0, n);
  const nbr = new Uint32Array(m);
  const nsim = new Float32Array(m);
  for (let e = 0; e < m; e++) {
    const d = later(e);
    const k = fill[d]++;
    nbr[k] = d === lo[e] ? hi[e] : lo[e];
    nsim[k] = sim[e];
  }

  const kept = new Uint8Array(n);
  const dupOf = new Int32Array(n).fill(-1);
  const similarity = new Float32Array(n).fill(Number.NaN);
  for (let r = 0; r < order.length; r++) {
    const d = order[r];
    let best = -1;
    let bestSim = -1;
    for (let k = start[d]; k < start[d + 1]; k++) {
      const x = nbr[k];
      if (kept[x] === 0) continue; // dropped
      const s = nsim[k];
      if (s > bestSim || (s === bestSim && rank[x] < rank[best])) {
        best = x;
        bestSim = s;
      }
    }
    if (best < 0) kept[d] = 1;
    else {
      dupOf[d] = best;
      similarity[d] = bestSim;
    }
  }
  return { dupOf, similarity };
}
