/**
 * A pipeline as Slurm jobs: per stage, array jobs of its missing tasks (split where the stage
 * has more tasks than the cluster's MaxArraySize) and a merge job after them; each stage's jobs
 * start after the previous stage's merge succeeded (afterok). Every job runs this same gamma
 * (`gamma pipeline-task`), which runs the step as `gamma run` would and writes its marker, so a
 * second submit runs only what is missing and the outputs match a local run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, GammaError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { info } from "../log.ts";
import { preparePipeline, resolvedPath } from "./prepare.ts";
import { gammaCommand } from "./self.ts";
import { missingTasks, shellQuote, stepDone } from "./steps.ts";
import type { Pipeline, Stage } from "./spec.ts";

/** Slurm's default MaxArraySize, used when the cluster does not say. */
export const DEFAULT_MAX_ARRAY_SIZE = 1001;

export interface SlurmJob {
  /** Name in logs and dry runs: "normalize tasks 0-999", "normalize merge". */
  label: string;
  stage: string;
  script: string;
  /** Labels of the jobs this one starts after (afterok). */
  after: string[];
  /** The task indices an array job runs. */
  tasks: number[];
}

function slurm(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", input });
  if (r.error !== undefined) {
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new ConfigError(
      missing
        ? `${cmd} not found: gamma slurm runs where Slurm's client commands are installed (or use --dry-run)`
        : `${cmd}: ${r.error.message}`,
    );
  }
  if (r.status !== 0)
    throw new GammaError("slurm", `${cmd} ${args.join(" ")} failed (exit code ${r.status}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** The cluster's MaxArraySize from `scontrol show config` (array indices must stay below it). */
export function maxArraySize(): number {
  const text = slurm("scontrol", ["show", "config"]);
  const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(text);
  return m ? Math.max(1, Number(m[1])) : DEFAULT_MAX_ARRAY_SIZE;
}

/** "0-3,5,7-8" from sorted indices. */
export function arraySpec(indices: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j]! + 1) j++;
    parts.push(i === j ? String(indices[i]) : `${indices[i]}-${indices[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

function directives(stage: Stage, jobName: string, output: string): string[] {
  const r = stage.resources;
  const d = [
    `--job-name=${jobName}`,
    `--output=${output}`,
    `--chdir=${process.cwd()}`,
    `--cpus-per-task=${r.cpus_per_task}`,
    "--ntasks=1",
    "--nodes=1",
  ];
  if (r.partition !== null) d.push(`--partition=${r.partition}`);
  if (r.account !== null) d.push(`--account=${r.account}`);
  if (r.time !== null) d.push(`--time=${r.time}`);
  if (r.mem !== null) d.push(`--mem=${r.mem}`);
  if (r.gpus_per_task > 0) d.push(`--gres=gpu:${r.gpus_per_task}`);
  // Preemption or the time limit: USR1 a minute ahead to gamma (the batch step), which
  // stops its task and requeues the job; the task resumes from what it finished.
  d.push("--requeue", "--open-mode=append", "--signal=B:USR1@60", "--kill-on-invalid-dep=yes");
  d.push(...r.sbatch);
  return d;
}

function script(dirs: string[], command: string[]): string {
  return ["#!/bin/bash", ...dirs.map((d) => `#SBATCH ${d}`), `exec ${command.map(shellQuote).join(" ")}`, ""].join("\n");
}

/** The jobs that finish the pipeline: missing tasks and merges only. */
export function planJobs(p: Pipeline, resolved: string, maxArray: number): SlurmJob[] {
  const gamma = gammaCommand();
  const jobs: SlurmJob[] = [];
  let before: string | null = null;
  for (const stage of p.stages) {
    const todo = missingTasks(stage);
    if (todo.length === 0 && stepDone(stage, { kind: "merge" })) continue;
    const logs = join(p.outDir, "logs", "slurm");
    const chunks = new Map<number, number[]>();
    for (const t of todo) {
      const c = Math.floor(t / maxArray);
      if (!chunks.has(c)) chunks.set(c, []);
      chunks.get(c)!.push(t);
    }
    const taskJobs: string[] = [];
    for (const [c, tasks] of chunks) {
      const offset = c * maxArray;
      const label = tasks.length === 1 ? `${stage.name} task ${tasks[0]}` : `${stage.name} tasks ${tasks[0]}-${tasks.at(-1)}`;
      const limit = stage.resources.max_parallel > 0 ? `%${stage.resources.max_parallel}` : "";
      const dirs = [
        `--array=${arraySpec(tasks.map((t) => t - offset))}${limit}`,
        ...directives(stage, `gamma-${stage.name}`, join(logs, `${stage.name}-%A_%a.out`)),
      ];
      jobs.push({
        label,
        stage: stage.name,
        script: script(dirs, [...gamma, "slurm", "task", resolved, "--stage", stage.name, "--task-offset", String(offset)]),
        after: before === null ? [] : [before],
        tasks,
      });
      taskJobs.push(label);
    }
    // A stage that does not split has no merge: its one task marks it done.
    if (!stage.splits) {
      before = taskJobs[0] ?? before;
      continue;
    }
    const merge = `${stage.name} merge`;
    const dirs = directives(
      { ...stage, resources: { ...stage.resources, gpus_per_task: 0 } },
      `gamma-${stage.name}-merge`,
      join(logs, `${stage.name}-merge-%j.out`),
    );
    jobs.push({
      label: merge,
      stage: stage.name,
      script: script(dirs, [...gamma, "slurm", "task", resolved, "--stage", stage.name, "--merge"]),
      after: taskJobs.length > 0 ? taskJobs : before === null ? [] : [before],
      tasks: [],
    });
    before = merge;
  }
  return jobs;
}

interface Submitted {
  label: string;
  id: string;
}

function jobsFile(p: Pipeline): string {
  return join(p.outDir, ".gamma-pipeline", "slurm-jobs.json");
}

export interface QueuedJob {
  label: string;
  id: string;
  /** Slurm states of the job's tasks still queued or running: {PENDING: 3, RUNNING: 2}. */
  states: Record<string, number>;
}

/** The last submit's jobs that Slurm still has queued or running (none when squeue is missing). */
export function queuedJobs(p: Pipeline): QueuedJob[] {
  const f = jobsFile(p);
  if (!existsSync(f)) return [];
  const submitted = JSON.parse(readFileSync(f, "utf8")) as Submitted[];
  if (submitted.length === 0) return [];
  const out = spawnSync("squeue", ["-h", "-r", "-j", submitted.map((j) => j.id).join(","), "-o", "%A %T"], { encoding: "utf8" });
  if (out.status !== 0) return [];
  const states = new Map<string, Record<string, number>>();
  for (const line of out.stdout.split("\n")) {
    const [id, state] = line.trim().split(/\s+/);
    if (!id || !state) continue;
    const s = states.get(id) ?? {};
    s[state] = (s[state] ?? 0) + 1;
    states.set(id, s);
  }
  return submitted.filter((j) => states.has(j.id)).map((j) => ({ label: j.label, id: j.id, states: states.get(j.id)! }));
}

function stillQueued(p: Pipeline): string[] {
  return queuedJobs(p).map((j) => j.id);
}

export interface SubmitOptions {
  dryRun: boolean;
  maxArraySize?: number;
}

export interface SubmitResult {
  jobs: (SlurmJob & { id: string | null })[];
  resolved: string;
}

export function submitPipeline(p: Pipeline, o: SubmitOptions): SubmitResult {
  const resolved = resolvedPath(p.outDir);
  const maxArray = o.maxArraySize ?? (o.dryRun ? safeMaxArraySize() : maxArraySize());
  if (!o.dryRun) {
    const queued = stillQueued(p);
    if (queued.length > 0) {
      throw new ConfigError(
        `jobs of an earlier submit of this pipeline are still queued or running (${queued.join(", ")}); wait for them (gamma slurm status) or scancel them, then submit again`,
      );
    }
    preparePipeline(p);
  }
  const jobs = planJobs(p, resolved, maxArray);
  if (o.dryRun) return { jobs: jobs.map((j) => ({ ...j, id: null })), resolved };
  const dir = join(p.outDir, ".gamma-pipeline", "slurm");
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(p.outDir, "logs", "slurm"), { recursive: true });
  const ids = new Map<string, string>();
  const out: SubmitResult["jobs"] = [];
  jobs.forEach((j, n) => {
    const path = join(dir, `${String(n).padStart(3, "0")}-${j.label.replace(/[^a-z0-9_-]+/gi, "-")}.sbatch`);
    writeFileSync(path, j.script, { mode: 0o755 });
    const dep = j.after.length > 0 ? [`--dependency=afterok:${j.after.map((a) => ids.get(a)!).join(":")}`] : [];
    const id = slurm("sbatch", ["--parsable", ...dep, path])
      .trim()
      .split(";")[0]!;
    ids.set(j.label, id);
    info(`slurm: submitted ${j.label} as job ${id}${j.tasks.length > 0 ? ` (${j.tasks.length} task(s))` : ""}`);
    out.push({ ...j, id });
  });
  writeJsonAtomic(
    jobsFile(p),
    out.map((j) => ({ label: j.label, id: j.id })),
  );
  return { jobs: out, resolved };
}

function safeMaxArraySize(): number {
  try {
    return maxArraySize();
  } catch {
    return DEFAULT_MAX_ARRAY_SIZE;
  }
}

export interface StageStatus {
  name: string;
  tasks: number;
  completed: number;
  merged: boolean;
  missing: number[];
}

/** Completed and total tasks per stage, from the markers. */
export function pipelineStatus(p: Pipeline): StageStatus[] {
  return p.stages.map((s) => {
    const missing = missingTasks(s);
    return { name: s.name, tasks: s.tasks, completed: s.tasks - missing.length, merged: stepDone(s, { kind: "merge" }), missing };
  });
}

export function pipelineComplete(p: Pipeline): boolean {
  return pipelineStatus(p).every((s) => s.merged && s.completed === s.tasks);
}

/** Waits until none of `ids` is queued or running; then the pipeline must be complete. */
export async function waitForJobs(p: Pipeline, ids: string[], pollMs = 1000): Promise<void> {
  let failures = 0;
  while (ids.length > 0) {
    const r = spawnSync("squeue", ["-h", "-j", ids.join(","), "-o", "%A %T"], { encoding: "utf8" });
    // Once every job has left the queue squeue lists nothing, or calls the ids invalid.
    if (r.status === 0 && r.stdout.trim() === "") break;
    if (r.status !== 0 && /invalid job id/i.test(r.stderr ?? "")) break;
    // Any other failure (slurmctld busy or restarting) is asked again, for a while.
    if (r.status !== 0 && ++failures > 120)
      throw new GammaError(
        "slurm",
        `squeue keeps failing: ${(r.stderr || String(r.error)).trim()}; gamma slurm status shows what finished`,
      );
    if (r.status === 0) failures = 0;
    await Bun.sleep(pollMs);
  }
  const status = pipelineStatus(p);
  const unfinished = status.filter((s) => !s.merged || s.completed < s.tasks);
  if (unfinished.length > 0) {
    const what = unfinished
      .map((s) => (s.completed < s.tasks ? `${s.name}: task(s) ${s.missing.join(", ")} not finished` : `${s.name}: merge not finished`))
      .join("; ");
    throw new GammaError(
      "task_failed",
      `the pipeline did not finish: ${what}. Logs in ${join(p.outDir, "logs")}/; submit again to run only what is missing`,
    );
  }
}
