/**
 * A reference for checking gamma's near dedup from outside it (tests, bench): word 5-gram
 * shingle strings and their exact Jaccard, written from docs/near-dedup.md ("Shingles and their
 * hash"), not imported from gamma: the text lower-cased, cut into runs of Unicode letters, marks
 * and digits, N consecutive words joined by single spaces; 1..N-1 words are one shingle.
 */
export function wordShingles(text: string, n = 5): Set<string> {
  const w = text.toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  if (w.length === 0) return new Set();
  if (w.length < n) return new Set([w.join(" ")]);
  const out = new Set<string>();
  for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(" "));
  return out;
}

/** |A ∩ B| / |A ∪ B|; 0 when both are empty. */
export function setJaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}
