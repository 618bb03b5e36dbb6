/**
 * SentencePiece's normalizer on UTF-8 bytes: user-defined symbols pass through untouched, else
 * the longest charsmap rule replaces its key (or one character is copied); runs of spaces are
 * squeezed and trimmed (remove_extra_whitespaces), a space is put first (add_dummy_prefix, or
 * last with treat_whitespace_as_suffix), and spaces become U+2581 (escape_whitespaces).
 * The output lives in `out[0..length)` and is overwritten by the next call.
 */
import { Charsmap } from "./charsmap.ts";
import type { NormalizerSpec } from "./model-proto.ts";

const SPACE = 0x20;
const REPLACEMENT = new Uint8Array([0xef, 0xbf, 0xbd]);

/** Byte length of the UTF-8 character led by byte b (1 for a stray continuation byte). */
export function utf8Length(b: number): number {
  return b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
}

/** Longest-match of user-defined symbols, by first byte. */
class SymbolMatcher {
  private readonly byFirst: (Uint8Array[] | undefined)[] = new Array(256);

  constructor(symbols: string[]) {
    const enc = new TextEncoder();
    for (const s of symbols) {
      const b = enc.encode(s);
      if (b.length === 0) continue;
      (this.byFirst[b[0]] ??= []).push(b);
    }
    for (const list of this.byFirst) list?.sort((a, b) => b.length - a.length);
  }

  /** Length of the longest symbol at src[pos..end), or 0. */
  startsSymbol(b: number): boolean {
    return this.byFirst[b] !== undefined;
  }

  match(src: Uint8Array, pos: number, end: number): number {
    const list = this.byFirst[src[pos]];
    if (list === undefined) return 0;
    outer: for (const s of list) {
      if (pos + s.length > end) continue;
      for (let k = 1; k < s.length; k++) if (src[pos + k] !== s[k]) continue outer;
      return s.length;
    }
    return 0;
  }
}

export class SpmNormalizer {
  out = new Uint8Array(1 << 16);
  length = 0;
  private readonly charsmap: Charsmap | null;
  private readonly matcher: SymbolMatcher | null;
  private readonly addDummyPrefix: boolean;
  private readonly removeExtra: boolean;
  private readonly escape: boolean;
  private readonly suffix: boolean;
  // The current prefix's replacement: bytes `rBuf[rStart..rEnd)`.
  private rBuf: Uint8Array = REPLACEMENT;
  private rStart = 0;
  private rEnd = 0;
  /** Per ASCII byte: 1 copied as it is, 2 copied as it is when the next byte is ASCII too, 0 looked up. */
  private readonly plainAscii = new Uint8Array(128);

  constructor(spec: NormalizerSpec, userDefined: string[], treatWhitespaceAsSuffix: boolean) {
    this.charsmap = spec.precompiledCharsmap.length > 0 ? new Charsmap(spec.precompiledCharsmap) : null;
    this.matcher = userDefined.length > 0 ? new SymbolMatcher(userDefined) : null;
    this.addDummyPrefix = spec.addDummyPrefix;
    this.removeExtra = spec.removeExtraWhitespaces;
    this.escape = spec.escapeWhitespaces;
    this.suffix = treatWhitespaceAsSuffix;
    for (let b = 0; b < 128; b++) {
      const rule = this.charsmap?.asciiClass(b) ?? 1;
      this.plainAscii[b] = this.matcher?.startsSymbol(b) ? 0 : rule;
    }
  }

  /** Sets the replacement of the prefix at src[pos..end) and returns how many bytes it consumes. */
  private prefix(src: Uint8Array, pos: number, end: number): number {
    if (this.matcher !== null) {
      const m = this.matcher.match(src, pos, end);
      if (m > 0) {
        this.rBuf = src;
        this.rStart = pos;
        this.rEnd = pos + m;
        return m;
      }
    }
    const cm = this.charsmap;
    if (cm !== null) {
      cm.longest(src, pos, end);
      if (cm.matchLength > 0) {
        this.rBuf = cm.pool;
        this.rStart = cm.value;
        this.rEnd = cm.value + cm.replacementLength(cm.value);
        return cm.matchLength;
      }
    }
    const len = validCharLength(src, pos, end);
    if (len === 0) {
      this.rBuf = REPLACEMENT;
      this.rStart = 0;
      this.rEnd = 3;
      return 1;
    }
    this.rBuf = src;
    this.rStart = pos;
    this.rEnd = pos + len;
    return len;
  }

