/**
 * `gamma hf-stream` for one source: resolves the revision to a commit sha
 * once (pinned in DIR/.hf-state/<source>/), streams the split's files in
 * path order through the Hub driver, and writes one normalized shard per
 * remote file: DIR/<source>/<domain>/part-NNNNN with NNNNN the file's index
 * in the pinned file list.
 *
 * A file is recorded as done only after its shard, rejects and manifest are
 * complete (the driver's onFileDone waits for normalizeStream), so a rerun
 * skips exactly the files whose shards exist. A done file whose shard has
 * gone missing is streamed again; one whose shard was made with other
 * parameters is an error (--overwrite starts the source over). A file cut
 * short by --limit gets a shard marked `complete: false` and restarts from
 * its beginning on the next run.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { redactUrl } from "../ingest/http.ts";
import { HfHubClient } from "../ingest/hf-hub.ts";
import { streamHfDataset, type HfFile, type HfRecord, type HfStream } from "../ingest/hf-stream.ts";
import type { RawReject } from "../ingest/raw-record.ts";
import type { FileDigest } from "../io/hash.ts";
import { readJsonFile, type ShardManifest } from "../io/shard-manifest.ts";
import { info, Progress } from "../log.ts";
import { countsAddUp, emptyCounts, mergeCounts } from "../pipeline.ts";
import type { HfPlan } from "./hf-plan.ts";
import { ItemChannel } from "./item-channel.ts";
import type { ShardRunSummary } from "./local-shards.ts";
import { normalizeStream, paramsRecord, shardPaths, type NormalizeParams, type ShardResult, type SourceItem } from "./normalize-core.ts";
import { checkName } from "./normalize.ts";
import { ordinalOf, rejectItem } from "./raw-items.ts";

export interface HfStreamRunOptions {
  plan: HfPlan;
  outDir: string;
  /** Filters and the rest; source, domain, text and id fields come from the plan. */
  normalize: Omit<NormalizeParams, "source" | "domain" | "textField" | "idField" | "licenseTag">;
  limit?: number;
  overwrite: boolean;
  client?: HfHubClient;
}

/** A remote file as recorded in a shard manifest's inputs. `sha256` is the LFS content digest when the Hub gives one, else null. */
export interface RemoteInput {
  path: string;
  sha256: string | null;
  bytes: number;
  url: string;
  revision: string;
  git_oid: string | null;
}

export interface HfStreamResult extends ShardRunSummary {
  source: string;
  datasetId: string;
  config: string | null;
  split: string;
  revision: string;
  resolvedSha: string;
  files: RemoteInput[];
  statePath: string;
}

export function remoteInput(f: HfFile, sha: string): RemoteInput {
  return { path: f.path, sha256: f.sha256 ?? null, bytes: f.size, url: redactUrl(f.url), revision: sha, git_oid: f.oid ?? null };
}

function hfParams(s: HfStream, index: number, complete: boolean) {
  return {
    hf: {
      dataset: s.datasetId,
      config: s.config,
      split: s.split,
      revision: s.revision,
      resolved_sha: s.resolvedSha,
      file: s.files[index]!.path,
      file_index: index,
      files_total: s.files.length,
      complete,
    },
  };
}

/** A record with the registry's date field moved to created_at (so the normalized doc carries it). */
function recordItem(r: HfRecord, createdAtField: string | undefined): SourceItem {
  let fields = r.fields;
  if (createdAtField && createdAtField !== "created_at" && typeof fields[createdAtField] === "string" && fields.created_at === undefined) {
    const { [createdAtField]: date, ...rest } = fields;
    fields = { ...rest, created_at: date };
  }
  return { fields, ordinal: ordinalOf(r.location, 0), location: r.location };
}

function readDone(statePath: string): Record<string, unknown> {
  try {
    return (JSON.parse(readFileSync(statePath, "utf8")) as { done?: Record<string, unknown> }).done ?? {};
  } catch {
    return {};
  }
}

