/**
 * The simplified text of ./shingle.ts, produced in one pass straight into UTF-8 bytes: no
 * lower-cased copy of the text, no regex, no array of words, no joined string, no encoder. The
 * input is a string (scanSimplified) or its UTF-8 bytes (scanSimplifiedUtf8, for texts handed to
 * a worker as bytes); both give the same output.
 *
 * Equivalence with `simplifyText` (lower-case the whole text, keep the runs of \p{L}\p{M}\p{N},
 * join them by single spaces) rests on two facts about String.prototype.toLowerCase:
 *  - outside two characters it maps each code point on its own (no context), to one code point:
 *    the exceptions are U+03A3 GREEK CAPITAL SIGMA (final or medial sigma depends on the
 *    neighbours) and U+0130 LATIN CAPITAL I WITH DOT ABOVE (lower-cases to two code points);
 *  - so the class of a character in the lower-cased text is the class of its own lower case.
 * Each code point is looked up in a table filled on first sight from toLowerCase() and the
 * regex itself (ASCII is filled up front), so the table cannot disagree with the definition.
 * A code point whose single lower case is not one code point (U+0130, and any other the
 * table meets) or that is context-dependent (U+03A3) makes the scan return -1; the caller then
 * takes the definition's own path for that document.
 *
 * UTF-8 input comes from TextEncoder, which writes a lone surrogate as U+FFFD: both are
 * separators, neither cased nor case-ignorable, so the output is the same as the string's.
 */

const WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;

/** Table entry bits: lower case code point << 3 | flags. 0 = not looked up yet. */
const KNOWN = 1;
const IN_WORD = 2;
const BAIL = 4;

const bmp = new Uint32Array(0x10000);
const astral = new Map<number, number>();

function classify(cp: number): number {
  if (cp === 0x03a3) return KNOWN | BAIL;
  const lower = String.fromCodePoint(cp).toLowerCase();
  const lcp = lower.codePointAt(0)!;
  if (lower.length !== (lcp > 0xffff ? 2 : 1)) return KNOWN | BAIL;
  return (lcp * 8) | KNOWN | (WORD_CHAR.test(lower) ? IN_WORD : 0);
}

for (let c = 0; c < 0x80; c++) bmp[c] = classify(c);

/** ASCII: the lower-case byte of a word character, 0 for a separator (ASCII lower-cases to ASCII). */
const ASCII = new Uint8Array(0x80);
for (let c = 0; c < 0x80; c++) ASCII[c] = (bmp[c] & IN_WORD) !== 0 ? bmp[c] >>> 3 : 0;

function lookup(cp: number): number {
  if (cp < 0x10000) {
    let e = bmp[cp];
    if (e === 0) bmp[cp] = e = classify(cp);
    return e;
  }
  let e = astral.get(cp);
  if (e === undefined) astral.set(cp, (e = classify(cp)));
  return e;
}

/** Scratch a scan writes into, sized by the caller with scanCapacity() / scanCapacityUtf8(). */
export interface ScanBuffers {
  bytes: Uint8Array;
  /** Unit starts (see scanSimplified). */
  starts: Uint32Array;
}

export interface ScanCapacity {
  bytes: number;
  /** Units at most; `starts` needs one more entry. */
  units: number;
}

/** What a scan of a string of `length` UTF-16 units may need. */
export function scanCapacity(length: number): ScanCapacity {
  // Every UTF-16 unit becomes at most 3 bytes (a surrogate pair 4), spaces replace separators.
  return { bytes: 3 * length + 4, units: length };
}

/** What a scan of `length` UTF-8 bytes may need. */
export function scanCapacityUtf8(length: number): ScanCapacity {
  // A lower case is at most 1.5x as long in UTF-8 (2 -> 3 bytes), spaces replace separators.
  return { bytes: 2 * length + 4, units: length };
}

function checkCapacity(buf: ScanBuffers, cap: ScanCapacity): void {
  if (buf.bytes.length < cap.bytes || buf.starts.length < cap.units + 1) {
    throw new RangeError("scanSimplified: scratch too small (see scanCapacity)");
  }
}

/** The scan's running state, for the rare non-ASCII code point: [len, units, prev]. */
const state = new Int32Array(3);

/**
 * Emits non-ASCII code point `cp` at state [len, units, prev] (see scanSimplified); false when
 * the document needs the definition's path.
 */
function emitCodePoint(cp: number, chars: number, bytes: Uint8Array, starts: Uint32Array): boolean {
  const e = lookup(cp);
  if ((e & BAIL) !== 0) return false;
  const len = state[0];
  let units = state[1];
  if ((e & IN_WORD) === 0) {
    if (state[2] === 1) {
      starts[units] = len;
      state[1] = units + chars;
      bytes[len] = 0x20;
      state[0] = len + 1;
      state[2] = 0;
    }
    return true;
  }
  if (state[2] === 0 || chars === 1) starts[units++] = len;
  state[0] = writeUtf8(e >>> 3, bytes, len);
  state[1] = units;
  state[2] = 1;
  return true;
}

/** Writes code point `cp` as UTF-8 at bytes[len]; returns the new length. */
export function writeUtf8(cp: number, bytes: Uint8Array, len: number): number {
  if (cp < 0x80) {
    bytes[len++] = cp;
  } else if (cp < 0x800) {
    bytes[len++] = 0xc0 | (cp >>> 6);
    bytes[len++] = 0x80 | (cp & 0x3f);
  } else if (cp < 0x10000) {
    bytes[len++] = 0xe0 | (cp >>> 12);
    bytes[len++] = 0x80 | ((cp >>> 6) & 0x3f);
    bytes[len++] = 0x80 | (cp & 0x3f);
  } else {
    bytes[len++] = 0xf0 | (cp >>> 18);
    bytes[len++] = 0x80 | ((cp >>> 12) & 0x3f);
    bytes[len++] = 0x80 | ((cp >>> 6) & 0x3f);
    bytes[len++] = 0x80 | (cp & 0x3f);
  }
  return len;
}

