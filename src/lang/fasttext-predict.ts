/**
 * fastText's `predict-prob` for one line of text, in float32 arithmetic
 * step for step as fastText computes it, so labels and probabilities match
 * the command-line tool's:
 *
 * - the line is split into tokens at ASCII whitespace and NUL (bytes, not
 *   characters), and the end-of-sentence token `</s>` closes it;
 * - a known word adds its own row and those of its character n-grams (minn
 *   to maxn characters of `<word>`, hashed with 32-bit FNV-1a over bytes,
 *   each byte sign-extended, modulo `bucket`, through the pruned index of a
 *   quantized model); an unknown word adds only its n-grams; word n-grams
 *   (wordNgrams > 1) come after all tokens;
 * - the rows are summed in order and scaled by float32(1 / count);
 * - the output layer (fasttext-output.ts) turns that into the top k labels.
 *
 * Every float operation is rounded to float32 where fastText's is (a sum of
 * two float32 computed in double and rounded once equals the float32 sum).
 */
import { expandRow, type FastTextModel } from "./fasttext-model.ts";
import { FastTextOutput } from "./fasttext-output.ts";
import { CACHED_WORD_BYTES, SubwordCache } from "./subword-cache.ts";
import { HiddenKernel } from "./fasttext-wasm.ts";

export interface Prediction {
  /** The label without fastText's `__label__` prefix. */
  label: string;
  /** exp(score) in float32, as `fasttext predict-prob` prints it before rounding. */
  prob: number;
}

const LABEL_PREFIX = "__label__";
const EOS = new TextEncoder().encode("</s>");
const FNV_OFFSET = 2166136261 | 0;
const FNV_PRIME = 16777619;
const WORD_NGRAM_PRIME = 116049371n;
const U64 = (x: bigint) => BigInt.asUintN(64, x);

const f32 = Math.fround;

/** fastText's token separators: space, \n, \r, \t, \v, \f and NUL. */
const SPACE = new Uint8Array(256);
for (const b of [0x20, 0x0a, 0x0d, 0x09, 0x0b, 0x0c, 0]) SPACE[b] = 1;

/** FNV-1a step with the byte sign-extended, as fastText hashes a `char`. */
function fnv(h: number, b: number): number {
  return Math.imul(h ^ ((b << 24) >> 24), FNV_PRIME);
}

export class FastTextPredictor {
  readonly labels: string[];
  private readonly dim: number;
  private readonly nwords: number;
  private readonly minn: number;
  private readonly maxn: number;
  private readonly bucket: number;
  private readonly wordNgrams: number;
  /** Open-addressed: slot -> dictionary index + 1 (0 empty), keyed by the word's FNV hash. */
  private readonly table: Int32Array;
  private readonly mask: number;
  /** Rows of dictionary word i (itself, then its n-grams): subRows[subStart[i], subEnd[i]), listed on first use (-1 before). */
  private readonly subStart: Int32Array;
  private readonly subEnd: Int32Array;
  private subRows = new Int32Array(1 << 14);
  private subUsed = 0;
  /** Hash bucket -> row offset after the words, or -1; null when n-grams are not pruned. */
  private readonly pruned: Int32Array | null;
  /**
   * One bit per bucket, set where `pruned` maps it: most n-grams of real text
   * have no row in a pruned model, and this 32-times-smaller table answers
   * them from cache.
   */
  private readonly kept: Int32Array | null;
  private readonly invBucket: number;
  private readonly noNgrams: boolean;
  private readonly hidden: Float32Array;
  private readonly wordHashes: number[] = [];
  private text = new Uint8Array(1 << 16);
  private word = new Uint8Array(1 << 10);
  /** Rows listed by subwords(): ngrams[0, count). */
  private ngrams = new Int32Array(1 << 12);
  private count = 0;
  private rowsAdded = 0;
  private readonly output: FastTextOutput;
  private readonly encoder = new TextEncoder();
  private readonly cache = new SubwordCache();

  /** The WebAssembly twin of the token and row work, or null (JavaScript: word n-gram models, or asked for). */
  private readonly kernel: HiddenKernel | null;

