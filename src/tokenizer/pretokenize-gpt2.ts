/**
 * The GPT-2 / r50k_base / p50k_base pre-tokenizer:
 *
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 */
import { classOf, codePointAt, L, N, WS } from "./char-class.ts";
import { contraction, punctRun, runOf, whitespace } from "./pretokenize-parts.ts";

export function scanGpt2(s: string, p: number, len: number): number {
  const c0 = codePointAt(s, p, len);
  if (c0 === 39) {
    const e = contraction(s, p, len, false);
    if (e > p) return e;
  }
  let start = p;
  let k = classOf(c0);
  if (c0 === 32 && p + 1 < len) {
    const k1 = classOf(codePointAt(s, p + 1, len));
    if ((k1 & WS) === 0) {
      start = p + 1;
      k = k1;
    }
  }
  if ((k & L) !== 0) return runOf(s, start, len, L);
  if ((k & N) !== 0) return runOf(s, start, len, N);
  if ((k & WS) === 0) return punctRun(s, start, len);
  return whitespace(s, p, len, false);
}