  private room(extra: number): void {
    if (this.length + extra <= this.out.length) return;
    let cap = this.out.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.out.subarray(0, this.length));
    this.out = next;
  }

  private addSpace(): void {
    this.room(3);
    if (this.escape) {
      this.out[this.length++] = 0xe2;
      this.out[this.length++] = 0x96;
      this.out[this.length++] = 0x81;
    } else this.out[this.length++] = SPACE;
  }

  /** Normalizes src[0..end); the result is out[0..length). */
  normalize(src: Uint8Array, end: number): void {
    this.length = 0;
    let pos = 0;
    if (this.removeExtra) {
      while (pos < end) {
        const used = this.prefix(src, pos, end);
        if (this.rEnd - this.rStart !== 1 || this.rBuf[this.rStart] !== SPACE) break;
        pos += used;
      }
    }
    if (pos >= end) return;
    this.room((end - pos) * 3 + 8);
    if (!this.suffix && this.addDummyPrefix) this.addSpace();
    let prevSpace = this.removeExtra;
    const plain = this.plainAscii;
    const escapeWs = this.escape;
    while (pos < end) {
      const c = src[pos];
      if (c < 0x80 && (plain[c] === 1 || (plain[c] === 2 && (pos + 1 === end || src[pos + 1] < 0x80)))) {
        // The common case, inline: an ASCII byte no rule touches. out always has room for
        // 3 bytes per input byte left (see the room() calls).
        if (c === SPACE) {
          if (!prevSpace) {
            if (escapeWs) {
              this.out[this.length++] = 0xe2;
              this.out[this.length++] = 0x96;
              this.out[this.length++] = 0x81;
            } else this.out[this.length++] = SPACE;
            prevSpace = this.removeExtra;
          }
        } else {
          this.out[this.length++] = c;
          prevSpace = false;
        }
        pos++;
        continue;
      }
      const used = this.prefix(src, pos, end);
      const buf = this.rBuf;
      let s = this.rStart;
      const e = this.rEnd;
      if (prevSpace) while (s < e && buf[s] === SPACE) s++;
      if (s < e) {
        this.room((e - s + end - pos) * 3);
        const out = this.out;
        let o = this.length;
        for (let k = s; k < e; k++) {
          const b = buf[k];
          if (b === SPACE && this.escape) {
            out[o++] = 0xe2;
            out[o++] = 0x96;
            out[o++] = 0x81;
          } else out[o++] = b;
        }
        this.length = o;
        prevSpace = buf[e - 1] === SPACE;
      }
      pos += used;
      if (!this.removeExtra) prevSpace = false;
    }
    if (this.removeExtra) {
      const out = this.out;
      if (this.escape) {
        while (this.length >= 3 && out[this.length - 3] === 0xe2 && out[this.length - 2] === 0x96 && out[this.length - 1] === 0x81)
          this.length -= 3;
      } else {
        while (this.length >= 1 && out[this.length - 1] === SPACE) this.length--;
      }
    }
    if (this.suffix && this.addDummyPrefix) this.addSpace();
  }
}

/** Length of the valid UTF-8 character at src[pos..end) as SentencePiece judges it, or 0 if malformed. */
function validCharLength(src: Uint8Array, pos: number, end: number): number {
  const b = src[pos];
  if (b < 0x80) return 1;
  const avail = end - pos;
  if (b >= 0xc2 && b < 0xe0) return avail >= 2 && (src[pos + 1] & 0xc0) === 0x80 ? 2 : 0;
  if (b >= 0xe0 && b < 0xf0) {
    if (avail < 3 || (src[pos + 1] & 0xc0) !== 0x80 || (src[pos + 2] & 0xc0) !== 0x80) return 0;
    const cp = ((b & 0x0f) << 12) | ((src[pos + 1] & 0x3f) << 6) | (src[pos + 2] & 0x3f);
    return cp >= 0x800 && (cp < 0xd800 || cp >= 0xe000) ? 3 : 0;
  }
  if (b >= 0xf0 && b < 0xf5) {
    if (avail < 4 || (src[pos + 1] & 0xc0) !== 0x80 || (src[pos + 2] & 0xc0) !== 0x80 || (src[pos + 3] & 0xc0) !== 0x80) return 0;
    const cp = ((b & 0x07) << 18) | ((src[pos + 1] & 0x3f) << 12) | ((src[pos + 2] & 0x3f) << 6) | (src[pos + 3] & 0x3f);
    return cp >= 0x10000 && cp <= 0x10ffff ? 4 : 0;
  }
  return 0;
}