  /** `wasm: false` keeps to the JavaScript path, the reference the kernel is tested against. */
  constructor(
    private readonly m: FastTextModel,
    opts: { wasm?: boolean } = {},
  ) {
    const a = m.args;
    this.dim = a.dim;
    this.nwords = m.nwords;
    this.minn = a.minn;
    this.maxn = a.maxn;
    this.bucket = a.bucket;
    this.wordNgrams = a.wordNgrams;
    const size = m.types.length;
    const decoder = new TextDecoder();
    this.labels = [];
    for (let i = 0; i < m.nlabels; i++) {
      const w = decoder.decode(m.bytes.subarray(m.offsets[m.nwords + i]!, m.offsets[m.nwords + i + 1]!));
      this.labels.push(w.startsWith(LABEL_PREFIX) ? w.slice(LABEL_PREFIX.length) : w);
    }
    let cap = 1;
    while (cap < size * 2) cap <<= 1;
    this.table = new Int32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < size; i++) {
      const w = m.bytes.subarray(m.offsets[i]!, m.offsets[i + 1]!);
      let h = FNV_OFFSET;
      for (let j = 0; j < w.length; j++) h = fnv(h, w[j]!);
      let s = h & this.mask;
      while (this.table[s] !== 0) s = (s + 1) & this.mask;
      this.table[s] = i + 1;
    }
    this.noNgrams = m.pruneSize === 0;
    this.invBucket = 1 / a.bucket;
    if (m.pruneSize > 0) {
      this.pruned = new Int32Array(a.bucket).fill(-1);
      this.kept = new Int32Array((a.bucket >>> 5) + 1);
      for (let i = 0; i < m.prune.length; i += 2) {
        const from = m.prune[i]!;
        if (from < 0 || from >= a.bucket) continue;
        this.pruned[from] = m.prune[i + 1]!;
        this.kept[from >>> 5]! |= 1 << (from & 31);
      }
    } else {
      this.pruned = null;
      this.kept = null;
    }
    this.subStart = new Int32Array(size).fill(-1);
    this.subEnd = new Int32Array(size);
    this.hidden = new Float32Array(a.dim);
    this.output = new FastTextOutput(m);
    this.kernel = opts.wasm !== false && a.wordNgrams <= 1 ? this.makeKernel() : null;
  }

  /** Every word's rows listed and every quantized row expanded, for the kernel's memory. */
  private makeKernel(): HiddenKernel | null {
    const m = this.m;
    const size = m.types.length;
    const start = new Int32Array(size + 1);
    const rows: number[] = [];
    for (let i = 0; i < size; i++) {
      start[i] = rows.length;
      if (m.types[i] !== 0) continue;
      if (this.maxn <= 0) {
        this.ready(i);
        rows.push(i);
        continue;
      }
      if (this.subStart[i]! < 0) this.listWordRows(i);
      for (let r = this.subStart[i]!; r < this.subEnd[i]!; r++) rows.push(this.subRows[r]!);
    }
    start[size] = rows.length;
    const eos = this.find(EOS, 0, EOS.length, fnvOf(EOS));
    return HiddenKernel.create({
      dim: this.dim,
      table: this.table,
      offsets: m.offsets,
      bytes: m.bytes,
      types: m.types,
      start,
      rows: Int32Array.from(rows),
      kept: this.kept,
      pruned: this.pruned,
      ngrams: this.noNgrams || this.bucket <= 0 ? 0 : this.pruned !== null ? 2 : 1,
      bucket: this.bucket,
      nwords: this.nwords,
      minn: this.minn,
      maxn: this.maxn,
      input: m.inputQuant === null ? m.input : null,
      quant: m.inputQuant,
      eosRow: eos >= 0 && m.types[eos] === 0 ? eos : -1,
    });
  }

  /** Whether the WebAssembly kernel sums the rows. */
  get usesKernel(): boolean {
    return this.kernel !== null;
  }

  /** The model's top k labels for one line (newlines count as spaces), best first. */
  predict(text: string, k = 1, threshold = 0): Prediction[] {
    if (k < 1) throw new Error("fastText predict: k must be 1 or more");
    if (this.kernel !== null) this.rowsAdded = this.kernel.sum(text, this.hidden);
    else this.sumRows(text);
    if (this.rowsAdded === 0) return [];
    const scale = f32(1 / this.rowsAdded);
    for (let j = 0; j < this.dim; j++) this.hidden[j] = this.hidden[j]! * scale;
    const heap = this.output.topK(this.hidden, k, threshold);
    return heap.map(([score, label]) => ({ label: this.labels[label]!, prob: f32(Math.exp(score)) }));
  }

  /** The JavaScript path: the line's rows summed into `hidden`, counted in rowsAdded. */
  private sumRows(text: string): void {
    const n = this.encode(text);
    this.hidden.fill(0);
    this.rowsAdded = 0;
    this.wordHashes.length = 0;
    const buf = this.text;
    let i = 0;
    let sawEos = false;
    while (i < n && !sawEos) {
      while (i < n && SPACE[buf[i]!] === 1) i++;
      if (i >= n) break;
      const s = i;
      while (i < n && SPACE[buf[i]!] === 0) i++;
      sawEos = this.token(buf, s, i);
    }
    if (!sawEos) this.token(EOS, 0, EOS.length);
    if (this.wordNgrams > 1) this.addWordNgrams();
  }

  private encode(text: string): number {
    if (this.text.length < text.length * 3) this.text = new Uint8Array(text.length * 3 + 16);
    return this.encoder.encodeInto(text, this.text).written;
  }

  /** Adds one token's rows; true when the token is `</s>`, which ends the line. */
  private token(buf: Uint8Array, s: number, e: number): boolean {
    let h = FNV_OFFSET;
    for (let j = s; j < e; j++) h = fnv(h, buf[j]!);
    const id = this.find(buf, s, e, h);
    const isEos = e - s === 4 && buf[s] === 0x3c && buf[s + 1] === 0x2f && buf[s + 2] === 0x73 && buf[s + 3] === 0x3e;
    const isLabel = id >= 0 ? this.m.types[id] !== 0 : startsWithLabel(buf, s, e);
    if (isLabel) return isEos;
    if (id >= 0) {
      if (this.maxn <= 0) {
        this.ready(id);
        this.addRow(id);
      } else {
        if (this.subStart[id]! < 0) this.listWordRows(id);
        for (let r = this.subStart[id]!; r < this.subEnd[id]!; r++) this.addRow(this.subRows[r]!);
      }
    } else if (!isEos) {
      this.unknownWord(buf, s, e, h);
    }
    if (this.wordNgrams > 1) this.wordHashes.push(h | 0);
    return isEos;
  }

  /** A dictionary word's rows as fastText lists them when it loads a model: the word, then its n-grams (none for </s>). */
  private listWordRows(id: number): void {
    const m = this.m;
    const w = m.bytes.subarray(m.offsets[id]!, m.offsets[id + 1]!);
    this.count = 0;
    if (!sameBytes(w, EOS)) this.subwords(wrap(w), w.length + 2);
    if (this.subRows.length < this.subUsed + this.count + 1) {
      const grown = new Int32Array(2 * (this.subUsed + this.count + 1));
      grown.set(this.subRows);
      this.subRows = grown;
    }
    this.subStart[id] = this.subUsed;
    this.ready(id);
    this.subRows[this.subUsed++] = id;
    for (let r = 0; r < this.count; r++) this.subRows[this.subUsed++] = this.ngrams[r]!;
    this.subEnd[id] = this.subUsed;
  }

  /** An unknown word's n-gram rows: from the cache, or hashed (and cached when short). */
  private unknownWord(buf: Uint8Array, s: number, e: number, h: number): void {
    const c = this.cache;
    const cached = e - s <= CACHED_WORD_BYTES;
    let entry = cached ? c.lookup(buf, s, e, h) : -1;
    if (entry < 0) {
      const len = e - s + 2;
      if (this.word.length < len) this.word = new Uint8Array(len * 2);
      const w = this.word;
      w[0] = 0x3c;
      // Byte loops, not set(subarray()): a view per word costs more than the copy.
      for (let j = s; j < e; j++) w[j - s + 1] = buf[j]!;
      w[len - 1] = 0x3e;
      this.subwords(w, len);
      if (!cached) {
        for (let r = 0; r < this.count; r++) this.addRow(this.ngrams[r]!);
        return;
      }
      entry = c.add(buf, s, e, h, this.ngrams, this.count);
    }
    for (let r = c.rowStart[entry]!; r < c.rowStart[entry + 1]!; r++) this.addRow(c.rows[r]!);
  }

  private find(buf: Uint8Array, s: number, e: number, h: number): number {
    const m = this.m;
    const len = e - s;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const v = this.table[slot]!;
      if (v === 0) return -1;
      const o = m.offsets[v - 1]!;
      if (m.offsets[v]! - o !== len) continue;
      let j = 0;
      while (j < len && m.bytes[o + j] === buf[s + j]) j++;
      if (j === len) return v - 1;
    }
  }

  /** Lists the n-gram rows of `<word>` (w[0, len)) in ngrams[0, count), in fastText's computeSubwords order. */
  private subwords(w: Uint8Array, len: number): void {
    this.count = 0;
    if (this.bucket <= 0) return;
    const most = len * Math.max(1, this.maxn);
    if (this.ngrams.length < most) this.ngrams = new Int32Array(2 * most);
    for (let i = 0; i < len; i++) {
      if ((w[i]! & 0xc0) === 0x80) continue;
      let h = FNV_OFFSET;
      for (let j = i, n = 1; j < len && n <= this.maxn; n++) {
        h = fnv(h, w[j++]!);
        while (j < len && (w[j]! & 0xc0) === 0x80) h = fnv(h, w[j++]!);
        if (n >= this.minn && !(n === 1 && (i === 0 || j === len))) this.pushHash(this.mod(h >>> 0));
      }
    }
  }

  /** x % bucket for a u32 x, by a float reciprocal and one correction (a double modulo is slow). */
  private mod(x: number): number {
    let r = x - Math.floor(x * this.invBucket) * this.bucket;
    if (r < 0) r += this.bucket;
    else if (r >= this.bucket) r -= this.bucket;
    return r;
  }

  private pushHash(id: number): void {
    if (this.noNgrams) return;
    if (this.pruned !== null) {
      if (((this.kept![id >>> 5]! >>> (id & 31)) & 1) === 0) return;
      id = this.pruned[id]!;
      if (id < 0) return;
    }
    this.ready(this.nwords + id);
    this.ngrams[this.count++] = this.nwords + id;
  }

  private addWordNgrams(): void {
    const hs = this.wordHashes;
    const bucket = BigInt(this.bucket);
    if (this.bucket <= 0) return;
    this.count = 0;
    if (this.ngrams.length < hs.length * this.wordNgrams) this.ngrams = new Int32Array(2 * hs.length * this.wordNgrams);
    for (let i = 0; i < hs.length; i++) {
      let h = U64(BigInt(hs[i]!));
      for (let j = i + 1; j < hs.length && j < i + this.wordNgrams; j++) {
        h = U64(h * WORD_NGRAM_PRIME + U64(BigInt(hs[j]!)));
        this.pushHash(Number(h % bucket));
      }
    }
    for (let r = 0; r < this.count; r++) this.addRow(this.ngrams[r]!);
  }

  /** Fills in a quantized row before its first use; rows are made ready when listed, so addRow need not ask. */
  private ready(r: number): void {
    if (this.m.inputReady !== null && this.m.inputReady[r] === 0) expandRow(this.m, r);
  }

  /** Adds input row r (in range: parseFastTextModel checks every row a word or n-gram can name). */
  private addRow(r: number): void {
    const W = this.m.input;
    const h = this.hidden;
    const o = r * this.dim;
    for (let j = 0; j < this.dim; j++) h[j] = h[j]! + W[o + j]!;
    this.rowsAdded++;
  }
}

function fnvOf(w: Uint8Array): number {
  let h = FNV_OFFSET;
  for (let j = 0; j < w.length; j++) h = fnv(h, w[j]!);
  return h;
}

function wrap(w: Uint8Array): Uint8Array {
  const out = new Uint8Array(w.length + 2);
  out[0] = 0x3c;
  out.set(w, 1);
  out[w.length + 1] = 0x3e;
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const LABEL_BYTES = new TextEncoder().encode(LABEL_PREFIX);

function startsWithLabel(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s < LABEL_BYTES.length) return false;
  for (let j = 0; j < LABEL_BYTES.length; j++) if (buf[s + j] !== LABEL_BYTES[j]) return false;
  return true;
}