/** Removes `paths` from the driver's list of finished files, so the next open streams them again. */
function forgetDone(statePath: string, paths: string[]): void {
  const state = JSON.parse(readFileSync(statePath, "utf8")) as { done: Record<string, unknown> };
  for (const p of paths) delete state.done[p];
  const tmp = `${statePath}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, statePath);
}

interface Sink {
  index: number;
  channel: ItemChannel;
  extra: ReturnType<typeof hfParams>;
  result: Promise<ShardResult>;
}

export async function runHfSource(o: HfStreamRunOptions): Promise<HfStreamResult> {
  const plan = o.plan;
  checkName("source", plan.sourceName);
  checkName("--domain", plan.domain);
  const p: NormalizeParams = {
    ...o.normalize,
    source: plan.sourceName,
    domain: plan.domain,
    textField: plan.textField,
    idField: plan.idField,
    licenseTag: plan.licenseTag,
  };
  const client = o.client ?? new HfHubClient();
  const stateDir = join(o.outDir, ".hf-state", plan.sourceName);
  if (o.overwrite) rmSync(stateDir, { recursive: true, force: true });
  const label = `hf-stream ${plan.sourceName}`;
  const progress = new Progress(label, null);

  let s!: HfStream;
  let current: Sink | null = null;
  const written = new Map<number, ShardResult>();

  const openSink = (path: string): Sink => {
    const index = s.files.findIndex((f) => f.path === path);
    if (index < 0) throw new Error(`${label}: internal error: record from unlisted file ${path}`);
    const channel = new ItemChannel();
    const extra = hfParams(s, index, false);
    const f = s.files[index]!;
    const target = {
      outDir: o.outDir,
      part: index,
      inputs: [remoteInput(f, s.resolvedSha) as unknown as FileDigest],
      idBase: `${plan.sourceName}/${f.path}`,
      extraParams: extra,
    };
    let last = { docs: 0, bytes: 0 };
    const result = normalizeStream(channel, target, p, (docs, bytes) => {
      progress.add(docs - last.docs, bytes - last.bytes);
      last = { docs, bytes };
    });
    result.catch((e) => channel.fail(e));
    return { index, channel, extra, result };
  };
  const finish = async (complete: boolean): Promise<void> => {
    const sink = current;
    if (!sink) return;
    current = null;
    sink.extra.hf.complete = complete;
    sink.channel.end();
    written.set(sink.index, await sink.result);
  };
  const sinkFor = async (path: string): Promise<Sink> => {
    if (current && s.files[current.index]!.path === path) return current;
    await finish(false);
    return (current = openSink(path));
  };

  const open = async () => {
    try {
      return await streamHfDataset({
        datasetId: plan.datasetId,
        config: plan.config ?? undefined,
        split: plan.split,
        revision: plan.revision,
        limit: o.limit,
        stateDir,
        client,
        dataFiles: plan.dataFiles,
        columns: undefined,
        onFileDone: async (f) => {
          await sinkFor(f.path);
          await finish(true);
        },
        onReject: (r: RawReject) => {
          const path = r.location.slice(r.location.indexOf("/", `hf://datasets/${plan.datasetId}@`.length) + 1).replace(/:\d+$/, "");
          if (!current || s.files[current.index]!.path !== path) {
            if (current) throw new Error(`${label}: internal error: reject for ${path} while ${s.files[current.index]!.path} is open`);
            current = openSink(path);
          }
          current.channel.add(rejectItem(r, 0));
        },
        log: (l) => info(l),
      });
    } catch (e) {
      throw configHint(e, plan);
    }
  };

  s = await open();
  const expected = (i: number) => JSON.stringify({ ...paramsRecord(p), ...hfParams(s, i, true) });
  const missing: string[] = [];
  const done = readDone(s.statePath);
  s.files.forEach((f, i) => {
    if (!done[f.path]) return;
    const paths = shardPaths(o.outDir, p.source, p.domain, i);
    const m = readJsonFile<ShardManifest>(paths.manifest);
    if (!m || !existsSync(paths.shard) || (m.inputs?.[0] as { path?: string } | undefined)?.path !== f.path)
      return void missing.push(f.path);
    if (JSON.stringify(m.params) !== expected(i)) {
      throw new ConfigError(
        `${label}: ${paths.manifest} was made with other parameters (filters, fields, domain or revision); rerun with --overwrite to stream the source again, or use another --out-dir`,
        { code: "output_exists" },
      );
    }
  });
  if (missing.length > 0) {
    info(`${label}: ${missing.length} file(s) recorded as done have no complete shard; streaming them again`);
    forgetDone(s.statePath, missing);
    s = await open();
  }
  const skipped = s.files.filter((f) => done[f.path] && !missing.includes(f.path)).length;
  info(
    `${label}: ${plan.datasetId} config ${s.config ?? "(default)"} split ${s.split} at ${s.revision} = ${s.resolvedSha}; ${s.files.length} file(s), ${skipped} done before -> ${o.outDir}/${p.source}/${p.domain}/`,
  );

  try {
    for await (const r of s.records()) {
      const sink = await sinkFor(r.file);
      await sink.channel.push(recordItem(r, plan.createdAtField));
    }
    await finish(false); // a file cut short by --limit
  } catch (e) {
    const sink = current as Sink | null;
    if (sink) {
      sink.channel.fail(e);
      await sink.result.catch(() => {});
    }
    throw e;
  }
  progress.done();

  const summary: HfStreamResult = {
    manifests: [],
    shards: [],
    skipped,
    counts: emptyCounts(),
    source: p.source,
    datasetId: s.datasetId,
    config: s.config,
    split: s.split,
    revision: s.revision,
    resolvedSha: s.resolvedSha,
    files: s.files.map((f) => remoteInput(f, s.resolvedSha)),
    statePath: s.statePath,
  };
  s.files.forEach((f, i) => {
    const paths = shardPaths(o.outDir, p.source, p.domain, i);
    const m = written.get(i)?.manifest ?? readJsonFile<ShardManifest>(paths.manifest);
    if (!m || (m.inputs?.[0] as { path?: string } | undefined)?.path !== f.path) return;
    mergeCounts(summary.counts, m.counts);
    summary.manifests.push(paths.manifest);
    summary.shards.push(paths.shard);
  });
  if (!countsAddUp(summary.counts)) throw new Error(`${label}: internal error: counts do not add up`);
  return summary;
}

/** The driver's "no such config" error, with what to run next. */
function configHint(e: unknown, plan: HfPlan): unknown {
  if (!(e instanceof ConfigError) || e.code !== "hf_config_not_found") return e;
  if (!(plan.configIsDefault && plan.registry))
    return new ConfigError(`${e.message}, and pass one with --config-name`, { cause: e, code: e.code });
  return new ConfigError(
    `source ${plan.registry.name} reads config "${plan.config}" unless --config-name says otherwise, and ${plan.datasetId} has no such config: run \`gamma hf-configs --dataset ${plan.datasetId}\` (add --lang/--script to narrow it) to list its configs, then pass one with --config-name`,
    { cause: e, code: e.code },
  );
}
