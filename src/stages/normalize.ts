/**
 * `gamma normalize`: each input file becomes one shard, numbered in sorted
 * input order. A shard whose manifest is valid for the same input and
 * parameters is skipped on rerun; a different one needs --overwrite.
 */
import { existsSync, statSync } from "node:fs";
import { basename } from "node:path";
import { ConfigError } from "../errors.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File, type FileDigest } from "../io/hash.ts";
import { jsonlItems } from "../io/jsonl-source.ts";
import { readJsonFile, type ShardManifest } from "../io/shard-manifest.ts";
import { info, Progress } from "../log.ts";
import { countsAddUp, emptyCounts, mergeCounts, type StageCounts } from "../pipeline.ts";
import { normalizeStream, paramsRecord, shardPaths, type NormalizeParams, type SourceItem } from "./normalize-core.ts";
import { parquetItems } from "../io/parquet-source.ts";

export interface NormalizeOptions extends NormalizeParams {
  inputs: string[];
  outDir: string;
  overwrite: boolean;
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

export function itemsFor(path: string): AsyncIterable<SourceItem[]> {
  if (path.endsWith(".parquet")) return parquetItems(path);
  if (/\.jsonl?(\.gz|\.zst|\.zstd)?$/.test(path)) return jsonlItems(path);
  throw new ConfigError(`normalize: ${path}: unsupported input type; expected .jsonl, .jsonl.gz, .jsonl.zst or .parquet`);
}

/** Whether an existing shard was produced from the same input with the same parameters. */
export function existingShardValid(manifestPath: string, inputs: FileDigest[], params: Record<string, unknown>): boolean | null {
  const m = readJsonFile<ShardManifest>(manifestPath);
  if (m === null) return null;
  const sameInputs = JSON.stringify(m.inputs.map((i) => [i.sha256, i.bytes])) === JSON.stringify(inputs.map((i) => [i.sha256, i.bytes]));
  const sameParams = JSON.stringify(m.params) === JSON.stringify(params);
  return sameInputs && sameParams;
}

export async function runNormalize(o: NormalizeOptions): Promise<NormalizeSummary> {
  checkName("--source", o.source);
  checkName("--domain", o.domain);
  const files = expandInputs(o.inputs, { what: "input files" });
  for (const f of files) itemsFor(f);
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  const progress = new Progress("normalize", null);
  info(`normalize: ${files.length} input file(s), ${(total / 1e6).toFixed(1)} MB -> ${o.outDir}/${o.source}/${o.domain}/`);
  const summary: NormalizeSummary = { shards: [], skipped: 0, counts: emptyCounts() };
  for (let part = 0; part < files.length; part++) {
    const file = files[part]!;
    const digest = await sha256File(file);
    const paths = shardPaths(o.outDir, o.source, o.domain, part);
    const valid = existingShardValid(paths.manifest, [digest], paramsRecord(o));
    if (valid === true && !o.overwrite && existsSync(paths.shard)) {
      const m = readJsonFile<ShardManifest>(paths.manifest)!;
      mergeCounts(summary.counts, m.counts);
      summary.shards.push(paths.shard);
      summary.skipped++;
      info(`normalize: ${basename(paths.shard)} already done for ${file}; skipped (use --overwrite to redo)`);
      continue;
    }
    if (valid === false && !o.overwrite) {
      throw new ConfigError(
        `normalize: ${paths.manifest} exists and was made from other input or parameters; use --overwrite to replace it, or another --out-dir`,
        { code: "output_exists" },
      );
    }
    let lastDocs = 0;
    let lastBytes = 0;
    const { manifest } = await normalizeStream(
      itemsFor(file),
      { outDir: o.outDir, part, inputs: [{ ...digest }], idBase: `${o.source}/${digest.sha256.slice(0, 12)}` },
      o,
      (docs, bytes) => {
        progress.add(docs - lastDocs, bytes - lastBytes);
        lastDocs = docs;
        lastBytes = bytes;
      },
    );
    mergeCounts(summary.counts, manifest.counts);
    summary.shards.push(paths.shard);
  }
  progress.done();
  if (!countsAddUp(summary.counts)) throw new Error("normalize: internal error: counts do not add up");
  return summary;
}
