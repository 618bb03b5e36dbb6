/**
 * The o200k_base / o200k_harmony pre-tokenizer (also gpt-oss's tokenizer.json Split regex):
 *
 *   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *   |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *   |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *
 * written out as code. Returns the end of the pre-token starting at p.
 */
import { ASCII, classOf, codePointAt, L, LO, N, NL, UP, WS } from "./char-class.ts";
import { contraction, digits, punctRun, whitespace } from "./pretokenize-parts.ts";

/** Alternative 1 from `start`: UP* then LO+ (backtracking into the UP run), then a contraction. */
function lowerWord(s: string, start: number, len: number): number {
  let i = start;
  let j = -1; // last LO position within the UP run or just after it
  while (i < len) {
    const c = s.charCodeAt(i);
    let k: number;
    let w = 1;
    if (c < 128) k = ASCII[c];
    else {
      const cp = codePointAt(s, i, len);
      k = classOf(cp);
      if (cp > 0xffff) w = 2;
    }
    if ((k & LO) !== 0) j = i;
    if ((k & UP) === 0) break;
    i += w;
  }
  if (j < 0) return -1;
  i = j;
  while (i < len) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      if ((ASCII[c] & LO) === 0) break;
      i++;
      continue;
    }
    const cp = codePointAt(s, i, len);
    if ((classOf(cp) & LO) === 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return contraction(s, i, len, true);
}

/** Alternative 2 from `start`: UP+ then LO*, then a contraction. */
function upperWord(s: string, start: number, len: number): number {
  if (start >= len) return -1;
  let i = start;
  while (i < len) {
    const cp = codePointAt(s, i, len);
    if ((classOf(cp) & UP) === 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  if (i === start) return -1;
  while (i < len) {
    const cp = codePointAt(s, i, len);
    if ((classOf(cp) & LO) === 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return contraction(s, i, len, true);
}

export function scanO200k(s: string, p: number, len: number): number {
  const c0 = codePointAt(s, p, len);
  const k0 = classOf(c0);
  const w0 = c0 > 0xffff ? 2 : 1;
  const prefix = (k0 & (L | N | NL)) === 0;
  let e: number;
  if (prefix && (e = lowerWord(s, p + w0, len)) >= 0) return e;
  if ((k0 & (UP | LO)) !== 0 && (e = lowerWord(s, p, len)) >= 0) return e;
  if (prefix && (e = upperWord(s, p + w0, len)) >= 0) return e;
  if ((k0 & UP) !== 0) return upperWord(s, p, len);
  if ((k0 & N) !== 0) return digits(s, p, len, 3);
  // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
  let i = -1;
  if (c0 === 32 && p + 1 < len && (classOf(codePointAt(s, p + 1, len)) & (WS | L | N)) === 0) i = p + 1;
  else if ((k0 & (WS | L | N)) === 0) i = p;
  if (i >= 0) {
    i = punctRun(s, i, len);
    while (i < len) {
      const c = s.charCodeAt(i);
      if (c !== 10 && c !== 13 && c !== 47) break;
      i++;
    }
    return i;
  }
  return whitespace(s, p, len, true);
}
