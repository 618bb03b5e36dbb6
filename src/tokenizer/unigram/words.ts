/**
 * The training corpus as SentencePiece's Unigram trainer sees it: each line a sentence
 * (empty lines and lines over max_sentence_length bytes skipped), normalized, cut at meta
 * pieces (special and user-defined symbols), then split into words before each U+2581 (after
 * it with treat_whitespace_as_suffix). Pieces never cross a word, so the trainer works on the
 * distinct words and their counts. Words are counted as UTF-8 bytes in an arena with an
 * open-addressing table, so no string is made per occurrence.
 */
import type { NormalizerSpec } from "../spm/model-proto.ts";
import { SpmNormalizer } from "../spm/normalizer.ts";

export interface WordCounts {
  /** Distinct words, in first-seen order. */
  words: string[];
  counts: number[];
  /** How many times the word ended its sentence (SentencePiece's suffix tree sees the sentence end there). */
  lastCounts: number[];
  sentences: number;
  skippedLong: number;
}

export class WordCounter {
  private readonly normalizer: SpmNormalizer;
  private readonly enc = new TextEncoder();
  private buf = new Uint8Array(1 << 16);
  private readonly metas: Uint8Array[];
  private readonly metaFirst = new Uint8Array(256);
  // distinct words: bytes arena[wStart[i]..wStart[i]+wLen[i])
  private arena = new Uint8Array(1 << 20);
  private arenaUsed = 0;
  private wStart = new Int32Array(1 << 14);
  private wLen = new Int32Array(1 << 14);
  private wHash = new Int32Array(1 << 14);
  private count = new Float64Array(1 << 14);
  private last = new Float64Array(1 << 14);
  private n = 0;
  private table = new Int32Array(1 << 15).fill(-1);
  private sentences = 0;
  private skippedLong = 0;

  constructor(
    spec: NormalizerSpec,
    private readonly maxSentenceBytes: number,
    metaPieces: string[],
    private readonly suffix: boolean,
  ) {
    this.normalizer = new SpmNormalizer(spec, [], suffix);
    this.metas = metaPieces
      .filter((m) => m !== "")
      .map((m) => this.enc.encode(m))
      .sort((a, b) => b.length - a.length);
    for (const m of this.metas) this.metaFirst[m[0]] = 1;
  }

  /** Adds a text: every line of it is a sentence. */
  add(text: string): void {
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (stop > start) this.addSentence(start === 0 && stop === text.length ? text : text.slice(start, stop));
      start = end + 1;
    }
  }

  private addSentence(line: string): void {
    if (this.buf.length < line.length * 3) this.buf = new Uint8Array(line.length * 3 + 16);
    const { written } = this.enc.encodeInto(line, this.buf);
    if (written > this.maxSentenceBytes) {
      this.skippedLong++;
      return;
    }
    if (line.includes("\u2585")) return; // SentencePiece skips sentences holding its unknown marker
    this.normalizer.normalize(this.buf, written);
    const out = this.normalizer.out;
    const len = this.normalizer.length;
    if (len === 0) return;
    this.sentences++;
    // cut at meta pieces
    let partStart = 0;
    for (let i = 0; i < len; i++) {
      if (this.metaFirst[out[i]] === 0) continue;
      const m = this.metaAt(out, i, len);
      if (m === 0) continue;
      this.addWords(out, partStart, i, false);
      partStart = i + m;
      i += m - 1;
    }
    this.addWords(out, partStart, len, true);
  }

  private metaAt(b: Uint8Array, i: number, end: number): number {
    outer: for (const m of this.metas) {
      if (i + m.length > end) continue;
      for (let k = 0; k < m.length; k++) if (b[i + k] !== m[k]) continue outer;
      return m.length;
    }
    return 0;
  }

  /** Splits b[a..e) before (or, in suffix mode, after) each U+2581 (E2 96 81). */
  private addWords(b: Uint8Array, a: number, e: number, lastPart: boolean): void {
    let start = a;
    for (let i = a; i < e; i++) {
      if (b[i] !== 0xe2 || b[i + 1] !== 0x96 || b[i + 2] !== 0x81 || i + 2 >= e) continue;
      if (this.suffix) {
        this.addWord(b, start, i + 3, false);
        start = i + 3;
      } else if (i > start) {
        this.addWord(b, start, i, false);
        start = i;
      }
      i += 2;
    }
    if (start < e) this.addWord(b, start, e, lastPart);
  }

  private addWord(b: Uint8Array, a: number, e: number, last: boolean): void {
    let h = 0x811c9dc5;
    for (let i = a; i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
    const mask = this.table.length - 1;
    const len = e - a;
    for (let s = (h >>> 0) & mask; ; s = (s + 1) & mask) {
      const w = this.table[s];
      if (w === -1) {
        const id = this.newWord(b, a, len, h);
        this.table[s] = id;
        this.count[id] = 1;
        this.last[id] = last ? 1 : 0;
        if (this.n * 2 > this.table.length) this.rehash();
        return;
      }
      if (this.wHash[w] === h && this.wLen[w] === len && this.same(w, b, a, len)) {
        this.count[w]++;
        if (last) this.last[w]++;
        return;
      }
    }
  }

  private same(w: number, b: Uint8Array, a: number, len: number): boolean {
    const arena = this.arena;
    const s = this.wStart[w];
    for (let k = 0; k < len; k++) if (arena[s + k] !== b[a + k]) return false;
    return true;
  }

  private newWord(b: Uint8Array, a: number, len: number, h: number): number {
    if (this.arenaUsed + len > this.arena.length) {
      const next = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + len));
      next.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = next;
    }
    if (this.n === this.wStart.length) {
      const grow = <T extends Int32Array | Float64Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.wStart = grow(this.wStart);
      this.wLen = grow(this.wLen);
      this.wHash = grow(this.wHash);
      this.count = grow(this.count);
      this.last = grow(this.last);
    }
    this.arena.set(b.subarray(a, a + len), this.arenaUsed);
    const id = this.n++;
    this.wStart[id] = this.arenaUsed;
    this.wLen[id] = len;
    this.wHash[id] = h;
    this.arenaUsed += len;
    return id;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let w = 0; w < this.n; w++) {
      let s = (this.wHash[w] >>> 0) & mask;
      while (table[s] !== -1) s = (s + 1) & mask;
      table[s] = w;
    }
    this.table = table;
  }

  result(): WordCounts {
    const dec = new TextDecoder();
    const words: string[] = [];
    for (let w = 0; w < this.n; w++) words.push(dec.decode(this.arena.subarray(this.wStart[w], this.wStart[w] + this.wLen[w])));
    return {
      words,
      counts: Array.from(this.count.subarray(0, this.n)),
      lastCounts: Array.from(this.last.subarray(0, this.n)),
      sentences: this.sentences,
      skippedLong: this.skippedLong,
    };
  }
}
