/**
 * Everything the text scan (text-scan.ts) needs to know of a UTF-16 code unit,
 * as bits of one Uint16Array entry, so that the scan makes one table lookup
 * per code unit. Entries are filled on first use: a text touches few of the
 * 65536 code units, and classifying them all would cost startup time.
 */
import { anchorIndex } from "./boilerplate.ts";

/** Bits 0-4: the code unit's index in the boilerplate anchor alphabet (boilerplate.ts). */
export const ANCHOR_INDEX = 31;
export const ASCII = 1 << 5;
/** Whitespace for words and the letter ratio (the list in isSpace below). */
export const SPACE = 1 << 6;
/** A letter (\p{L}) on its own; letters beyond U+FFFF are tested as a pair. */
export const LETTER = 1 << 7;
/** Whitespace as String.prototype.trim sees it, which trims lines for the line rules. */
export const TRIM = 1 << 8;
/** "\n" or a high surrogate: the scan leaves its fast path for these. */
export const SLOW = 1 << 9;
const KNOWN = 1 << 10;

export const CLASS = new Uint16Array(0x10000);

const IS_LETTER = /\p{L}/u;

/** Whether a code point (one code unit, or a pair as a string) is a letter. */
export function isLetter(s: string): boolean {
  return IS_LETTER.test(s);
}

function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Classifies a code unit, records it in CLASS and returns its entry. */
export function classify(c: number): number {
  const s = String.fromCharCode(c);
  let k = KNOWN | anchorIndex(c);
  if (c < 128) k |= ASCII;
  if (isSpace(c)) k |= SPACE;
  else if (isLetter(s)) k |= LETTER;
  if (s.trim().length === 0) k |= TRIM;
  if (c === 10 || (c >= 0xd800 && c <= 0xdbff)) k |= SLOW;
  CLASS[c] = k;
  return k;
}
