/**
 * gamma's byte-level BPE encoder: pre-tokenize (pretokenize.ts), look each pre-token up in the
 * piece cache, and on a miss turn it into UTF-8 bytes and merge (bpe-merge.ts).
 *
 * Text is encoded as written: special-token strings are ordinary text here, and a lone
 * surrogate is encoded as U+FFFD (bytes EF BF BD), as TextEncoder does before tiktoken sees the
 * text and as @huggingface/tokenizers' byte-level step does.
 */
import type { BpeData } from "./bpe-data.ts";
import { BpeMerger } from "./bpe-merge.ts";
import { PieceCache } from "./piece-cache.ts";
import { scannerFor, type Scan } from "./pretokenize.ts";
import { lookupToken } from "./token-table.ts";

export class GammaBpe {
  private readonly scan: Scan;
  private readonly merger: BpeMerger;
  private readonly cache: PieceCache;
  private buf: Uint8Array = new Uint8Array(1024);
  private out: Uint32Array = new Uint32Array(1 << 16);
  private idToKey: Int32Array | null = null;
  private extra: Map<number, Uint8Array> | null = null;

  /** cacheEntries bounds the pre-token cache (tests shrink it to prove results do not depend on it). */
  constructor(
    readonly data: BpeData,
    cacheEntries = 1 << 16,
  ) {
    this.cache = new PieceCache(cacheEntries);
    const scan = scannerFor(data.pattern);
    if (scan === null) throw new Error(`the pre-tokenizer regex does not compile in JavaScript: ${data.pattern}`);
    this.scan = scan;
    this.merger = new BpeMerger(data);
  }

  encode(text: string): Uint32Array {
    const n = this.encodeToScratch(text);
    return this.out.slice(0, n);
  }

  /** Encodes into an internal buffer; returns how many ids it holds (see `scratch`). */
  encodeToScratch(text: string): number {
    const scan = this.scan;
    const cache = this.cache;
    const d = this.data;
    const len = text.length;
    let out: Uint32Array = this.out;
    let o = 0;
    let p = 0;
    while (p < len) {
      const e = scan(text, p, len);
      let h = 0x811c9dc5 | 0;
      for (let i = p; i < e; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
      if (cache.find(text, p, e, h)) {
        const n = cache.hitLen;
        if (o + n > out.length) out = this.grow(o + n);
        const vals = cache.values;
        const from = cache.hitStart;
        for (let j = 0; j < n; j++) out[o + j] = vals[from + j];
        o += n;
      } else {
        const nb = this.utf8(text, p, e);
        if (o + nb > out.length) out = this.grow(o + nb);
        const start = o;
        const whole = d.wholeFirst ? lookupToken(d.tokens, this.buf, 0, nb) : -1;
        if (whole >= 0) out[o++] = whole;
        else o = this.merger.merge(this.buf, nb, out, o);
        cache.insert(text, p, e, h, out, start, o - start);
      }
      p = e;
    }
    return o;
  }

  /** The buffer encodeToScratch wrote into (valid until the next call). */
  get scratch(): Uint32Array {
    return this.out;
  }

  private grow(need: number): Uint32Array {
    let cap = this.out.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint32Array(cap);
    next.set(this.out);
    this.out = next;
    return next;
  }

  /** UTF-8 of s[p, e) into this.buf; returns the byte count. Lone surrogates become EF BF BD. */
  private utf8(s: string, p: number, e: number): number {
    if (this.buf.length < 3 * (e - p)) this.buf = new Uint8Array(3 * (e - p) + 64);
    const b = this.buf;
    let n = 0;
    for (let i = p; i < e; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) b[n++] = c;
      else if (c < 0x800) {
        b[n++] = 0xc0 | (c >> 6);
        b[n++] = 0x80 | (c & 63);
      } else {
        if (c >= 0xd800 && c < 0xe000) {
          const d = i + 1 < e ? s.charCodeAt(i + 1) : 0;
          if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
            c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
            i++;
            b[n++] = 0xf0 | (c >> 18);
            b[n++] = 0x80 | ((c >> 12) & 63);
            b[n++] = 0x80 | ((c >> 6) & 63);
            b[n++] = 0x80 | (c & 63);
            continue;
          }
          c = 0xfffd;
        }
        b[n++] = 0xe0 | (c >> 12);
        b[n++] = 0x80 | ((c >> 6) & 63);
        b[n++] = 0x80 | (c & 63);
      }
    }
    return n;
  }

  /** Bytes of one id, or null when the id is unknown. */
  tokenBytes(id: number): Uint8Array | null {
    if (this.idToKey === null) {
      const t = this.data.tokens;
      let max = 0;
      for (let k = 0; k < t.ids.length; k++) if (t.ids[k] > max) max = t.ids[k];
      const idx = new Int32Array(max + 1).fill(-1);
      for (let k = 0; k < t.ids.length; k++) idx[t.ids[k]] = k;
      this.idToKey = idx;
      this.extra = new Map();
      for (let i = 0; i < this.data.extraIds.length; i++) this.extra.set(this.data.extraIds[i], this.data.extraBytes[i]);
    }
    const x = this.extra!.get(id);
    if (x !== undefined) return x;
    const k = id >= 0 && id < this.idToKey.length ? this.idToKey[id] : -1;
    if (k < 0) return null;
    const t = this.data.tokens;
    return t.bytes.subarray(t.offsets[k], t.offsets[k + 1]);
  }

  decode(ids: ArrayLike<number>): string {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const b = this.tokenBytes(ids[i]);
      if (b === null) throw new RangeError(`token id ${ids[i]} is not in this tokenizer`);
      parts.push(b);
      total += b.length;
    }
    const all = new Uint8Array(total);
    let o = 0;
    for (const b of parts) {
      all.set(b, o);
      o += b.length;
    }
    return new TextDecoder().decode(all);
  }
}
