/**
 * The cl100k_base pre-tokenizer, also Llama-3's tokenizer.json Split regex:
 *
 *   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
 *   |\s*[\r\n]+|\s+(?!\S)|\s+
 */
import { classOf, codePointAt, L, N, NL, WS } from "./char-class.ts";
import { contraction, digits, punctRun, runOf, whitespace } from "./pretokenize-parts.ts";

export function scanCl100k(s: string, p: number, len: number): number {
  const c0 = codePointAt(s, p, len);
  if (c0 === 39) {
    const e = contraction(s, p, len, true);
    if (e > p) return e;
  }
  const k0 = classOf(c0);
  const w0 = c0 > 0xffff ? 2 : 1;
  if ((k0 & (L | N | NL)) === 0 && p + w0 < len && (classOf(codePointAt(s, p + w0, len)) & L) !== 0) {
    return runOf(s, p + w0, len, L);
  }
  if ((k0 & L) !== 0) return runOf(s, p, len, L);
  if ((k0 & N) !== 0) return digits(s, p, len, 3);
  let i = -1;
  if (c0 === 32 && p + 1 < len && (classOf(codePointAt(s, p + 1, len)) & (WS | L | N)) === 0) i = p + 1;
  else if ((k0 & (WS | L | N)) === 0) i = p;
  if (i >= 0) {
    i = punctRun(s, i, len);
    while (i < len) {
      const c = s.charCodeAt(i);
      if (c !== 10 && c !== 13) break;
      i++;
    }
    return i;
  }
  return whitespace(s, p, len, true);
}
