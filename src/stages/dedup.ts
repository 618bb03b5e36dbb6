/**
 * `gamma dedup`: exact (hash of whitespace-collapsed, lower-cased text), near (MinHash LSH on
 * WebGPU or its CPU twin), or both (exact first, then near among the survivors), in named phases:
 *
 * 1. facts (src/dedup/facts.ts): each shard is read once, one per worker thread at a time with
 *    --cpu-threads > 1, for its doc ids, scope groups, source/domain buckets and exact keys; on
 *    the CPU backend the same threads shingle and sign each document for the near engine.
 * 2. exact keys (src/dedup/doc-table.ts): shards taken in order; a document whose key an earlier
 *    one had is its exact duplicate.
 * 3. near (./dedup-near.ts, src/near/): band buckets, candidate pairs, verification and clusters
 *    on the signatures (on the GPU backend the engine reads the shards again and the kernel signs).
 * 4. apply (src/dedup/apply.ts): deduped.jsonl.zst (kept docs in input order, lines copied
 *    without parsing them again) and decisions.jsonl.zst (one line per input doc, same order).
 *
 * With tasks (src/dedup/tasks.ts) phase 1 runs as N processes, each over its share of the
 * shards, writing the facts to files; `--merge` reads them back and runs phases 2 to 4 once, with
 * the same bytes out as a single run.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File, type FileDigest } from "../io/hash.ts";
import { createdAt } from "../io/timestamp.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";
import { info, Progress } from "../log.ts";
import { countsAddUp, sortedCounts, type StageCounts } from "../pipeline.ts";
import { GAMMA_VERSION } from "../version.ts";
import type { Backend } from "../gpu/device.ts";
import type { SignedShard } from "../near/shard-signer.ts";
import type { NearSettings, NearOutcome } from "./dedup-near.ts";
import { removeStaleTemps } from "../runtime/outputs.ts";
import { SINGLE_TASK, type Task } from "../runtime/tasks.ts";
import { Apply } from "../dedup/apply.ts";
import { nearBackend } from "../dedup/backend.ts";
import { Decision } from "../dedup/decisions.ts";
import { DocTable } from "../dedup/doc-table.ts";
import type { ShardFacts } from "../dedup/facts.ts";
import { FactsReader } from "../dedup/read-facts.ts";
import { MergedFacts, runFactsTask, type TaskResult, type WorkSettings } from "../dedup/tasks.ts";

export { decisionLine, reasonTail, writeDecision } from "../dedup/decisions.ts";

export type DedupMode = "exact" | "near" | "both";

export interface DedupOptions {
  inputs: string[];
  outDir: string;
  mode: DedupMode;
  scope: "global" | "per-source";
  near: NearSettings;
  /** Write only the decisions and the manifest, not deduped.jsonl.zst (the shards are read once). */
  decisionsOnly?: boolean;
  /** With `merge`: `task.count` tasks (runDedupTask) read the shards; this run reads their facts. */
  task?: Task;
  merge?: boolean;
}

export interface DedupSummary {
  counts: StageCounts;
  manifestPath: string;
  statsPath: string;
}

export const DEDUP_MANIFEST = "dedup.manifest.json";
/** Timings and machine-dependent figures of the last run: not reproducible, unlike the manifest. */
export const DEDUP_STATS = "dedup.stats.json";

/** Where the facts phase's shards come from: the shards themselves, or the tasks' facts files. */
interface FactsSource {
  shard(f: number): Promise<ShardFacts>;
  close?(): void;
}

/** A shard signed in the facts phase, and the input position of each of its documents. */
type SignedAt = { signed: SignedShard; positions: number[] };

function workSettings(o: DedupOptions): WorkSettings {
  return { outDir: o.outDir, mode: o.mode, scope: o.scope, near: o.near, decisionsOnly: o.decisionsOnly === true };
}

