/**
 * `gamma normalize`: each input file becomes one shard, numbered in sorted
 * input order. A shard whose manifest is valid for the same input and
 * parameters is skipped on rerun; a different one needs --overwrite.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { ConfigError, InputError } from "../errors.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File, type FileDigest } from "../io/hash.ts";
import { readJsonFile, type ShardManifest } from "../io/shard-manifest.ts";
import { info, Progress } from "../log.ts";
import { countsAddUp, emptyCounts, mergeCounts, type StageCounts } from "../pipeline.ts";
import { normalizeStream, paramsRecord, shardPaths, type NormalizeParams, type ShardResult, type ShardTarget } from "./normalize-core.ts";
import { itemsFor } from "./normalize-io.ts";
import { FileWorkers } from "./file-pool.ts";
import { chunkDigest, DEFAULT_MAX_FILE_BYTES, fileItems, planFileChunks, type FileChunk } from "../code/file-tree.ts";
import { sha256Hex } from "../io/hash.ts";
import { allMarkers, readMarker, shareRange, SINGLE_TASK, writeMarker, type Task } from "../runtime/tasks.ts";
import { removeStaleTemps } from "../runtime/outputs.ts";

export interface NormalizeOptions extends NormalizeParams {
  inputs: string[];
  outDir: string;
  overwrite: boolean;
  /** Input files are normalized in parallel, one per worker, when > 1. */
  cpuThreads?: number;
  /** "files": every file the inputs match is a document (src/code/file-tree.ts); default: record files by extension. */
  format?: "records" | "files";
  exclude?: string[];
  maxFileBytes?: number;
  /** This process's share of the input files (one shard each); default: all of them. */
  task?: Task;
  /** Sum what every task of `task.count` recorded instead of normalizing. */
  merge?: boolean;
}

