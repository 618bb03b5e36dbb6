/**
 * The token text of ./shingle.ts (`token:N`): the text's whitespace-separated tokens, case and
 * punctuation kept, joined by single spaces, written in one pass straight into UTF-8 bytes, in the
 * layout ./simplify-scan.ts gives words (so the same hashing serves both).
 *
 * Whitespace is what `\s` matches in a JavaScript regular expression: U+0009-000D, U+0020,
 * U+00A0, U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF. `tokenText` is
 * the definition and the tests' reference. A lone surrogate is written as U+FFFD, as
 * TextEncoder writes it, so a string and its UTF-8 bytes give the same tokens.
 */
import { writeUtf8, type ScanBuffers } from "./simplify-scan.ts";

/** The token text (see the header). */
export function tokenText(text: string): string {
  return text
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .join(" ");
}

function isSpace(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return (
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000 ||
    cp === 0xfeff
  );
}

/** Closes the scan: the end marker sits after a virtual trailing space (as for words). */
function finish(len: number, units: number, starts: Uint32Array): number {
  starts[units] = len + 1;
  return units;
}

/**
 * Writes the UTF-8 token text of `text` into `buf.bytes` and each token's start into
 * `buf.starts`; returns the number of tokens (`buf.starts[tokens]` - 1 is the byte length).
 * `buf` must hold scanCapacity(text.length) (./simplify-scan.ts).
 */
export function scanTokens(text: string, buf: ScanBuffers): number {
  const { bytes, starts } = buf;
  const n = text.length;
  let len = 0;
  let units = 0;
  let inToken = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const lo = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
    if (isSpace(c)) {
      inToken = 0;
      continue;
    }
    if (inToken === 0) {
      if (units > 0) bytes[len++] = 0x20;
      starts[units++] = len;
      inToken = 1;
    }
    len = writeUtf8(c, bytes, len);
  }
  return finish(len, units, starts);
}

/**
 * scanTokens() of the text whose UTF-8 bytes (as TextEncoder writes them) are `src[start, end)`.
 * `buf` must hold scanCapacityUtf8(end - start).
 */
export function scanTokensUtf8(src: Uint8Array, start: number, end: number, buf: ScanBuffers): number {
  const { bytes, starts } = buf;
  let len = 0;
  let units = 0;
  let inToken = 0;
  let i = start;
  while (i < end) {
    const c = src[i];
    let size = 1;
    let cp = c;
    if (c >= 0xf0) {
      size = 4;
      cp = ((c & 0x07) << 18) | ((src[i + 1] & 0x3f) << 12) | ((src[i + 2] & 0x3f) << 6) | (src[i + 3] & 0x3f);
    } else if (c >= 0xe0) {
      size = 3;
      cp = ((c & 0x0f) << 12) | ((src[i + 1] & 0x3f) << 6) | (src[i + 2] & 0x3f);
    } else if (c >= 0xc0) {
      size = 2;
      cp = ((c & 0x1f) << 6) | (src[i + 1] & 0x3f);
    }
    if (isSpace(cp)) {
      inToken = 0;
    } else {
      if (inToken === 0) {
        if (units > 0) bytes[len++] = 0x20;
        starts[units++] = len;
        inToken = 1;
      }
      for (let k = 0; k < size; k++) bytes[len++] = src[i + k];
    }
    i += size;
  }
  return finish(len, units, starts);
}
