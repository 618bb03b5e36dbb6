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
 *  - `token:N` (for code): every run of N consecutive whitespace-separated tokens of the text
 *    itself, case and punctuation kept (not simplified), joined by single spaces; a document with
 *    1..N-1 tokens is one shingle (./token-scan.ts).
 *  - No words (tokens) at all: no shingles (the document gets the sentinel signature and is never
 *    matched).
 *
 * Each shingle is hashed as MurmurHash3_x86_32 (seed 0) over its UTF-8 bytes. The shingle's bytes
 * are a contiguous range of the UTF-8 simplified text, so nothing is copied per shingle.
 *
 * `simplifyText` is the definition (and the tests' reference); the Shingler computes the same
 * bytes in one pass without building the string (./simplify-scan.ts).
 */
import { ConfigError } from "../errors.ts";
import { murmur3Bytes } from "../kernels/hash32.ts";
import { nearWasm, type NearWasm } from "../kernels/near-wasm.ts";
import { scanCapacity, scanCapacityUtf8, scanSimplified, scanSimplifiedUtf8, type ScanBuffers } from "./simplify-scan.ts";
import { scanTokens, scanTokensUtf8 } from "./token-scan.ts";

export interface ShingleSpec {
  kind: "word" | "char" | "token";
  n: number;
}

export function parseShingleSpec(spec: string): ShingleSpec {
  const m = /^(word|char|token):([1-9][0-9]{0,3})$/.exec(spec.trim());
  if (!m) {
    throw new ConfigError(`--shingle must be word:N, char:N or token:N with N from 1 to 9999 (e.g. word:5), got "${spec}"`);
  }
  return { kind: m[1] as ShingleSpec["kind"], n: Number(m[2]) };
}

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The simplified text (see the header). */
export function simplifyText(text: string): string {
  const words = text.toLowerCase().match(WORD);
  return words === null ? "" : words.join(" ");
}

/**
 * Reusable scratch space; one per thread. The simplified text is scanned straight into UTF-8
 * bytes (./simplify-scan.ts) and hashed by the WebAssembly kernel (src/kernels/near-wasm.ts),
 * or by murmur3Bytes when WebAssembly is unavailable; both give the same hashes.
 */
export class Shingler {
  /** The shingler's WebAssembly instance (null: JavaScript only); signers may use its memory. */
  readonly wasm: NearWasm | null;
  private buf: ScanBuffers = { bytes: new Uint8Array(0), starts: new Uint32Array(0) };
  private own: ScanBuffers = { bytes: new Uint8Array(0), starts: new Uint32Array(0) };
  private out = new Uint32Array(1 << 12);
  /** Whether the last hashes() result lives in `wasm`'s memory (false for a document too big for it). */
  inWasm = false;

  constructor(readonly spec: ShingleSpec) {
    this.wasm = nearWasm();
  }

  /**
   * The shingle hashes of `text`, in shingle order (duplicates kept). The returned view is
   * overwritten by the next call (when `inWasm`, it lives in `wasm`'s memory, where
   * `wasm.signShingles(count, ...)` finds it).
   */
  hashes(text: string): Uint32Array {
    const cap = scanCapacity(text.length);
    this.scratch(cap.bytes, cap.units);
    if (this.spec.kind === "token") return this.hashUnits(scanTokens(text, this.buf));
    let nUnits = scanSimplified(text, this.spec.kind, this.buf);
    if (nUnits < 0) nUnits = this.slowScan(text);
    return this.hashUnits(nUnits);
  }

  /** hashes() of the text whose UTF-8 bytes (as TextEncoder writes them) are `utf8[start, end)`. */
  hashesUtf8(utf8: Uint8Array, start: number, end: number): Uint32Array {
    const cap = scanCapacityUtf8(end - start);
    this.scratch(cap.bytes, cap.units);
    if (this.spec.kind === "token") return this.hashUnits(scanTokensUtf8(utf8, start, end, this.buf));
    let nUnits = scanSimplifiedUtf8(utf8, start, end, this.spec.kind, this.buf);
    if (nUnits < 0) nUnits = this.slowScan(decoder.decode(utf8.subarray(start, end)));
    return this.hashUnits(nUnits);
  }

  /** Hashes the shingles of the scanned text (nUnits units in `buf`). */
  private hashUnits(nUnits: number): Uint32Array {
    const word = this.spec.kind !== "char"; // words and tokens: units end before a space
    if (nUnits === 0) {
      this.inWasm = false;
      return this.out.subarray(0, 0);
    }
    const n = this.spec.n;
    const gap = word ? 1 : 0; // words: drop the trailing space
    if (this.inWasm) return this.wasm!.shingleHashes(this.wasm!.hashShingles(nUnits, n, gap));
    const count = nUnits >= n ? nUnits - n + 1 : 1;
    if (this.out.length < count) this.out = new Uint32Array(Math.ceil(count * 1.25));
    const { bytes, starts } = this.buf;
    const out = this.out;
    for (let s = 0; s < count; s++) {
      const last = Math.min(s + n, nUnits);
      out[s] = murmur3Bytes(bytes, starts[s], starts[last] - gap, 0);
    }
    return out.subarray(0, count);
  }

  private scratch(bytes: number, units: number): void {
    if (this.wasm !== null) {
      try {
        this.buf = this.wasm.textScratch(bytes, units);
        this.inWasm = true;
        return;
      } catch (e) {
        if (!(e instanceof RangeError)) throw e; // WebAssembly memory stops at 4 GiB: hash in JavaScript
      }
    }
    this.inWasm = false;
    const own = this.own;
    if (own.bytes.length < bytes) own.bytes = new Uint8Array(Math.ceil(bytes * 1.25));
    if (own.starts.length < units + 1) own.starts = new Uint32Array(Math.ceil((units + 1) * 1.25));
    this.buf = own;
  }

  /** The definition's own path (regex, whole-text toLowerCase) for the rare document that needs it. */
  private slowScan(text: string): number {
    const simple = simplifyText(text);
    if (simple.length === 0) return 0;
    const cap = scanCapacity(simple.length);
    this.scratch(cap.bytes, cap.units);
    const { bytes, starts } = this.buf;
    const len = encoder.encodeInto(simple, bytes).written;
    let nUnits = 0;
    if (this.spec.kind === "word") {
      starts[nUnits++] = 0;
      for (let i = 0; i < len; i++) if (bytes[i] === 0x20) starts[nUnits++] = i + 1;
      starts[nUnits] = len + 1; // the end of the last word is starts[n] - 1
    } else {
      for (let i = 0; i < len; i++) if ((bytes[i] & 0xc0) !== 0x80) starts[nUnits++] = i;
      starts[nUnits] = len;
    }
    return nUnits;
  }
}
