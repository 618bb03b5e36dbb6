/** Which reader turns an input file into SourceItem batches, by its name. */
import { ConfigError } from "../errors.ts";
import { jsonlItems } from "../io/jsonl-source.ts";
import type { SourceItem } from "./normalize-core.ts";
import { readerItems } from "./raw-items.ts";

export function itemsFor(path: string): AsyncIterable<SourceItem[]> {
  if (path.endsWith(".parquet")) {
    // Loaded on first use: the Parquet reader is not needed for JSONL input.
    return readerItems(async function* () {
      const { readParquetRecords } = await import("../ingest/parquet.ts");
      yield* readParquetRecords(path);
    });
  }
  if (/\.jsonl?(\.gz|\.zst|\.zstd)?$/.test(path)) return jsonlItems(path);
  throw new ConfigError(`normalize: ${path}: unsupported input type; expected .jsonl, .jsonl.gz, .jsonl.zst or .parquet`);
}