export interface NormalizeSummary {
  shards: string[];
  skipped: number;
  counts: StageCounts;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkName(flag: string, v: string): void {
  if (!NAME.test(v)) throw new ConfigError(`${flag} must be a simple name (letters, digits, . _ -), got ${JSON.stringify(v)}`);
}

/** Whether an existing shard was produced from the same input with the same parameters. */
export function existingShardValid(manifestPath: string, inputs: FileDigest[], params: Record<string, unknown>): boolean | null {
  const m = readJsonFile<ShardManifest>(manifestPath);
  if (m === null) return null;
  const sameInputs = JSON.stringify(m.inputs.map((i) => [i.sha256, i.bytes])) === JSON.stringify(inputs.map((i) => [i.sha256, i.bytes]));
  const sameParams = JSON.stringify(m.params) === JSON.stringify(params);
  return sameInputs && sameParams;
}

/**
 * The resume rule for one shard: its manifest when a shard made from the same
 * input and parameters exists (the caller skips it), null when it must be
 * made; a shard made from anything else is an error unless `overwrite`.
 */
export function shardToSkip(
  label: string,
  paths: { shard: string; manifest: string },
  input: FileDigest,
  params: Record<string, unknown>,
  overwrite: boolean,
): ShardManifest | null {
  const valid = existingShardValid(paths.manifest, [input], params);
  if (valid === true && !overwrite && existsSync(paths.shard)) {
    info(`${label}: ${basename(paths.shard)} already done for ${input.path}; skipped (use --overwrite to redo)`);
    return readJsonFile<ShardManifest>(paths.manifest)!;
  }
  if (valid === false && !overwrite) {
    throw new ConfigError(
      `${label}: ${paths.manifest} exists and was made from other input or parameters; use --overwrite to replace it, or another --out-dir`,
      { code: "output_exists" },
    );
  }
  return null;
}

export async function runNormalize(o: NormalizeOptions): Promise<NormalizeSummary> {
  checkName("--source", o.source);
  checkName("--domain", o.domain);
  const files: Input[] =
    o.format === "files"
      ? planFileChunks(o.inputs, o.exclude ?? [], o.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES).map((chunk) => ({ file: chunk.root, chunk }))
      : expandInputs(o.inputs, { what: "input files" }).map((file) => ({ file }));
  for (const f of files) if (!f.chunk) itemsFor(f.file);
  const task = o.task ?? SINGLE_TASK;
  // Tasks share the input files (a shard each) in sorted order; their markers say what each made.
  const stage = `normalize-${o.source}-${o.domain}`;
  const key = sha256Hex(
    JSON.stringify({ files: files.map((f) => (f.chunk ? { root: f.chunk.root, files: f.chunk.files } : f.file)), params: paramsRecord(o) }),
  );
  if (o.merge) return mergeTasks(o, stage, task.count, key);
  // Markers are written only when the caller runs tasks (a plain run writes none).
  if (o.task !== undefined) {
    const done = readMarker(o.outDir, stage, task, key);
    if (done !== null) {
      info(`normalize: task ${task.index} of ${task.count} already done; skipped`);
      return done.result as NormalizeSummary;
    }
  }
  removeStaleTemps(o.outDir);
  const [first, end] = shareRange(files.length, task);
  const total = files
    .slice(first, end)
    .reduce(
      (s, f) => s + (f.chunk ? f.chunk.files.reduce((t, r) => t + statSync(join(f.chunk!.root, r)).size, 0) : statSync(f.file).size),
      0,
    );
  const progress = new Progress("normalize", null);
  const share = task.count > 1 ? ` (task ${task.index} of ${task.count}: files ${first + 1} to ${end} of ${files.length})` : "";
  info(`normalize: ${end - first} input file(s)${share}, ${(total / 1e6).toFixed(1)} MB -> ${o.outDir}/${o.source}/${o.domain}/`);
  const summary: NormalizeSummary = { shards: [], skipped: 0, counts: emptyCounts() };
  const threads = Math.min(o.cpuThreads ?? 1, end - first);
  // Started before the inputs are hashed, so the threads load meanwhile.
  const workers = threads > 1 ? new FileWorkers(threads) : null;
  try {
    const planned = { bytes: 0 };
    // The text size of the input is known only as files finish: scale their text/compressed
    // ratio to the input planned for the ETA.
    let doneCompressed = 0;
    let doneText = 0;
    const onShard = (r: ShardResult, compressed: number) => {
      doneCompressed += compressed;
      doneText += r.manifest.bytes.text_in;
      if (doneCompressed > 0 && doneText > 0) progress.setTotal(Math.max(progress.bytes, (doneText / doneCompressed) * planned.bytes));
    };
    const results = await normalizeAll(
      plan(o, files, first, end, summary, planned),
      o,
      workers,
      (docs, bytes) => progress.add(docs, bytes),
      onShard,
    );
    for (const r of results) {
      mergeCounts(summary.counts, r.manifest.counts);
      summary.shards.push(r.manifestPath.replace(/\.manifest\.json$/, ".jsonl.zst"));
    }
  } finally {
    workers?.close();
  }
  summary.shards.sort();
  progress.done();
  if (!countsAddUp(summary.counts)) throw new Error("normalize: internal error: counts do not add up");
  if (o.task !== undefined) writeMarker(o.outDir, stage, task, key, summary);
  return summary;
}

/** --merge: the shards and counts of all tasks, or an error naming the tasks not finished. */
function mergeTasks(o: NormalizeOptions, stage: string, count: number, key: string): NormalizeSummary {
  const markers = allMarkers(o.outDir, stage, count, key);
  const missing = markers.flatMap((m, i) => (m === null ? [i] : []));
  if (missing.length > 0) {
    throw new InputError(
      `normalize --merge: task(s) ${missing.join(", ")} of ${count} have not finished for these inputs and settings in ${o.outDir}; run them first`,
      { code: "tasks_missing" },
    );
  }
  const summary: NormalizeSummary = { shards: [], skipped: 0, counts: emptyCounts() };
  for (const m of markers) {
    const r = m!.result as NormalizeSummary;
    summary.shards.push(...r.shards);
    summary.skipped += r.skipped;
    mergeCounts(summary.counts, r.counts);
  }
  summary.shards.sort();
  return summary;
}

/** An input file, or in files format one shard's share of a source tree (its root as `file`). */
interface Input {
  file: string;
  chunk?: FileChunk;
}

interface Todo extends Input {
  target: ShardTarget;
}

/**
 * The shards to make, each as soon as its input is hashed, so that the first
 * starts while the others are hashed; shards already done for the same input
 * and parameters are counted and skipped, and `planned.bytes` sums the inputs
 * of the shards to make. When an existing shard may stop the run (a manifest
 * is there and --overwrite is not given), every input is checked before the
 * first shard is handed out, so that a run that stops writes nothing.
 */
async function* plan(
  o: NormalizeOptions,
  files: Input[],
  first: number,
  end: number,
  summary: NormalizeSummary,
  planned: { bytes: number },
): AsyncGenerator<Todo> {
  let mayStop = false;
  for (let part = first; part < end && !o.overwrite; part++)
    mayStop ||= existsSync(shardPaths(o.outDir, o.source, o.domain, part).manifest);
  const held: Todo[] = [];
  for (let part = first; part < end; part++) {
    const { file, chunk } = files[part]!;
    const digest = chunk ? await chunkDigest(chunk) : await sha256File(file);
    const paths = shardPaths(o.outDir, o.source, o.domain, part);
    const extraParams = chunk ? { format: "files", max_file_bytes: chunk.maxBytes } : undefined;
    const done = shardToSkip("normalize", paths, digest, { ...paramsRecord(o), ...extraParams }, o.overwrite);
    if (done !== null) {
      mergeCounts(summary.counts, done.counts);
      summary.shards.push(paths.shard);
      summary.skipped++;
      continue;
    }
    const t = {
      file,
      chunk,
      target: { outDir: o.outDir, part, inputs: [{ ...digest }], idBase: `${o.source}/${digest.sha256.slice(0, 12)}`, extraParams },
    };
    planned.bytes += digest.bytes;
    if (mayStop) held.push(t);
    else yield t;
  }
  yield* held;
}

/** Normalizes the planned shards, on the workers (one file each at a time) when there are any. */
async function normalizeAll(
  todo: AsyncIterable<Todo>,
  o: NormalizeOptions,
  workers: FileWorkers | null,
  onProgress: (docs: number, bytes: number) => void,
  onShard: (r: ShardResult, compressedBytes: number) => void,
): Promise<ShardResult[]> {
  const params: NormalizeParams = {
    source: o.source,
    domain: o.domain,
    textField: o.textField,
    idField: o.idField,
    licenseTag: o.licenseTag,
    filters: o.filters,
    nfkc: o.nfkc,
    strict: o.strict,
    keepRejectedText: o.keepRejectedText,
    maxNulFraction: o.maxNulFraction,
    ...(o.code ? { code: o.code } : {}),
  };
  const results: Promise<ShardResult>[] = [];
  for await (const t of todo) {
    // Progress comes as running totals per shard; the log wants increments.
    let last = { docs: 0, bytes: 0 };
    const step = (docs: number, bytes: number) => {
      onProgress(docs - last.docs, bytes - last.bytes);
      last = { docs, bytes };
    };
    const done = (r: ShardResult) => {
      onShard(r, t.target.inputs[0]!.bytes);
      return r;
    };
    if (workers === null) {
      const items = t.chunk ? fileItems(t.chunk) : itemsFor(t.file);
      results.push(Promise.resolve(done(await normalizeStream(items, t.target, params, step))));
      continue;
    }
    const task = {
      kind: "normalize" as const,
      file: t.file,
      chunk: t.chunk,
      target: t.target,
      params,
      zstdLevel: process.env.GAMMA_ZSTD_LEVEL,
      sourceDateEpoch: process.env.SOURCE_DATE_EPOCH,
    };
    const result = workers.run<ShardResult>(task, step).then(done);
    result.catch(() => {}); // handled by Promise.all below, once every shard is handed out
    results.push(result);
  }
  return Promise.all(results);
}
