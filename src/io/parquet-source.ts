/** A Parquet file as a stream of SourceItem batches (one item per row). */
import type { SourceItem } from "../stages/normalize-core.ts";

export async function* parquetItems(path: string): AsyncGenerator<SourceItem[]> {
  const { readParquetRecords } = await import("../ingest/parquet.ts");
  let batch: SourceItem[] = [];
  let ordinal = 0;
  for await (const rec of readParquetRecords(path)) {
    ordinal++;
    batch.push({ fields: rec.fields, ordinal, location: rec.location });
    if (batch.length >= 1024) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