/** Task `o.task.index` of `o.task.count`: the facts of its share of the shards (see src/dedup/tasks.ts). */
export function runDedupTask(o: DedupOptions): Promise<TaskResult> {
  const files = expandInputs(o.inputs, { what: "normalized shards" });
  return runFactsTask(files, o.task ?? SINGLE_TASK, workSettings(o), join(o.outDir, DEDUP_MANIFEST));
}

export async function runDedup(o: DedupOptions): Promise<DedupSummary> {
  const started = performance.now();
  const files = expandInputs(o.inputs, { what: "normalized shards" });
  const manifestPath = join(o.outDir, DEDUP_MANIFEST);
  const statsPath = join(o.outDir, DEDUP_STATS);
  let merged: MergedFacts | null = null;
  if (o.merge) {
    const m = MergedFacts.open(files, o.task?.count ?? 1, workSettings(o), manifestPath);
    if (!(m instanceof MergedFacts)) {
      info(`dedup --merge: already merged for these inputs and settings in ${o.outDir}; skipped`);
      return { counts: m.merged as StageCounts, manifestPath, statsPath };
    }
    merged = m;
  }
  const backend = await nearBackend(o.mode, o.near);
  removeStaleTemps(o.outDir);
  mkdirSync(o.outDir, { recursive: true });
  // --cpu-threads comes in the near settings; the facts phase uses it too.
  const cpuThreads = o.near.cpuThreads ?? 1;
  // Named like every temporary gamma writes, so a run killed mid-way leaves nothing that outlives it.
  const workDir = join(o.outDir, `.near-work.tmp-${process.pid}`);
  // On the CPU the facts phase signs as it reads (when there are shards enough to keep every
  // thread busy; one big file is better read again by the engine's own pool). A merge uses what
  // the tasks signed.
  const signFacts = backend?.kind === "cpu" && (merged ? merged.signed : files.length >= Math.max(1, cpuThreads));
  const { signRequest } = signFacts && !merged ? await import("./dedup-near.ts") : { signRequest: null };
  if (signRequest) mkdirSync(workDir, { recursive: true });
  const source: FactsSource =
    merged ??
    new FactsReader(files, Math.min(cpuThreads, files.length), {
      perSource: o.scope === "per-source",
      withKeys: o.mode !== "near",
      sign: signRequest ? (f) => signRequest(o.near, workDir, `pass1-${f}`) : null,
    });

  // The deduplicated copy is compressed by zstd threads, as many as --cpu-threads, while this
  // thread reads the shards back (the bytes are the same for any number of them).
  const out = o.decisionsOnly ? null : new ZstdTextWriter(join(o.outDir, "deduped.jsonl.zst"), undefined, cpuThreads);
  let dec: ZstdTextWriter;
  try {
    dec = new ZstdTextWriter(join(o.outDir, "decisions.jsonl.zst"));
  } catch (e) {
    source.close?.();
    await out?.abort(); // no half-opened output left behind
    throw e;
  }
  const table = new DocTable();
  const apply = new Apply(table, files, out, dec);
  let near: NearOutcome | null = null;
  let inputs: FileDigest[];
  try {
    try {
      // Hashed while the workers read (with no workers, before: the facts are read in this thread).
      inputs = merged ? merged.inputs() : await hashAll(files);
      const signed = await factsPhase(o.mode, files.length, source, table, apply);
      table.forgetKeys();
      if (backend !== null)
        near = await nearPhase(o.near, backend, table, signFacts ? { signed, keepFiles: merged !== null } : { files }, workDir);
    } finally {
      source.close?.();
    }
    if (near !== null) {
      apply.setNearReason(near.describe);
      for (let f = 0; f < files.length; f++) await apply.shard(f);
    }
    await out?.finish();
    await dec.finish();
  } catch (e) {
    await out?.abort();
    await dec.abort();
    rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
  const counts = apply.counts;
  if (counts.in !== table.size || !countsAddUp(counts)) throw new Error("dedup: internal error: counts do not add up");
  const nearStats = near ? (await import("./dedup-near.ts")).splitNearStats(near.stats) : null;
  writeJsonAtomic(statsPath, {
    kind: "gamma.dedup-stats/v1",
    reproducible: false,
    cpu_threads: cpuThreads,
    wall_ms: Math.round(performance.now() - started),
    ...(nearStats ? { near: nearStats.machine } : {}),
  });
  writeJsonAtomic(manifestPath, {
    kind: "gamma.dedup/v1",
    stage: "dedup",
    gamma_version: GAMMA_VERSION,
    created_at: createdAt(),
    params: {
      mode: o.mode,
      scope: o.scope,
      decisions_only: o.decisionsOnly === true,
      ...(o.mode === "exact" ? {} : { near: o.near.describe() }),
    },
    inputs,
    outputs: {
      ...(out ? { deduped: { ...out.digest(), path: "deduped.jsonl.zst" } } : {}),
      decisions: { ...dec.digest(), path: "decisions.jsonl.zst" },
    },
    counts: sortedCounts(counts),
    by_source: Object.fromEntries(
      Object.entries(apply.bySource)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, sortedCounts(v)]),
    ),
    ...(nearStats ? { near: nearStats.reproducible } : {}),
  });
  merged?.finish(o.task?.count ?? 1, counts);
  info(
    `dedup: ${counts.in} docs in, ${counts.kept} kept, ${counts.dropped.exact_dup ?? 0} exact duplicates, ${counts.dropped.near_dup ?? 0} near duplicates -> ${o.outDir}`,
  );
  return { counts, manifestPath, statsPath };
}

