/** A JSONL(.gz/.zst) file as a stream of SourceItem batches, one item per non-blank line. */
import { readLines } from "./read-lines.ts";
import type { SourceItem } from "../stages/normalize-core.ts";

export async function* jsonlItems(path: string): AsyncGenerator<SourceItem[]> {
  for await (const lines of readLines(path)) {
    const batch: SourceItem[] = [];
    for (const line of lines) {
      const t = line.text;
      if (t.length === 0 || t.trim().length === 0) continue;
      const location = `${path}:${line.lineNo}`;
      let value: unknown;
      try {
        value = JSON.parse(t);
      } catch (e) {
        batch.push({ reject: "invalid_json", detail: (e as Error).message, ordinal: line.lineNo, location });
        continue;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        batch.push({
          reject: "not_an_object",
          detail: `expected a JSON object, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`,
          ordinal: line.lineNo,
          location,
        });
        continue;
      }
      batch.push({ fields: value as Record<string, unknown>, ordinal: line.lineNo, location, invalidUtf8: line.invalidUtf8 });
    }
    if (batch.length > 0) yield batch;
  }
}
