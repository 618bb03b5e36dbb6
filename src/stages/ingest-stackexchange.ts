/**
 * `gamma ingest-stackexchange`: a Stack Exchange dump (Posts.xml, the folder
 * holding it, or SITE.7z read through the system 7z) into one normalized
 * shard per input: one document per question thread, answers by score, the
 * licence tag of each thread from its posts. Broken rows, orphan answers and
 * duplicate ids are rejected with file:line and counted.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import type { Counters } from "../ingest/raw-record.ts";
import { readStackExchange, siteFromPath } from "../ingest/stackexchange.ts";
import { info } from "../log.ts";
import type { NormalizeParams } from "./normalize-core.ts";
import type { IngestSummary } from "./ingest-wikipedia.ts";
import { runLocalShards } from "./local-shards.ts";
import { readerItems } from "./raw-items.ts";

export interface IngestStackExchangeOptions {
  inputs: string[];
  outDir: string;
  overwrite: boolean;
  minScore: number | null;
  /** Site name; only with a single input (default: from the file or folder name). */
  site: string | null;
  params: NormalizeParams;
  /** Where the reader's temporary bucket files go (default: the system temp folder). */
  tmpDir?: string;
}

/** The file whose digest identifies an input: Posts.xml inside a folder, else the input itself. */
function dataFile(input: string): string {
  let st;
  try {
    st = statSync(input);
  } catch {
    throw new ConfigError(
      `ingest-stackexchange: ${input}: no such file; pass Posts.xml, the site's .7z archive, or the folder holding Posts.xml`,
      { code: "missing_input" },
    );
  }
  return st.isDirectory() ? join(input, "Posts.xml") : input;
}

export async function runIngestStackExchange(o: IngestStackExchangeOptions): Promise<IngestSummary> {
  if (o.site !== null && o.inputs.length > 1)
    throw new ConfigError("ingest-stackexchange: --site names the site of a single --input; give one input per run, or leave --site out", {
      code: "site_with_many",
    });
  const reader: Counters = {};
  const tasks = o.inputs.map((input, part) => {
    const file = dataFile(input);
    const site = o.site ?? siteFromPath(input);
    return {
      part,
      file,
      items: () =>
        readerItems((onReject) =>
          readStackExchange(input, { site, minScore: o.minScore ?? undefined, onReject, counters: reader, tmpDir: o.tmpDir }),
        ),
      extraParams: { format: "stackexchange", site, min_score: o.minScore },
    };
  });
  info(`ingest-stackexchange: ${o.inputs.length} input(s) -> ${o.outDir}/${o.params.source}/${o.params.domain}/`);
  const s = await runLocalShards("ingest-stackexchange", tasks, o.params, o.outDir, o.overwrite);
  return { ...s, reader };
}
