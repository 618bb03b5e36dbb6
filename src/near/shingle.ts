/**
 * Text -> shingle hashes.
 *
 * Simplified text: the text lowercased (String.prototype.toLowerCase, locale-independent), cut
 * into words = maximal runs of Unicode letters (\p{L}), combining marks (\p{M}, so Devanagari
 * vowel signs stay inside their word) and digits (\p{N}); the words joined by single spaces.
 * Everything else (punctuation, symbols, emoji, whitespace) only separates words.
 *
 *  - `word:N`: every run of N consecutive words, joined by single spaces. A document with 1..N-1
 *    words has one shingle: all of its words.
 *  - `char:N`: every run of N consecutive code points of the simplified text (spaces included).
 *    A shorter non-empty simplified text is one shingle.
 *  - No words at all: no shingles (the document gets the sentinel signature and is never matched).
 *
 * Each shingle is hashed as MurmurHash3_x86_32 (seed 0) over its UTF-8 bytes. The shingle's bytes
 * are a contiguous range of the UTF-8 simplified text, so nothing is copied per shingle.
 */
import { ConfigError } from "../errors.ts";
import { murmur3Bytes } from "../kernels/hash32.ts";

export interface ShingleSpec {
  kind: "word" | "char";
  n: number;
}

export function parseShingleSpec(spec: string): ShingleSpec {
  const m = /^(word|char):([1-9][0-9]{0,3})$/.exec(spec.trim());
  if (!m) {
    throw new ConfigError(`--shingle must be word:N or char:N with N from 1 to 9999 (e.g. word:5), got "${spec}"`);
  }
  return { kind: m[1] as "word" | "char", n: Number(m[2]) };
}

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const encoder = new TextEncoder();

/** The simplified text (see the header). */
export function simplifyText(text: string): string {
  const words = text.toLowerCase().match(WORD);
  return words === null ? "" : words.join(" ");
}

/** Reusable scratch space; one per thread. */
export class Shingler {
  private bytes = new Uint8Array(1 << 16);
  private starts = new Uint32Array(1 << 12);
  private out = new Uint32Array(1 << 12);

  constructor(readonly spec: ShingleSpec) {}

  /**
   * The shingle hashes of `text`, in shingle order (duplicates kept). The returned view is
   * overwritten by the next call.
   */
  hashes(text: string): Uint32Array {
    const simple = simplifyText(text);
    if (simple.length === 0) return this.out.subarray(0, 0);
    const need = simple.length * 3 + 1;
    if (this.bytes.length < need) this.bytes = new Uint8Array(need * 1.25);
    const len = encoder.encodeInto(simple, this.bytes).written;
    const bytes = this.bytes;
    // Starts of the units a shingle is made of (words or code points), plus a final end marker.
    let nUnits = 0;
    if (this.spec.kind === "word") {
      this.ensureStarts(len + 2);
      const starts = this.starts;
      starts[nUnits++] = 0;
      for (let i = 0; i < len; i++) if (bytes[i] === 0x20) starts[nUnits++] = i + 1;
      starts[nUnits] = len + 1; // the end of the last word is starts[n] - 1
    } else {
      this.ensureStarts(len + 2);
      const starts = this.starts;
      for (let i = 0; i < len; i++) if ((bytes[i] & 0xc0) !== 0x80) starts[nUnits++] = i;
      starts[nUnits] = len;
    }
    const n = this.spec.n;
    const count = nUnits >= n ? nUnits - n + 1 : 1;
    if (this.out.length < count) this.out = new Uint32Array(Math.ceil(count * 1.25));
    const starts = this.starts;
    const out = this.out;
    const gap = this.spec.kind === "word" ? 1 : 0; // words: drop the trailing space
    for (let s = 0; s < count; s++) {
      const last = Math.min(s + n, nUnits);
      out[s] = murmur3Bytes(bytes, starts[s], starts[last] - gap, 0);
    }
    return out.subarray(0, count);
  }

  private ensureStarts(n: number): void {
    if (this.starts.length < n) this.starts = new Uint32Array(Math.ceil(n * 1.25));
  }
}
