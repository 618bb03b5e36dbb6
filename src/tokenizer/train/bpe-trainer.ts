/**
 * Byte-level BPE training that gives the same vocabulary and merges as Hugging Face
 * `tokenizers`' BpeTrainer (ByteLevel pre-tokenizer and alphabet):
 *
 * - ids: special tokens first in the given order (repeats skipped), then the 256 ByteLevel
 *   characters in code point order, then each new token as it is first made;
 * - a max-heap of candidate merges ordered by count, ties to the smaller (left id, right id);
 * - an entry carries the words it was made for: the first entry of a pair names every word that
 *   has it, later entries only the words where a merge created it. A popped entry whose count is
 *   stale goes back with the current count; a fresh one merges the pair in its own words only.
 *   So a pair can be merged twice (when a token reappears through another merge), and the saved
 *   merges keep each pair once, at its last rank, as the reference's hash map does;
 * - a word merges left to right without overlap; each merge takes one from the pairs it breaks
 *   and adds one to those it makes, unless the new neighbour pair would reach --max-token-length
 *   characters; the merged pair's own count is left as it was, as the reference leaves it;
 * - training stops at the vocabulary size, an empty heap, or a count below --min-frequency.
 *
 * Words are ordered by their bytes before training so the result does not depend on the order
 * counts were gathered in. Everything lives in typed arrays; the merge loop allocates nothing
 * but the arrays' growth.
 */
import { byteLevelChar } from "../byte-level.ts";
import type { WordCountsData } from "./word-counts.ts";

export interface BpeTrainOptions {
  vocabSize: number;
  /** Merges whose pair occurs fewer times end the training (0 and 1: no limit). */
  minFrequency: number;
  specialTokens: string[];
  /** Longest token in bytes, or null for no limit. */
  maxTokenLength: number | null;
  /** Called now and then during the merges. */
  onProgress?: (merges: number, vocab: number) => void;
}

export interface TrainedBpe {
  /** Token of each id: special tokens as given, the rest in ByteLevel characters. */
  vocab: string[];
  /** Merges in rank order, each pair once, as ByteLevel strings. */
  merges: [string, string][];
  /** The special tokens kept (repeats dropped), in order; ids 0.. as they were added. */
  specialTokens: string[];
  /** Merge steps run (a pair merged again counts again). */
  mergeSteps: number;
}

/** Order of the 256 ByteLevel characters by code point: the initial alphabet's id order. */
export function alphabetOrder(): number[] {
  const bytes = Array.from({ length: 256 }, (_, b) => b);
  return bytes.sort((a, b) => byteLevelChar(a).charCodeAt(0) - byteLevelChar(b).charCodeAt(0));
}

/** Word indexes sorted by their bytes (shorter first on a common prefix). */
function sortedWords(d: WordCountsData): Uint32Array {
  const n = d.starts.length;
  const key = new Float64Array(n);
  const { bytes, starts, lens } = d;
  for (let w = 0; w < n; w++) {
    let k = 0;
    const at = starts[w]!;
    const len = lens[w]!;
    for (let i = 0; i < 6; i++) k = k * 257 + (i < len ? bytes[at + i]! + 1 : 0);
    key[w] = k;
  }
  const order = Array.from({ length: n }, (_, w) => w);
  order.sort((a, b) => {
    const d0 = key[a]! - key[b]!;
    if (d0 !== 0) return d0;
    const la = lens[a]!;
    const lb = lens[b]!;
    const m = Math.min(la, lb);
    const pa = starts[a]!;
    const pb = starts[b]!;
    for (let i = 6; i < m; i++) {
      const x = bytes[pa + i]! - bytes[pb + i]!;
      if (x !== 0) return x;
    }
    return la - lb;
  });
  return Uint32Array.from(order);
}

type Grows = Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer>;

/** A copy of `a` with room for `n` elements. */
function grown<T extends Grows>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** (left, right) -> pair index, open addressing; counts and per-step scratch per pair. */
class PairTable {
  left = new Uint32Array(1 << 16);
  right = new Uint32Array(1 << 16);
  count = new Float64Array(1 << 16);
  /** Step in which the pair last gained a word, the last such word, and how many this step. */
  mark = new Int32Array(1 << 16).fill(-1);
  lastWord = new Int32Array(1 << 16);
  gained = new Int32Array(1 << 16);
  size = 0;
  private slots = new Int32Array(1 << 17).fill(-1);
  private mask = (1 << 17) - 1;

  private static hash(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return (h ^ (h >>> 12)) >>> 0;
  }

