/**
 * Streams one split of one config of a Hub dataset at a pinned commit.
 *
 * The revision (branch, tag or sha) is resolved to a commit sha once; the
 * sha is written to a small JSON state file in `stateDir` before any data is
 * read, and a rerun reuses it (never "latest"). Files are read in path order
 * through resumable HTTP range reads: Parquet row group by row group,
 * JSON lines (optionally .gz) line by line. A file whose records were all
 * handed out is recorded as done in the state (after `onFileDone`) and is
 * skipped on a rerun; a file left part-way restarts from its beginning.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, InputError } from "../errors.ts";
import {
  listDataFiles,
  PARQUET_EXPORT_REVISION,
  pickConfig,
  configsFromCardData,
  configsFromParquetExport,
  type HfFile,
} from "./hf-configs.ts";
import { HfHubClient } from "./hf-hub.ts";
import { readParquetRecords } from "./parquet.ts";
import { excerptOf, reject, type RawRecord, type RejectHandler } from "./raw-record.ts";
import { rangeChunks, remoteAsyncBuffer, type RemoteFileOptions } from "./remote-file.ts";
import { gunzipChunks, textLines } from "./text-lines.ts";

export type { HfFile } from "./hf-configs.ts";

export interface HfStreamOptions {
  datasetId: string;
  config?: string;
  /** Default "train". */
  split?: string;
  /** Branch, tag or commit sha; default "main" (or the one pinned in the state). */
  revision?: string;
  /** Stop after this many records in total, counting records of files finished by earlier runs. */
  limit?: number;
  /** Where the resume state lives (the command's out dir is a good choice). */
  stateDir: string;
  client?: HfHubClient;
  /** Parquet columns to read (all when absent). */
  columns?: string[];
  /** File patterns to read instead of the config's (for datasets laid out as one directory per subset). */
  dataFiles?: string[];
  /** Called when every record of a file has been handed out, before the file is recorded as done. */
  onFileDone?: (file: HfFile, rows: number) => void | Promise<void>;
  /** Bad JSON lines; without a handler they throw. */
  onReject?: RejectHandler;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export type HfRecord = RawRecord & { file: string };

export interface HfStream {
  datasetId: string;
  config: string | null;
  split: string;
  /** The revision the files come from: the one asked for, or refs/convert/parquet for the viewer's export. */
  revision: string;
  resolvedSha: string;
  files: HfFile[];
  statePath: string;
  records(): AsyncIterable<HfRecord>;
}

interface StreamState {
  version: 1;
  datasetId: string;
  config: string | null;
  split: string;
  revision: string;
  resolvedSha: string;
  done: Record<string, { rows: number }>;
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_");
}

export function statePathFor(stateDir: string, datasetId: string, config: string | null, split: string): string {
  return join(stateDir, `hf-state.${slug(datasetId)}.${slug(config ?? "_")}.${slug(split)}.json`);
}

function loadState(path: string): StreamState | null {
  if (!existsSync(path)) return null;
  try {
    const s = JSON.parse(readFileSync(path, "utf8")) as StreamState;
    if (s.version !== 1 || !/^[0-9a-f]{40}$/.test(s.resolvedSha)) throw new Error("unknown layout");
    return s;
  } catch (e) {
    throw new InputError(`resume state ${path} is unreadable (${e instanceof Error ? e.message : e}); delete it to start the source over`, {
      cause: e,
      code: "bad_state",
    });
  }
}

function saveState(path: string, s: StreamState): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(tmp, path);
}

async function* jsonLineRecords(
  file: HfFile,
  fileOpts: RemoteFileOptions,
  label: string,
  onReject?: RejectHandler,
): AsyncGenerator<RawRecord> {
  let bytes: AsyncIterable<Uint8Array> = rangeChunks(file.url, 0, file.size, fileOpts);
  if (file.path.endsWith(".gz")) bytes = gunzipChunks(bytes);
  for await (const { line, text } of textLines(bytes)) {
    if (text.trim() === "") continue;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      reject(onReject, {
        location: `${label}:${line}`,
        reason: "bad_json",
        message: `not JSON (${e instanceof Error ? e.message : e})`,
        excerpt: excerptOf(text),
      });
      continue;
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      reject(onReject, {
        location: `${label}:${line}`,
        reason: "not_object",
        message: "a JSON line must hold an object",
        excerpt: excerptOf(text),
      });
      continue;
    }
    yield { fields: v as Record<string, unknown>, location: `${label}:${line}` };
  }
}

