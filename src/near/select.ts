/**
 * Which document of a cluster is kept (--near-selection):
 *  - first:   the earliest in input order;
 *  - longest: the most UTF-8 bytes; ties go to the smaller doc_id (code-unit order), then to the
 *             earlier input position.
 * Every other member gets dup_of = the kept document.
 */
import type { UnionFind } from "./union-find.ts";

export type Selection = "first" | "longest";

export function prefer(a: number, b: number, selection: Selection, lengths: ArrayLike<number>, docIds: readonly string[]): number {
  if (selection === "longest") {
    if (lengths[a] !== lengths[b]) return lengths[a] > lengths[b] ? a : b;
    if (docIds[a] !== docIds[b]) return docIds[a] < docIds[b] ? a : b;
  }
  return Math.min(a, b);
}

/** dupOf[d] = -1 for kept docs, else the kept doc of d's cluster. */
export function selectKept(
  uf: UnionFind,
  n: number,
  selection: Selection,
  lengths: ArrayLike<number>,
  docIds: readonly string[],
): Int32Array {
  const best = new Int32Array(n).fill(-1); // indexed by cluster root
  for (let d = 0; d < n; d++) {
    const r = uf.find(d);
    best[r] = best[r] === -1 ? d : prefer(best[r], d, selection, lengths, docIds);
  }
  const dupOf = new Int32Array(n);
  for (let d = 0; d < n; d++) {
    const kept = best[uf.find(d)];
    dupOf[d] = kept === d ? -1 : kept;
  }
  return dupOf;
}