  index(a: number, b: number): number {
    let s = PairTable.hash(a, b) & this.mask;
    for (;;) {
      const p = this.slots[s]!;
      if (p < 0) break;
      if (this.left[p] === a && this.right[p] === b) return p;
      s = (s + 1) & this.mask;
    }
    const p = this.size++;
    if (p === this.left.length) this.grow();
    this.left[p] = a;
    this.right[p] = b;
    this.count[p] = 0;
    this.mark[p] = -1;
    this.slots[s] = p;
    if (this.size * 2 > this.mask) this.rehash();
    return p;
  }

  private grow(): void {
    const n = this.left.length * 2;
    this.left = grown(this.left, n);
    this.right = grown(this.right, n);
    this.count = grown(this.count, n);
    this.mark = grown(this.mark, n); // index() sets a new pair's mark
    this.lastWord = grown(this.lastWord, n);
    this.gained = grown(this.gained, n);
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let p = 0; p < this.size; p++) {
      let s = PairTable.hash(this.left[p]!, this.right[p]!) & this.mask;
      while (this.slots[s]! >= 0) s = (s + 1) & this.mask;
      this.slots[s] = p;
    }
  }
}

/** Heap entries: a pair, the count it was pushed with, and the words it was made for (a run of the word pool). */
class MergeHeap {
  count = new Float64Array(1 << 16);
  pair = new Int32Array(1 << 16);
  wordsAt = new Int32Array(1 << 16);
  wordsLen = new Int32Array(1 << 16);
  private entries = 0;
  private heap = new Int32Array(1 << 16);
  size = 0;

  constructor(private readonly pairs: PairTable) {}

  /** A new entry (its id is its tie-break among equal count and pair). */
  add(pair: number, count: number, wordsAt: number, wordsLen: number): void {
    const e = this.entries++;
    if (e === this.count.length) {
      this.count = grown(this.count, e * 2);
      this.pair = grown(this.pair, e * 2);
      this.wordsAt = grown(this.wordsAt, e * 2);
      this.wordsLen = grown(this.wordsLen, e * 2);
    }
    this.count[e] = count;
    this.pair[e] = pair;
    this.wordsAt[e] = wordsAt;
    this.wordsLen[e] = wordsLen;
    this.push(e);
  }

  /** Whether entry x comes out before entry y. */
  private before(x: number, y: number): boolean {
    const cx = this.count[x]!;
    const cy = this.count[y]!;
    if (cx !== cy) return cx > cy;
    const px = this.pair[x]!;
    const py = this.pair[y]!;
    if (px !== py) {
      const P = this.pairs;
      const lx = P.left[px]!;
      const ly = P.left[py]!;
      if (lx !== ly) return lx < ly;
      return P.right[px]! < P.right[py]!;
    }
    return x < y;
  }

  push(e: number): void {
    if (this.size === this.heap.length) {
      const h = new Int32Array(this.size * 2);
      h.set(this.heap);
      this.heap = h;
    }
    const h = this.heap;
    let i = this.size++;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.before(e, h[up]!)) break;
      h[i] = h[up]!;
      i = up;
    }
    h[i] = e;
  }

  pop(): number {
    const h = this.heap;
    const top = h[0]!;
    const last = h[--this.size]!;
    const n = this.size;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.before(h[c + 1]!, h[c]!)) c++;
      if (!this.before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

/** A setting the trainer cannot run; `setting` names the option, so a command can name its flag. */
export class TrainSettingError extends RangeError {
  constructor(
    readonly setting: "vocabSize" | "specialTokens" | "maxTokenLength",
    message: string,
  ) {
    super(message);
  }
}

/** Throws TrainSettingError on settings the trainer cannot run. */
export function checkTrainOptions(o: BpeTrainOptions): void {
  const seen = new Set<string>();
  for (const t of o.specialTokens) {
    if (t.length === 0) throw new TrainSettingError("specialTokens", "a special token is empty");
    if (seen.has(t)) throw new TrainSettingError("specialTokens", `special token ${JSON.stringify(t)} is given twice`);
    seen.add(t);
  }
  const floor = 256 + o.specialTokens.length;
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < floor) {
    throw new TrainSettingError(
      "vocabSize",
      `vocabulary size ${o.vocabSize} is smaller than the 256-byte alphabet plus ${o.specialTokens.length} special tokens (${floor})`,
    );
  }
  if (o.maxTokenLength !== null && (!Number.isInteger(o.maxTokenLength) || o.maxTokenLength < 1)) {
    throw new TrainSettingError("maxTokenLength", `max token length must be a positive integer, got ${o.maxTokenLength}`);
  }
}