async function hashAll(files: readonly string[]): Promise<FileDigest[]> {
  const inputs: FileDigest[] = [];
  for (const f of files) inputs.push(await sha256File(f));
  return inputs;
}

/**
 * Phases 1 and 2, facts and exact keys: every shard's facts into the table, in shard order. With
 * --mode exact a shard's decisions are final once it is in (a duplicate's first copy comes
 * before it), so it is applied while later shards are read. Returns the shards signed on the way.
 */
async function factsPhase(mode: DedupMode, nFiles: number, source: FactsSource, table: DocTable, apply: Apply): Promise<SignedAt[]> {
  const signed: SignedAt[] = [];
  const progress = new Progress(`dedup (${mode}) pass 1`);
  for (let f = 0; f < nFiles; f++) {
    const shard = await source.shard(f);
    const positions = table.addShard(shard.items);
    if (shard.signed) signed.push({ signed: shard.signed, positions });
    progress.add(shard.items.length, shard.chars);
    if (mode === "exact") await apply.shard(f);
  }
  progress.done();
  return signed;
}

/**
 * Phase 3, near: the engine on the documents still in play (bands, candidate pairs, verification,
 * clusters), on what the facts phase signed or on the shards read again. Near duplicates, and
 * exact duplicates whose twin was dropped as a near duplicate, then name the kept document and
 * the similarity measured to it.
 */
async function nearPhase(
  settings: NearSettings,
  backend: Backend,
  table: DocTable,
  docs: { signed: SignedAt[]; keepFiles: boolean } | { files: string[] },
  workDir: string,
): Promise<NearOutcome> {
  const { runNear } = await import("./dedup-near.ts");
  const near = await runNear({
    input: "files" in docs ? { kind: "read", files: docs.files } : { kind: "signed", shards: docs.signed, keepFiles: docs.keepFiles },
    decision: Uint8Array.from(table.decision),
    twin: table.dupOf,
    docIds: table.docIds,
    group: (i) => table.group(i),
    settings,
    backend,
    workDir,
  });
  rmSync(workDir, { recursive: true, force: true });
  for (let i = 0; i < table.size; i++) {
    const t = near.dupOf[i]!;
    if (t >= 0) {
      table.dupOf[i] = t;
      if (table.decision[i] === Decision.Kept) table.decision[i] = Decision.NearDup;
      table.similarity[i] = near.similarity[i]!;
    }
  }
  return near;
}

export function parseMode(v: string): DedupMode {
  if (v === "exact" || v === "near" || v === "both") return v;
  throw new ConfigError(`--mode must be exact, near or both, got ${JSON.stringify(v)}`);
}
