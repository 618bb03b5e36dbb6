/**
 * Splitting documents into pre-tokens (the regex split, each document one sequence) and counting
 * them as UTF-8 bytes, the way a byte-level BPE trainer sees them: each pre-token's bytes are what
 * the ByteLevel mapping turns into one character per byte.
 */
import { scanCl100k } from "../pretokenize-cl100k.ts";
import { scanGpt2 } from "../pretokenize-gpt2.ts";
import { scanO200k } from "../pretokenize-o200k.ts";
import { CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN, type Scan } from "../pretokenize.ts";
import type { WordCountTable } from "./word-counts.ts";

export const PRETOKENIZERS = ["gpt2", "cl100k", "o200k"] as const;
export type PretokenizerName = (typeof PRETOKENIZERS)[number];

export const PRETOKENIZER_PATTERN: Record<PretokenizerName, string> = { gpt2: GPT2_PATTERN, cl100k: CL100K_PATTERN, o200k: O200K_PATTERN };
const SCANNERS: Record<PretokenizerName, Scan> = { gpt2: scanGpt2, cl100k: scanCl100k, o200k: scanO200k };

export class WordCounter {
  private buf = new Uint8Array(1 << 12);
  private readonly scan: Scan;

  constructor(
    pretokenizer: PretokenizerName,
    readonly table: WordCountTable,
  ) {
    this.scan = SCANNERS[pretokenizer];
  }

  /** Counts the pre-tokens of one document. */
  addText(s: string): void {
    const len = s.length;
    const scan = this.scan;
    let p = 0;
    while (p < len) {
      const e = scan(s, p, len);
      this.addPiece(s, p, e);
      p = e;
    }
  }

  /** UTF-8 encodes s[p, e) into the scratch buffer while hashing it (FNV-1a, as hashBytes). */
  private addPiece(s: string, p: number, e: number): void {
    if ((e - p) * 3 > this.buf.length) this.buf = new Uint8Array((e - p) * 3 * 2);
    const b = this.buf;
    let n = 0;
    let h = 0x811c9dc5;
    for (let i = p; i < e; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        b[n++] = c;
        h = Math.imul(h ^ c, 16777619);
        continue;
      }
      if (c < 0x800) {
        const x = 0xc0 | (c >> 6);
        const y = 0x80 | (c & 63);
        b[n++] = x;
        b[n++] = y;
        h = Math.imul(Math.imul(h ^ x, 16777619) ^ y, 16777619);
        continue;
      }
      if (c >= 0xd800 && c < 0xe000) {
        const d = i + 1 < e ? s.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
          c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          i++;
          const w = 0xf0 | (c >> 18);
          const x = 0x80 | ((c >> 12) & 63);
          const y = 0x80 | ((c >> 6) & 63);
          const z = 0x80 | (c & 63);
          b[n++] = w;
          b[n++] = x;
          b[n++] = y;
          b[n++] = z;
          h = Math.imul(h ^ w, 16777619);
          h = Math.imul(h ^ x, 16777619);
          h = Math.imul(h ^ y, 16777619);
          h = Math.imul(h ^ z, 16777619);
          continue;
        }
        c = 0xfffd; // a lone surrogate is written as U+FFFD, as TextEncoder does
      }
      const x = 0xe0 | (c >> 12);
      const y = 0x80 | ((c >> 6) & 63);
      const z = 0x80 | (c & 63);
      b[n++] = x;
      b[n++] = y;
      b[n++] = z;
      h = Math.imul(h ^ x, 16777619);
      h = Math.imul(h ^ y, 16777619);
      h = Math.imul(h ^ z, 16777619);
    }
    this.table.add(b, 0, n, h >>> 0, 1);
  }
}