/** Drops the space after the last word and writes the end marker; returns the unit count. */
function finishScan(len: number, units: number, prev: number, chars: number, starts: Uint32Array): number {
  if (prev === 0 && len > 0) {
    len--; // the space after the last word
    units -= chars;
  }
  starts[units] = chars === 1 ? len : len + 1;
  return units;
}

// The ASCII loops below are branch-free. prev = 1 inside a word. A word character is written as
// its lower case; the first separator after a word is written as the space that joins it to the
// next word (dropped at the end if no word follows); any other separator's byte lands on the next
// slot and is overwritten. Words and chars differ only in which emissions start a unit.

/**
 * Writes the UTF-8 simplified text of `text` into `buf.bytes` and the byte offsets where its
 * units start into `buf.starts`: `unit` "word" records the start of every word, "char" the start
 * of every code point (spaces included). Returns the number of units, or -1 when the document
 * needs the definition's path (see the header). The byte length is `buf.starts[units]` minus 1
 * for words (the end marker sits after a virtual trailing space) and `buf.starts[units]` for chars.
 * `buf` must hold scanCapacity(text.length).
 */
export function scanSimplified(text: string, unit: "word" | "char", buf: ScanBuffers): number {
  const n = text.length;
  checkCapacity(buf, scanCapacity(n));
  const bytes = buf.bytes;
  const starts = buf.starts;
  const chars = unit === "char" ? 1 : 0;
  const ascii = ASCII;
  let len = 0;
  let units = 0;
  let prev = 0;
  let i = 0;
  for (;;) {
    let c = 0;
    if (chars === 1) {
      for (; i < n && (c = text.charCodeAt(i)) < 0x80; i++) {
        const l = ascii[c];
        const w = (l + 0xff) >>> 8; // 1 for a word character (l > 0), else 0
        bytes[len] = l | ((w ^ 1) << 5);
        starts[units] = len;
        units += w | prev;
        len += w | prev;
        prev = w;
      }
    } else {
      for (; i < n && (c = text.charCodeAt(i)) < 0x80; i++) {
        const l = ascii[c];
        const w = (l + 0xff) >>> 8;
        bytes[len] = l | ((w ^ 1) << 5);
        starts[units] = len;
        units += w & (prev ^ 1);
        len += w | prev;
        prev = w;
      }
    }
    if (i >= n) break;
    i++;
    if (c >= 0xd800 && c <= 0xdbff && i < n) {
      const lo = text.charCodeAt(i);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    state[0] = len;
    state[1] = units;
    state[2] = prev;
    if (!emitCodePoint(c, chars, bytes, starts)) return -1;
    len = state[0];
    units = state[1];
    prev = state[2];
  }
  return finishScan(len, units, prev, chars, starts);
}

/**
 * scanSimplified() of the text whose UTF-8 bytes (as TextEncoder writes them) are
 * `src[start, end)`. `buf` must hold scanCapacityUtf8(end - start).
 */
export function scanSimplifiedUtf8(src: Uint8Array, start: number, end: number, unit: "word" | "char", buf: ScanBuffers): number {
  checkCapacity(buf, scanCapacityUtf8(end - start));
  const bytes = buf.bytes;
  const starts = buf.starts;
  const chars = unit === "char" ? 1 : 0;
  const ascii = ASCII;
  let len = 0;
  let units = 0;
  let prev = 0;
  let i = start;
  for (;;) {
    let c = 0;
    if (chars === 1) {
      for (; i < end && (c = src[i]) < 0x80; i++) {
        const l = ascii[c];
        const w = (l + 0xff) >>> 8;
        bytes[len] = l | ((w ^ 1) << 5);
        starts[units] = len;
        units += w | prev;
        len += w | prev;
        prev = w;
      }
    } else {
      for (; i < end && (c = src[i]) < 0x80; i++) {
        const l = ascii[c];
        const w = (l + 0xff) >>> 8;
        bytes[len] = l | ((w ^ 1) << 5);
        starts[units] = len;
        units += w & (prev ^ 1);
        len += w | prev;
        prev = w;
      }
    }
    if (i >= end) break;
    // a lead byte of well-formed UTF-8: 110xxxxx, 1110xxxx or 11110xxx
    let cp: number;
    if (c < 0xe0) {
      cp = ((c & 0x1f) << 6) | (src[i + 1] & 0x3f);
      i += 2;
    } else if (c < 0xf0) {
      cp = ((c & 0x0f) << 12) | ((src[i + 1] & 0x3f) << 6) | (src[i + 2] & 0x3f);
      i += 3;
    } else {
      cp = ((c & 0x07) << 18) | ((src[i + 1] & 0x3f) << 12) | ((src[i + 2] & 0x3f) << 6) | (src[i + 3] & 0x3f);
      i += 4;
    }
    state[0] = len;
    state[1] = units;
    state[2] = prev;
    if (!emitCodePoint(cp, chars, bytes, starts)) return -1;
    len = state[0];
    units = state[1];
    prev = state[2];
  }
  return finishScan(len, units, prev, chars, starts);
}
