/** Reads normalized shards back as documents, in sorted file order and line order. */
import { isUtf8 } from "node:buffer";
import { lineBlocks, readLines } from "./read-lines.ts";
import type { Doc } from "../pipeline.ts";

export interface ReadDoc {
  doc: Doc;
  /** The line as stored, so a pass-through writer copies it byte for byte. */
  line: string;
  location: string;
}

export type ReadItem = ReadDoc | { bad: string; line: string; location: string };

/** Blank lines are no item at all. */
const isBlank = (line: string) => line.trim().length === 0;

const lossy = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * The lines readDocBatches makes items of, without parsing them, as UTF-8 bytes: each is the
 * encoding of the line readLines gives (its "\r" before "\n" dropped, invalid UTF-8 replaced by
 * U+FFFD), so a pass-through writer copies valid lines byte for byte without decoding them.
 * They are views of a buffer the next batch reuses: copy them (the zstd writers do) before
 * asking for it.
 */
export async function* readItemLineBytes(file: string): AsyncGenerator<Uint8Array[]> {
  for await (const block of lineBlocks(file)) {
    const out = itemLineBytes(block);
    if (out.length > 0) yield out;
  }
}

/** The non-blank lines of `bytes` (whole lines, the last without its "\n"). */
function itemLineBytes(bytes: Uint8Array): Uint8Array[] {
  const valid = isUtf8(bytes);
  const out: Uint8Array[] = [];
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(10, start);
    let end = nl < 0 ? bytes.length : nl;
    if (end > start && bytes[end - 1] === 13) end--;
    let line = bytes.subarray(start, end);
    if (!valid && !isUtf8(line)) line = encoder.encode(lossy.decode(line));
    if (!isBlankBytes(line)) out.push(line);
    if (nl < 0) return out;
    start = nl + 1;
  }
}

/** isBlank of the decoded line: ASCII is decided on the bytes, anything else by String.trim. */
function isBlankBytes(line: Uint8Array): boolean {
  for (let i = 0; i < line.length; i++) {
    const b = line[i];
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) continue;
    return b < 0x80 ? false : isBlank(lossy.decode(line));
  }
  return true;
}

export async function* readDocBatches(files: string[]): AsyncGenerator<ReadItem[]> {
  for (const file of files) {
    for await (const lines of readLines(file)) {
      const out: ReadItem[] = [];
      for (const l of lines) {
        if (isBlank(l.text)) continue;
        const location = `${file}:${l.lineNo}`;
        let v: unknown;
        try {
          v = JSON.parse(l.text);
        } catch (e) {
          out.push({ bad: `invalid JSON: ${(e as Error).message}`, line: l.text, location });
          continue;
        }
        const d = v as Doc;
        if (d === null || typeof d !== "object" || typeof d.text !== "string" || typeof d.doc_id !== "string") {
          out.push({ bad: "not a normalized document (needs string text and doc_id; run gamma normalize first)", line: l.text, location });
          continue;
        }
        out.push({ doc: d, line: l.text, location });
      }
      if (out.length > 0) yield out;
    }
  }
}
