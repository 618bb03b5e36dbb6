/**
 * Dedup as tasks: task I of N runs the facts phase over its contiguous share of the sorted shards
 * and writes each shard's facts (and, on the CPU backend, its signing files) to
 * OUT/.dedup-work/task-IIIII-of-NNNNN/part-SSSSS.*, then its completion marker. `--merge` checks
 * every marker, reads the facts back in shard order and runs the later phases once, as a single
 * run would; it then removes the work folder and marks the merge done.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.ts";
import { sha256File, sha256Hex, type FileDigest } from "../io/hash.ts";
import { info, Progress } from "../log.ts";
import { allMarkers, markerPath, readMarker, shareRange, taskName, writeMarker, type Task } from "../runtime/tasks.ts";
import type { NearSettings } from "../stages/dedup-near.ts";
import { nearBackend } from "./backend.ts";
import { readShardFacts, writeShardFacts, type ShardFacts } from "./facts.ts";
import { FactsReader } from "./read-facts.ts";

const STAGE = "dedup";
const MERGE_STAGE = "dedup-merge";
export const WORK_DIR = ".dedup-work";

/** What a task's marker records for the merge. */
export interface TaskResult {
  /** Its shards [first, end) of the sorted inputs. */
  shards: [number, number];
  inputs: FileDigest[];
  /** Whether its shards' facts carry their signing. */
  signed: boolean;
  docs: number;
}

export interface WorkSettings {
  outDir: string;
  mode: string;
  scope: string;
  near: NearSettings;
  decisionsOnly: boolean;
}

/** The work a marker is for: the input paths and every setting that changes what dedup writes. */
export function workKey(files: readonly string[], o: WorkSettings): string {
  return sha256Hex(
    JSON.stringify({
      files,
      mode: o.mode,
      scope: o.scope,
      decisionsOnly: o.decisionsOnly,
      near: o.mode === "exact" ? null : o.near.describe(),
    }),
  );
}

function taskDir(outDir: string, t: Task): string {
  return join(outDir, WORK_DIR, `${taskName(t)}-of-${String(t.count).padStart(5, "0")}`);
}

export function shardTag(f: number): string {
  return `part-${String(f).padStart(5, "0")}`;
}

/** A merge done for the same work (its outputs in place), or null. */
function mergedResult(outDir: string, count: number, key: string, manifest: string): unknown | null {
  const m = readMarker(outDir, MERGE_STAGE, { index: 0, count }, key);
  return m !== null && existsSync(manifest) ? m.result : null;
}

