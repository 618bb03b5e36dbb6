/**
 * Unicode classes the pre-tokenizer patterns ask about, as bit flags per code point.
 *
 * The table is filled lazily: ASCII at load, any other code point the first time it is seen,
 * by asking the JS regex engine (so the Unicode version is the engine's). Lone surrogates
 * are classed like U+FFFD (no flag set), which is how both reference encoders see them.
 */
export const L = 1; // \p{L}
export const UP = 2; // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
export const LO = 4; // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
export const N = 8; // \p{N}
export const WS = 16; // \s, i.e. \p{White_Space} (not JS's \s, which adds U+FEFF and misses U+0085)
export const NL = 32; // \r or \n
const KNOWN = 128;

const table = new Uint8Array(0x110000);

/** Class flags of ASCII code units (index < 128), for loops that test ASCII first. */
export const ASCII = new Uint8Array(128);

const reL = /^\p{L}$/u;
const reUp = /^[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]$/u;
const reLo = /^[\p{Ll}\p{Lm}\p{Lo}\p{M}]$/u;
const reN = /^\p{N}$/u;
const reWs = /^\p{White_Space}$/u;

function compute(cp: number): number {
  if (cp >= 0xd800 && cp <= 0xdfff) return KNOWN;
  const s = String.fromCodePoint(cp);
  let k = KNOWN;
  if (reL.test(s)) k |= L;
  if (reUp.test(s)) k |= UP;
  if (reLo.test(s)) k |= LO;
  if (reN.test(s)) k |= N;
  if (reWs.test(s)) k |= WS;
  if (cp === 10 || cp === 13) k |= NL;
  return k;
}

for (let cp = 0; cp < 256; cp++) table[cp] = compute(cp);
for (let cp = 0; cp < 128; cp++) ASCII[cp] = table[cp];

/** Class flags of a code point (lone surrogates included, as their code unit). */
export function classOf(cp: number): number {
  let k = table[cp];
  if (k === 0) {
    k = compute(cp);
    table[cp] = k;
  }
  return k;
}

/** Code point at index i of s; a lone surrogate is returned as itself (width 1). */
export function codePointAt(s: string, i: number, len: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < len) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d < 0xe000) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}