export function trainBpe(counts: WordCountsData, o: BpeTrainOptions): TrainedBpe {
  checkTrainOptions(o);
  // 1. Special tokens, then the alphabet.
  const vocab: string[] = [];
  const ids = new Map<string, number>();
  const addToken = (t: string): number => {
    const known = ids.get(t);
    if (known !== undefined) return known;
    ids.set(t, vocab.length);
    vocab.push(t);
    return vocab.length - 1;
  };
  for (const t of o.specialTokens) addToken(t);
  const specialTokens = [...vocab];
  const byteId = new Uint32Array(256);
  for (const b of alphabetOrder()) byteId[b] = addToken(byteLevelChar(b));
  const tokLen: number[] = vocab.map((t) => t.length);

  // 2. Words as symbol ids, in byte order; single-byte words have no pairs and are left out.
  const order = sortedWords(counts);
  let total = 0;
  let nWords = 0;
  for (let k = 0; k < order.length; k++) {
    const w = order[k]!;
    if (counts.lens[w]! >= 2) {
      total += counts.lens[w]!;
      nWords++;
    }
  }
  const sym = new Uint32Array(total);
  const wStart = new Uint32Array(nWords);
  const wLen = new Uint32Array(nWords);
  const wCount = new Float64Array(nWords);
  {
    let at = 0;
    let k = 0;
    for (let j = 0; j < order.length; j++) {
      const w = order[j]!;
      const len = counts.lens[w]!;
      if (len < 2) continue;
      const from = counts.starts[w]!;
      wStart[k] = at;
      wLen[k] = len;
      wCount[k] = counts.counts[w]!;
      for (let i = 0; i < len; i++) sym[at + i] = byteId[counts.bytes[from + i]!]!;
      at += len;
      k++;
    }
  }

  // 3. Pair counts and, per pair, the words that have it (CSR, each word once).
  const pairs = new PairTable();
  let lastWord = new Int32Array(1 << 16).fill(-1);
  let nPos = new Uint32Array(1 << 16);
  for (let w = 0; w < nWords; w++) {
    const s = wStart[w]!;
    const end = s + wLen[w]! - 1;
    const c = wCount[w]!;
    for (let i = s; i < end; i++) {
      const p = pairs.index(sym[i]!, sym[i + 1]!);
      if (p >= lastWord.length) {
        const lw = new Int32Array(pairs.left.length).fill(-1);
        lw.set(lastWord);
        lastWord = lw;
        const np = new Uint32Array(pairs.left.length);
        np.set(nPos);
        nPos = np;
      }
      pairs.count[p] += c;
      if (lastWord[p] !== w) {
        lastWord[p] = w;
        nPos[p]++;
      }
    }
  }
  const nPairs = pairs.size;
  const posStart = new Uint32Array(nPairs + 1);
  for (let p = 0; p < nPairs; p++) posStart[p + 1] = posStart[p]! + nPos[p]!;
  const pos = new Int32Array(posStart[nPairs]!);
  const fill = nPos.subarray(0, nPairs);
  fill.set(posStart.subarray(0, nPairs));
  lastWord.fill(-1);
  for (let w = 0; w < nWords; w++) {
    const s = wStart[w]!;
    const end = s + wLen[w]! - 1;
    for (let i = s; i < end; i++) {
      const p = pairs.index(sym[i]!, sym[i + 1]!);
      if (lastWord[p] !== w) {
        lastWord[p] = w;
        pos[fill[p]++] = w;
      }
    }
  }
  lastWord = new Int32Array(0);
  const heap = new MergeHeap(pairs);
  for (let p = 0; p < nPairs; p++) {
    if (pairs.count[p]! > 0) heap.add(p, pairs.count[p]!, posStart[p]!, posStart[p + 1]! - posStart[p]!);
  }
  // The word pool: every entry's words are a run of it. It starts as the lists above and grows
  // by the words of each step's new entries (at most one per merge made in a word, so the total
  // stays below the number of symbols).
  let pool = pos;
  let poolUsed = pos.length;

  // 4. Merges.
  const maxLen = o.maxTokenLength ?? Number.POSITIVE_INFINITY;
  const steps: number[] = []; // pair index of each merge step
  let step = 0;
  let touched = new Int32Array(1 << 12);
  let nTouched = 0;
  // (pair, word) of every gain in this step, in order; grouped by pair at the end of the step.
  let gainPair = new Int32Array(1 << 14);
  let gainWord = new Int32Array(1 << 14);
  let nGains = 0;
  /** count += delta for (a, b); a pair that gains records word w for its new heap entry. */
  const change = (a: number, b: number, delta: number, w: number) => {
    const p = pairs.index(a, b);
    pairs.count[p] += delta;
    if (delta <= 0) return;
    if (pairs.mark[p] !== step) {
      pairs.mark[p] = step;
      pairs.gained[p] = 0;
      pairs.lastWord[p] = -1;
      if (nTouched === touched.length) touched = grown(touched, nTouched * 2);
      touched[nTouched++] = p;
    }
    if (pairs.lastWord[p] === w) return;
    pairs.lastWord[p] = w;
    pairs.gained[p]++;
    if (nGains === gainPair.length) {
      gainPair = grown(gainPair, nGains * 2);
      gainWord = grown(gainWord, nGains * 2);
    }
    gainPair[nGains] = p;
    gainWord[nGains++] = w;
  };
  /** Gives each pair that gained (and still counts) a run of the pool and a heap entry. */
  const pushGains = () => {
    let need = poolUsed;
    for (let k = 0; k < nTouched; k++) {
      const q = touched[k]!;
      if (pairs.count[q]! > 0) need += pairs.gained[q]!;
    }
    if (need > pool.length) pool = grown(pool, Math.max(need, pool.length * 2));
    for (let k = 0; k < nTouched; k++) {
      const q = touched[k]!;
      if (pairs.count[q]! > 0) {
        heap.add(q, pairs.count[q]!, poolUsed, pairs.gained[q]!);
        pairs.lastWord[q] = poolUsed; // from here on: where the pair's next word goes
        poolUsed += pairs.gained[q]!;
      } else pairs.lastWord[q] = -1;
    }
    for (let k = 0; k < nGains; k++) {
      const q = gainPair[k]!;
      const at = pairs.lastWord[q]!;
      if (at >= 0) {
        pool[at] = gainWord[k]!;
        pairs.lastWord[q] = at + 1;
      }
    }
    nTouched = 0;
    nGains = 0;
  };
  const mergeWord = (w: number, c1: number, c2: number, r: number) => {
    const s = wStart[w]!;
    const n = wLen[w]!;
    const cnt = wCount[w]!;
    const newLen = tokLen[r]!;
    let i = 0;
    let o = 0;
    while (i < n) {
      const x = sym[s + i]!;
      if (x === c1 && i + 1 < n && sym[s + i + 1] === c2) {
        if (o > 0) {
          const prev = sym[s + o - 1]!;
          change(prev, c1, -cnt, w);
          if (tokLen[prev]! + newLen < maxLen) change(prev, r, cnt, w);
        }
        sym[s + o++] = r;
        i += 2;
        if (i < n) {
          const next = sym[s + i]!;
          change(c2, next, -cnt, w);
          if (tokLen[next]! + newLen < maxLen) change(r, next, cnt, w);
        }
      } else {
        sym[s + o++] = x;
        i++;
      }
    }
    wLen[w] = o;
  };

  while (vocab.length < o.vocabSize && heap.size > 0) {
    const e = heap.pop();
    const p = heap.pair[e]!;
    const current = pairs.count[p]!;
    if (heap.count[e] !== current) {
      heap.count[e] = current;
      heap.push(e);
      continue;
    }
    if (current < 1 || o.minFrequency > current) break;
    const a = pairs.left[p]!;
    const b = pairs.right[p]!;
    const token = vocab[a]! + vocab[b]!;
    const r = addToken(token);
    if (r === tokLen.length) tokLen.push(token.length);
    steps.push(p);
    step++;
    const at = heap.wordsAt[e]!;
    const end = at + heap.wordsLen[e]!;
    for (let k = at; k < end; k++) mergeWord(pool[k]!, a, b, r);
    pushGains();
    if (o.onProgress && steps.length % 1000 === 0) o.onProgress(steps.length, vocab.length);
  }

  // Each pair once, at the rank of its last merge.
  const lastStep = new Map<number, number>();
  steps.forEach((p, i) => lastStep.set(p, i));
  const merges: [string, string][] = [];
  steps.forEach((p, i) => {
    if (lastStep.get(p) === i) merges.push([vocab[pairs.left[p]!]!, vocab[pairs.right[p]!]!]);
  });
  return { vocab, merges, specialTokens, mergeSteps: steps.length };
}
