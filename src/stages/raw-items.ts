/**
 * An ingestion reader's output (raw records, and rejects handed to its
 * onReject) as the SourceItem batches normalizeStream counts: a record
 * becomes `{fields}`, a reject becomes `{reject, detail}` with its file:line,
 * in the order the reader met them.
 */
import type { RawRecord, RawReject, RejectHandler } from "../ingest/raw-record.ts";
import type { SourceItem } from "./normalize-core.ts";

/** The 1-based line or row number in a reader's location ("f:12" -> 12, "f#row 0" -> 1); `fallback` when there is none. */
export function ordinalOf(location: string, fallback: number): number {
  const row = location.match(/#row (\d+)$/);
  if (row) return Number(row[1]) + 1;
  const line = location.match(/:(\d+)$/);
  if (line) return Number(line[1]);
  return fallback;
}

export function rejectItem(r: RawReject, fallback: number): SourceItem {
  const detail = r.excerpt ? `${r.message}; input: ${JSON.stringify(r.excerpt)}` : r.message;
  return { reject: r.reason, detail, ordinal: ordinalOf(r.location, fallback), location: r.location };
}

export function recordItem(r: RawRecord, fallback: number): SourceItem {
  return { fields: r.fields, ordinal: ordinalOf(r.location, fallback), location: r.location };
}

/** Drives `open(onReject)` and yields its records and rejects in batches. */
export async function* readerItems(
  open: (onReject: RejectHandler) => AsyncIterable<RawRecord>,
  batchSize = 512,
): AsyncGenerator<SourceItem[]> {
  let batch: SourceItem[] = [];
  let n = 0;
  const records = open((r) => batch.push(rejectItem(r, ++n)));
  for await (const r of records) {
    batch.push(recordItem(r, ++n));
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
