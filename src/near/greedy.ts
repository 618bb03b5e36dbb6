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
 * Only the passing pairs are stored, in typed arrays: (i, j), 8 bytes a pair. The engine emits a
 * candidate pair in the first band its documents share, so a pair is verified and stored once
 * (../near-dedup.ts; a pair that first met in a large bucket may come twice, which is harmless).
 */
import { prefer, type Selection } from "./select.ts";

/** Passing pairs (i, j), appended in chunks (no copy as they grow). */
export class PassingPairs {
  static readonly CHUNK = 1 << 20;
  private parts: ({ lo: Uint32Array; hi: Uint32Array } | null)[] = [];
  length = 0;

  add(i: number, j: number): void {
    const at = this.length % PassingPairs.CHUNK;
    if (at === 0) this.parts.push({ lo: new Uint32Array(PassingPairs.CHUNK), hi: new Uint32Array(PassingPairs.CHUNK) });
    const c = this.parts[this.parts.length - 1]!;
    c.lo[at] = i;
    c.hi[at] = j;
    this.length++;
  }

  /** The stored pairs, chunk by chunk (views of the filled part); `release` frees each after use. */
  *chunks(release = false): Generator<{ lo: Uint32Array; hi: Uint32Array }> {
    for (let k = 0; k < this.parts.length; k++) {
      const m = Math.min(PassingPairs.CHUNK, this.length - k * PassingPairs.CHUNK);
      const c = this.parts[k];
      if (c === null) throw new Error("near dedup: passing pairs read after they were released");
      yield { lo: c.lo.subarray(0, m), hi: c.hi.subarray(0, m) };
      if (release) this.parts[k] = null;
    }
  }
}

/** The documents of `docs` in --near-selection preference order (see ./select.ts). */
export function preferenceOrder(
  docs: Uint32Array,
  selection: Selection,
  lengths: ArrayLike<number>,
  docIds: readonly string[],
): Uint32Array {
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
 * The greedy decisions for `n` documents given every passing pair (see the header; a pair listed
 * twice changes nothing). Each pair is listed once more, under whichever of its two documents is
 * visited later: when that document's turn comes, the other one is decided. Which documents are
 * kept does not depend on the similarities; a dropped document's pairs with kept documents are
 * then measured again (`similarities`, the verifier that passed them: same values) to name the
 * closest. The pairs are released as they are listed.
 */
export async function greedyKeep(
  n: number,
  pairs: PassingPairs,
  selection: Selection,
  lengths: ArrayLike<number>,
  docIds: readonly string[],
  similarities: (pairs: Uint32Array) => Promise<ArrayLike<number>>,
  batch = 1 << 16,
): Promise<GreedyResult> {
  const m = pairs.length;
  const linked = new Uint8Array(n);
  for (const { lo, hi } of pairs.chunks()) for (let e = 0; e < lo.length; e++) linked[lo[e]] = linked[hi[e]] = 1;
  let nLinked = 0;
  for (let d = 0; d < n; d++) nLinked += linked[d];
  const docs = new Uint32Array(nLinked);
  for (let d = 0, k = 0; d < n; d++) if (linked[d] === 1) docs[k++] = d;
  const order = preferenceOrder(docs, selection, lengths, docIds);
  // Visit rank of each linked document; documents without pairs are always kept.
  const rank = new Uint32Array(n);
  for (let r = 0; r < order.length; r++) rank[order[r]] = r;

  // Earlier-visited neighbours per document (CSR).
  const start = new Uint32Array(n + 1);
  for (const { lo, hi } of pairs.chunks()) for (let e = 0; e < lo.length; e++) start[(rank[lo[e]] > rank[hi[e]] ? lo[e] : hi[e]) + 1]++;
  for (let d = 0; d < n; d++) start[d + 1] += start[d];
  const fill = start.slice(0, n);
  const nbr = new Uint32Array(m);
  for (const { lo, hi } of pairs.chunks(true)) {
    for (let e = 0; e < lo.length; e++) {
      if (rank[lo[e]] > rank[hi[e]]) nbr[fill[lo[e]]++] = hi[e];
      else nbr[fill[hi[e]]++] = lo[e];
    }
  }

  // Kept unless an earlier-visited neighbour was kept.
  const kept = new Uint8Array(n);
  const dupOf = new Int32Array(n).fill(-1);
  for (let r = 0; r < order.length; r++) {
    const d = order[r];
    let k = start[d];
    while (k < start[d + 1] && kept[nbr[k]] === 0) k++;
    if (k === start[d + 1]) kept[d] = 1;
    else dupOf[d] = nbr[k];
  }

  // The closest kept neighbour of each dropped document, ties to the one visited first.
  const similarity = new Float32Array(n).fill(Number.NaN);
  const best = new Float64Array(n).fill(-1);
  const q = new Uint32Array(2 * batch);
  const who = new Uint32Array(batch);
  const other = new Uint32Array(batch);
  let nq = 0;
  const flush = async (): Promise<void> => {
    if (nq === 0) return;
    const sims = await similarities(q.subarray(0, 2 * nq));
    for (let p = 0; p < nq; p++) {
      const d = who[p];
      const x = other[p];
      const s = sims[p];
      if (s > best[d] || (s === best[d] && rank[x] < rank[dupOf[d]])) {
        best[d] = s;
        dupOf[d] = x;
      }
    }
    nq = 0;
  };
  for (let d = 0; d < n; d++) {
    if (dupOf[d] < 0) continue;
    for (let k = start[d]; k < start[d + 1]; k++) {
      const x = nbr[k];
      if (kept[x] === 0) continue;
      q[2 * nq] = Math.min(d, x);
      q[2 * nq + 1] = Math.max(d, x);
      who[nq] = d;
      other[nq++] = x;
      if (nq === batch) await flush();
    }
  }
  await flush();
  for (let d = 0; d < n; d++) if (dupOf[d] >= 0) similarity[d] = best[d];
  return { dupOf, similarity };
}
