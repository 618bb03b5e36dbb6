/**
 * `gamma ingest-wikipedia`: WikiExtractor output (text or --json form, one
 * file or a directory tree) into normalized shards, one shard per
 * WikiExtractor file, numbered in the reader's sorted file order. The
 * article id is the doc_id; url, title (and revid) go under meta. Broken
 * input (an unclosed <doc>, a stray </doc>, a bad JSON line) is rejected with
 * its file:line and counted.
 */
import { ConfigError } from "../errors.ts";
import type { Counters } from "../ingest/raw-record.ts";
import { readWikiExtractor, wikiFiles } from "../ingest/wikipedia.ts";
import { info } from "../log.ts";
import type { NormalizeParams } from "./normalize-core.ts";
import { runLocalShards, type ShardRunSummary } from "./local-shards.ts";
import { readerItems } from "./raw-items.ts";

export interface IngestWikipediaOptions {
  inputs: string[];
  outDir: string;
  overwrite: boolean;
  params: NormalizeParams;
}

export interface IngestSummary extends ShardRunSummary {
  /** What the reader counted (files, docs), summed over the files read in this run. */
  reader: Counters;
}

export async function runIngestWikipedia(o: IngestWikipediaOptions): Promise<IngestSummary> {
  const files: string[] = [];
  for (const input of o.inputs) for (const f of wikiFiles(input)) if (!files.includes(f)) files.push(f);
  if (files.length === 0)
    throw new ConfigError(
      `ingest-wikipedia: no files under ${o.inputs.join(", ")}; pass WikiExtractor's output directory or one of its files`,
      { code: "empty_input" },
    );
  info(`ingest-wikipedia: ${files.length} WikiExtractor file(s) -> ${o.outDir}/${o.params.source}/${o.params.domain}/`);
  const reader: Counters = {};
  const tasks = files.map((file, part) => ({
    part,
    file,
    items: () => readerItems((onReject) => readWikiExtractor(file, { onReject, counters: reader })),
    extraParams: { format: "wikiextractor" },
  }));
  const s = await runLocalShards("ingest-wikipedia", tasks, o.params, o.outDir, o.overwrite);
  return { ...s, reader };
}
