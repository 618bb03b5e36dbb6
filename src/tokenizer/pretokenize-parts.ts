/**
 * Building blocks shared by the hand-written pre-tokenizers. Each returns the end index (in
 * UTF-16 code units) of what it matched at `p`, or -1 when it does not match there.
 * They reproduce the regex alternatives exactly, backtracking included; see pretokenize.ts.
 */
import { classOf, codePointAt, L, N, WS } from "./char-class.ts";

/** `'s|'t|'re|'ve|'m|'ll|'d` at e (ASCII case-insensitive when `fold`); returns e when absent. */
export function contraction(s: string, e: number, len: number, fold: boolean): number {
  if (e + 1 >= len || s.charCodeAt(e) !== 39) return e;
  const f = fold ? 0x20 : 0;
  const c1 = s.charCodeAt(e + 1) | f;
  const a1 = c1 >= 0x41 && c1 <= 0x7a ? c1 : 0;
  if (a1 === 0x73 || a1 === 0x74 || a1 === 0x6d || a1 === 0x64) return e + 2; // s t m d
  if (e + 2 >= len) return e;
  const c2 = s.charCodeAt(e + 2) | f;
  if ((a1 === 0x72 || a1 === 0x76) && c2 === 0x65) return e + 3; // re ve
  if (a1 === 0x6c && c2 === 0x6c) return e + 3; // ll
  return e;
}

/** Run of code points whose class has any bit of `mask`, from p. */
export function runOf(s: string, p: number, len: number, mask: number): number {
  let i = p;
  while (i < len) {
    const cp = codePointAt(s, i, len);
    if ((classOf(cp) & mask) === 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** Up to `max` code points of \p{N} from p (p must be one). */
export function digits(s: string, p: number, len: number, max: number): number {
  let i = p;
  for (let n = 0; n < max && i < len; n++) {
    const cp = codePointAt(s, i, len);
    if ((classOf(cp) & N) === 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** Run of `[^\s\p{L}\p{N}]` from p. */
export function punctRun(s: string, p: number, len: number): number {
  let i = p;
  while (i < len) {
    const cp = codePointAt(s, i, len);
    if ((classOf(cp) & (WS | L | N)) !== 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/**
 * Whitespace at p (p must be \s): `\s*[\r\n]+` when `newlines`, then `\s+(?!\S)`, then `\s+`.
 * Every White_Space code point is in the BMP, so one code unit each.
 */
export function whitespace(s: string, p: number, len: number, newlines: boolean): number {
  let i = p;
  let lastNl = -1;
  while (i < len) {
    const c = s.charCodeAt(i);
    if ((classOf(c) & WS) === 0) break;
    if (c === 10 || c === 13) lastNl = i;
    i++;
  }
  if (newlines && lastNl >= 0) return lastNl + 1;
  if (i >= len || i - p < 2) return i;
  return i - 1;
}
