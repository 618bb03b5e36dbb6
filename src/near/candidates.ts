/**
 * Candidate pairs from one LSH band: documents whose band keys are equal. The (key, doc) list is
 * sorted by key with a stable radix sort, so each bucket lists its documents in input order and the
 * pairs come out in the same order on every run and backend.
 *
 * Per bucket (members of one scope group): all pairs when the bucket has at most ALL_PAIRS_MAX
 * members; beyond that the star from its first member plus the chain of consecutive members, which
 * connects any family of mutual near-duplicates with O(m) pairs instead of O(m^2). Greedy
 * selection adds a second star from the member it prefers (see bucketPairs).
 */
import { fmix32 } from "../kernels/hash32.ts";

export const ALL_PAIRS_MAX = 32;

/** Folds a scope group into a band key, so different groups rarely share a bucket. */
export function scopedKey(key: number, group: number): number {
  return group === 0 ? key : fmix32((key + Math.imul(group, 0x9e3779b9)) >>> 0);
}

/** Stable LSD radix sort of `docs` by `keys` (two 16-bit passes); sorts both arrays in place. */
export function sortByKey(keys: Uint32Array, docs: Uint32Array): void {
  const n = keys.length;
  const k2 = new Uint32Array(n);
  const d2 = new Uint32Array(n);
  const count = new Uint32Array(65537);
  for (const shift of [0, 16]) {
    const [srcK, srcD, dstK, dstD] = shift === 0 ? [keys, docs, k2, d2] : [k2, d2, keys, docs];
    count.fill(0);
    for (let i = 0; i < n; i++) count[((srcK[i] >>> shift) & 0xffff) + 1]++;
    for (let i = 1; i <= 65536; i++) count[i] += count[i - 1];
    for (let i = 0; i < n; i++) {
      const slot = count[(srcK[i] >>> shift) & 0xffff]++;
      dstK[slot] = srcK[i];
      dstD[slot] = srcD[i];
    }
  }
}

/**
 * Calls `emit(i, j)` (i < j) for the pairs of one bucket; `members` ascending, all in one group.
 * `hub` (a position in `members`): in a large bucket, also pair that member with every other, so
 * the member greedy selection visits first (--near-clusters greedy) meets all of them.
 */
export function bucketPairs(members: Uint32Array, emit: (i: number, j: number) => void, hub = 0): void {
  const m = members.length;
  if (m <= ALL_PAIRS_MAX) {
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) emit(members[a], members[b]);
    return;
  }
  for (let b = 1; b < m; b++) emit(members[0], members[b]);
  for (let b = 2; b < m; b++) emit(members[b - 1], members[b]);
  if (hub === 0) return;
  const h = members[hub];
  // Not again: the star's pair (member 0) and the chain's pairs (the hub's neighbours).
  for (let b = 1; b < m; b++) {
    if (b === hub || b === hub - 1 || b === hub + 1) continue;
    if (b < hub) emit(members[b], h);
    else emit(h, members[b]);
  }
}

/**
 * The buckets of a sorted band: yields each run of >= 2 equal keys, split by scope group
 * (`groups` null = one group), members ascending.
 */
export function* buckets(keys: Uint32Array, docs: Uint32Array, groups: Uint32Array | null): Generator<Uint32Array> {
  const n = keys.length;
  let s = 0;
  while (s < n) {
    let e = s + 1;
    while (e < n && keys[e] === keys[s]) e++;
    if (e - s >= 2) {
      const run = docs.subarray(s, e);
      if (groups === null) {
        yield run;
      } else {
        const seen = new Set<number>();
        for (let i = 0; i < run.length; i++) {
          const g = groups[run[i]];
          if (seen.has(g)) continue;
          seen.add(g);
          const members = run.filter((d) => groups[d] === g);
          if (members.length >= 2) yield members;
        }
      }
    }
    s = e;
  }
}
