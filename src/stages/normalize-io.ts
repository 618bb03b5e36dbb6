/** Which reader turns an input file into SourceItem batches, by its name. */
import { ConfigError } from "../errors.ts";
import { jsonlItems } from "../io/jsonl-source.ts";
import { parquetItems } from "../io/parquet-source.ts";
import type { SourceItem } from "./normalize-core.ts";

export function itemsFor(path: string): AsyncIterable<SourceItem[]> {
  if (path.endsWith(".parquet")) return parquetItems(path);
  if (/\.jsonl?(\.gz|\.zst|\.zstd)?$/.test(path)) return jsonlItems(path);
  throw new ConfigError(`normalize: ${path}: unsupported input type; expected .jsonl, .jsonl.gz, .jsonl.zst or .parquet`);
}