/** Task `t`: the facts of its share of `files`, then its marker. Skipped when done (or merged). */
export async function runFactsTask(files: readonly string[], t: Task, o: WorkSettings, manifest: string): Promise<TaskResult> {
  const key = workKey(files, o);
  const [first, end] = shareRange(files.length, t);
  const done = readMarker(o.outDir, STAGE, t, key);
  if (done !== null || mergedResult(o.outDir, t.count, key, manifest) !== null) {
    info(`dedup: task ${t.index} of ${t.count} already done${done === null ? " and merged" : ""}; skipped`);
    return (done?.result as TaskResult) ?? { shards: [first, end], inputs: [], signed: false, docs: 0 };
  }
  const backend = await nearBackend(o.mode, o.near);
  const dir = taskDir(o.outDir, t);
  // Named like every temporary gamma writes: a task killed mid-way leaves nothing that outlives it.
  // Only this task's own are removed here: the other tasks' may be running on other machines.
  removeOwnTemps(dir);
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  // On the CPU the task signs as it reads, so the merge never reads the shards for the near engine.
  const signed = backend?.kind === "cpu";
  const { signRequest } = signed ? await import("../stages/dedup-near.ts") : { signRequest: null };
  const share = files.slice(first, end);
  info(`dedup: task ${t.index} of ${t.count}: shards ${first + 1} to ${end} of ${files.length} -> ${dir}`);
  const reader = new FactsReader(share, Math.min(o.near.cpuThreads ?? 1, share.length), {
    perSource: o.scope === "per-source",
    withKeys: o.mode !== "near",
    sign: signRequest ? (f) => signRequest(o.near, tmp, shardTag(first + f)) : null,
  });
  const result: TaskResult = { shards: [first, end], inputs: [], signed, docs: 0 };
  try {
    for (const f of share) result.inputs.push(await sha256File(f));
    const progress = new Progress(`dedup (${o.mode}) task ${t.index} facts`);
    for (let f = 0; f < share.length; f++) {
      const facts: ShardFacts = await reader.shard(f);
      await writeShardFacts(tmp, shardTag(first + f), facts);
      result.docs += facts.items.length;
      progress.add(facts.items.length, facts.chars);
    }
    progress.done();
  } catch (e) {
    reader.close(); // before the folder goes: no thread writes into it after
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  reader.close();
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  writeMarker(o.outDir, STAGE, t, key, result);
  return result;
}

/** Removes what earlier runs of this task left half-written (`DIR.tmp-PID`, any PID but this one). */
function removeOwnTemps(dir: string): void {
  const parent = dirname(dir);
  if (!existsSync(parent)) return;
  const prefix = `${basename(dir)}.tmp-`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix) || name === `${prefix}${process.pid}`) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    info(`removed ${join(parent, name)}, left by an earlier run of this task`);
  }
}

/** What --merge reads: every task's facts, in shard order. */
export class MergedFacts {
  private constructor(
    private readonly outDir: string,
    private readonly results: { task: Task; result: TaskResult }[],
    readonly key: string,
  ) {}

  /**
   * The finished tasks' results for these inputs and settings, or an error naming the tasks not
   * finished; `merged` when a merge for the same work is already done (its marker's result).
   */
  static open(files: readonly string[], count: number, o: WorkSettings, manifest: string): MergedFacts | { merged: unknown } {
    const key = workKey(files, o);
    const merged = mergedResult(o.outDir, count, key, manifest);
    if (merged !== null) return { merged };
    const markers = allMarkers(o.outDir, STAGE, count, key);
    const missing = markers.flatMap((m, i) => (m === null ? [i] : []));
    if (missing.length > 0) {
      throw new InputError(
        `dedup --merge: task(s) ${missing.join(", ")} of ${count} have not finished for these inputs and settings in ${o.outDir}; run them first`,
        {
          code: "tasks_missing",
        },
      );
    }
    return new MergedFacts(
      o.outDir,
      markers.map((m, index) => ({ task: { index, count }, result: m!.result as TaskResult })),
      key,
    );
  }

  /** The input digests, in shard order. */
  inputs(): FileDigest[] {
    return this.results.flatMap((r) => r.result.inputs);
  }

  /** Whether every shard comes with its signing. */
  get signed(): boolean {
    return this.results.every((r) => r.result.signed || r.result.shards[0] === r.result.shards[1]);
  }

  shard(f: number): Promise<ShardFacts> {
    const owner = this.results.find((r) => f >= r.result.shards[0] && f < r.result.shards[1]);
    if (owner === undefined) throw new InputError(`dedup --merge: no task wrote the facts of shard ${f + 1}`);
    return readShardFacts(taskDir(this.outDir, owner.task), shardTag(f));
  }

  /**
   * After the outputs are in place: the merge is marked done, and the work folder and the task
   * markers removed (a task run again while the merged outputs are there is skipped; once they
   * are gone, it reads its shards again).
   */
  finish(count: number, result: unknown): void {
    writeMarker(this.outDir, MERGE_STAGE, { index: 0, count }, this.key, result);
    rmSync(join(this.outDir, WORK_DIR), { recursive: true, force: true });
    for (const r of this.results) rmSync(markerPath(this.outDir, STAGE, r.task), { force: true });
  }
}
