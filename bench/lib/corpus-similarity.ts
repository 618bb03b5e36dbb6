/**
 * Word 5-gram shingle sets, exact Jaccard, and a small MinHash/LSH screen that keeps the
 * benchmark corpus's "distinct" documents apart. Written independently of src/near so that the
 * figures the corpus builder reports are not produced by the code the benchmark measures.
 *
 * Words follow the definition in src/near/shingle.ts (lower-cased text, maximal runs of
 * letters, marks and digits); a shingle is 5 consecutive words, hashed to 32 bits. A document
 * with fewer than 5 words has one shingle, its words.
 */

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
export const SHINGLE_WORDS = 5;

function wordHash(w: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Sorted, distinct 32-bit hashes of the word 5-grams of `text`. */
export function shingleSet(text: string): Uint32Array {
  const words = text.toLowerCase().match(WORD);
  if (words === null) return new Uint32Array(0);
  const wh = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i++) wh[i] = wordHash(words[i]!);
  const n = Math.max(1, wh.length - SHINGLE_WORDS + 1);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = 0x9e3779b9;
    const end = Math.min(i + SHINGLE_WORDS, wh.length);
    for (let j = i; j < end; j++) h = Math.imul(((h << 5) | (h >>> 27)) ^ wh[j]!, 0x85ebca6b);
    h ^= h >>> 15;
    out[i] = Math.imul(h, 0x2c1b3c6d) >>> 0;
  }
  out.sort();
  let k = 0;
  for (let i = 0; i < n; i++) if (i === 0 || out[i] !== out[i - 1]) out[k++] = out[i]!;
  return out.slice(0, k);
}

/** |A ∩ B| / |A ∪ B| of two sorted distinct sets; 0 when both are empty. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let both = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      both++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  const union = a.length + b.length - both;
  return union === 0 ? 0 : both / union;
}

const PERMS = 64;
const ROWS = 2; // 32 bands of 2 rows: a pair at Jaccard 0.3 becomes a candidate with p ≈ 0.95
const SEEDS = Uint32Array.from({ length: PERMS }, (_, k) => Math.imul(k + 1, 0x9e3779b9) >>> 0);

function signature(set: Uint32Array): Uint32Array {
  const mins = new Uint32Array(PERMS).fill(0xffffffff);
  for (let i = 0; i < set.length; i++) {
    const h = set[i]!;
    for (let k = 0; k < PERMS; k++) {
      let x = Math.imul(h ^ SEEDS[k]!, 0x85ebca6b);
      x ^= x >>> 13;
      x = Math.imul(x, 0xc2b2ae35);
      x = (x ^ (x >>> 16)) >>> 0;
      if (x < mins[k]!) mins[k] = x;
    }
  }
  return mins;
}

function bandKey(sig: Uint32Array, band: number): number {
  let h = Math.imul(band + 1, 0x27d4eb2f);
  for (let r = 0; r < ROWS; r++) h = Math.imul(((h << 7) | (h >>> 25)) ^ sig[band * ROWS + r]!, 0x165667b1);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * Remembers the shingle sets of accepted documents and says whether a new one is too close
 * (exact Jaccard >= threshold) to any of them. LSH only proposes candidates; every decision is
 * an exact Jaccard on the stored sets.
 */
export class NearScreen {
  readonly sets: Uint32Array[] = [];
  private readonly buckets: Map<number, number[]>[] = Array.from({ length: PERMS / ROWS }, () => new Map());
  private stamp = new Int32Array(1024);
  private round = 0;

  constructor(readonly threshold: number) {}

  /** The closest accepted document at or above the threshold, or null. */
  closest(set: Uint32Array, sig: Uint32Array): { index: number; jaccard: number } | null {
    if (this.stamp.length < this.sets.length) this.stamp = new Int32Array(this.sets.length * 2);
    this.round++;
    let best: { index: number; jaccard: number } | null = null;
    for (let b = 0; b < this.buckets.length; b++) {
      const hit = this.buckets[b]!.get(bandKey(sig, b));
      if (hit === undefined) continue;
      for (const idx of hit) {
        if (this.stamp[idx] === this.round) continue;
        this.stamp[idx] = this.round;
        const j = jaccard(set, this.sets[idx]!);
        if (j >= this.threshold && (best === null || j > best.jaccard)) best = { index: idx, jaccard: j };
      }
    }
    return best;
  }

  /** Accepts `set` unless it is too close to an accepted one; returns its index or the clash. */
  offer(set: Uint32Array): { accepted: true; index: number } | { accepted: false; clash: number; jaccard: number } {
    const sig = signature(set);
    const near = this.closest(set, sig);
    if (near !== null) return { accepted: false, clash: near.index, jaccard: near.jaccard };
    const index = this.sets.length;
    this.sets.push(set);
    for (let b = 0; b < this.buckets.length; b++) {
      const key = bandKey(sig, b);
      const list = this.buckets[b]!.get(key);
      if (list === undefined) this.buckets[b]!.set(key, [index]);
      else list.push(index);
    }
    return { accepted: true, index };
  }
}