/** Resolves, pins and lists; `records()` then streams. */
export async function streamHfDataset(opts: HfStreamOptions): Promise<HfStream> {
  const client = opts.client ?? new HfHubClient();
  const log = opts.log ?? ((l: string) => process.stderr.write(`gamma: ${l}\n`));
  const split = opts.split ?? "train";
  const config = opts.config ?? null;
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 0)) {
    throw new ConfigError(`--limit must be a whole number >= 0, got ${opts.limit}`, { code: "bad_limit" });
  }
  mkdirSync(opts.stateDir, { recursive: true });
  const statePath = statePathFor(opts.stateDir, opts.datasetId, config, split);
  const prior = loadState(statePath);
  if (prior && opts.revision !== undefined && opts.revision !== prior.revision && opts.revision !== prior.resolvedSha) {
    throw new ConfigError(
      `${statePath} pins ${opts.datasetId} at ${prior.revision} (${prior.resolvedSha}); a run at --revision ${opts.revision} needs a fresh --out-dir (or delete the state file)`,
      { code: "hf_state_revision" },
    );
  }

  let revision = prior?.revision ?? opts.revision ?? "main";
  let patterns = opts.dataFiles;
  let sha: string;
  const info = await client.datasetInfo(opts.datasetId, prior?.resolvedSha ?? revision);
  sha = info.sha;
  if (!patterns) {
    const cardConfigs = configsFromCardData(info.cardData);
    if (cardConfigs.length > 0) {
      const c = pickConfig(opts.datasetId, cardConfigs, opts.config);
      patterns = c.dataFiles[split];
      if (!patterns)
        throw new ConfigError(
          `config "${c.name}" of ${opts.datasetId} has no split "${split}" (splits: ${c.splits.join(", ")}); pass --split`,
          { code: "hf_split_not_found" },
        );
    } else {
      if (revision !== "main" && revision !== PARQUET_EXPORT_REVISION) {
        throw new ConfigError(
          `${opts.datasetId} declares no configs in its card at ${revision}, and the Parquet export exists only for the latest main; omit --revision`,
          { code: "hf_no_configs" },
        );
      }
      const c = pickConfig(opts.datasetId, configsFromParquetExport(await client.parquetExport(opts.datasetId)), opts.config);
      patterns = c.dataFiles[split];
      if (!patterns)
        throw new ConfigError(`config "${c.name}" of ${opts.datasetId} has no split "${split}" (splits: ${c.splits.join(", ")})`, {
          code: "hf_split_not_found",
        });
      if (revision !== PARQUET_EXPORT_REVISION) {
        log(`${opts.datasetId}: no configs in the dataset card; reading the dataset viewer's Parquet export (${PARQUET_EXPORT_REVISION})`);
        revision = PARQUET_EXPORT_REVISION;
        sha = prior?.resolvedSha ?? (await client.resolveRevision(opts.datasetId, revision));
      }
    }
  }
  const files = await listDataFiles(client, opts.datasetId, sha, patterns);
  const state: StreamState = prior ?? { version: 1, datasetId: opts.datasetId, config, split, revision, resolvedSha: sha, done: {} };
  saveState(statePath, state);
  const fileOpts = client.fileOptions({ datasetId: opts.datasetId, revision: sha });
  const skipped = files.filter((f) => state.done[f.path]).length;
  if (skipped) log(`${opts.datasetId}@${sha.slice(0, 12)}: ${skipped} of ${files.length} files already done; resuming`);

  async function* records(): AsyncGenerator<HfRecord> {
    let emitted = Object.values(state.done).reduce((s, d) => s + d.rows, 0);
    if (opts.limit !== undefined && emitted >= opts.limit) return;
    for (const f of files) {
      if (state.done[f.path]) continue;
      const label = `hf://datasets/${opts.datasetId}@${sha.slice(0, 12)}/${f.path}`;
      let total: number | null = null;
      const it = f.path.endsWith(".parquet")
        ? readParquetRecords(remoteAsyncBuffer(f.url, f.size, fileOpts), {
            label,
            columns: opts.columns,
            onInfo: (i) => (total = i.numRows),
          })
        : jsonLineRecords(f, fileOpts, label, opts.onReject);
      let rows = 0;
      let stopped = false;
      for await (const r of it) {
        rows++;
        emitted++;
        yield { ...r, file: f.path };
        if (opts.limit !== undefined && emitted >= opts.limit) {
          stopped = true;
          break;
        }
      }
      if (!stopped || rows === total) {
        await opts.onFileDone?.(f, rows);
        state.done[f.path] = { rows };
        saveState(statePath, state);
      }
      if (stopped) return;
    }
  }

  return { datasetId: opts.datasetId, config, split, revision, resolvedSha: sha, files, statePath, records };
}
