/** Reads normalized shards back as documents, in sorted file order and line order. */
import { readLines } from "./read-lines.ts";
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

/** The lines readDocBatches makes items of, as stored, without parsing them. */
export async function* readItemLines(files: string[]): AsyncGenerator<string[]> {
  for (const file of files) {
    for await (const lines of readLines(file)) {
      const out: string[] = [];
      for (const l of lines) if (!isBlank(l.text)) out.push(l.text);
      if (out.length > 0) yield out;
    }
  }
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
