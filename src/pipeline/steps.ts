/**
 * The steps of a pipeline stage: N tasks, then one merge. A step runs the stage's gamma command
 * as a child process (the same gamma), its output appended to a per-step log, and writes a
 * completion marker when the command succeeded; a step whose marker is there (made for the same
 * work) is skipped. Local runs and Slurm jobs run steps the same way, so they give the same files.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { info } from "../log.ts";
import { readMarker, taskName, writeMarker, type Task } from "../runtime/tasks.ts";
import { gammaCommand } from "./self.ts";
import type { Pipeline, Stage } from "./spec.ts";

export type Step = { kind: "task"; index: number } | { kind: "merge" };

/** The marker names of the pipeline's own steps (the stage command writes its own beside them). */
const TASK_MARKER = "pipeline-task";
const MERGE_MARKER = "pipeline-merge";
const MERGE_TASK: Task = { index: 0, count: 1 };

export function stepLabel(stage: Stage, step: Step): string {
  return step.kind === "merge" ? `${stage.name} merge` : `${stage.name} task ${step.index} of ${stage.tasks}`;
}

/** Arguments of the gamma command a step runs (after the gamma command itself). */
export function stepArgs(stage: Stage, step: Step): string[] {
  const base = [stage.command, ...stage.args, "--out-dir", stage.outDir];
  if (!stage.splits) return base;
  if (step.kind === "merge") return [...base, "--num-tasks", String(stage.tasks), "--merge"];
  return [...base, "--task-index", String(step.index), "--num-tasks", String(stage.tasks)];
}

/** Whether a step runs a command at all: a stage that does not split has no merge command. */
export function stepHasCommand(stage: Stage, step: Step): boolean {
  return step.kind === "task" || stage.splits;
}

export function logPath(p: Pipeline, stage: Stage, step: Step): string {
  return join(
    p.outDir,
    "logs",
    stage.name,
    step.kind === "merge" ? "merge.log" : `${taskName({ index: step.index, count: stage.tasks })}.log`,
  );
}

export function stepDone(stage: Stage, step: Step): boolean {
  return step.kind === "merge"
    ? readMarker(stage.outDir, MERGE_MARKER, MERGE_TASK, stage.key) !== null
    : readMarker(stage.outDir, TASK_MARKER, { index: step.index, count: stage.tasks }, stage.key) !== null;
}

function markDone(stage: Stage, step: Step, result: unknown): void {
  if (step.kind === "merge") writeMarker(stage.outDir, MERGE_MARKER, MERGE_TASK, stage.key, result);
  else writeMarker(stage.outDir, TASK_MARKER, { index: step.index, count: stage.tasks }, stage.key, result);
}

/** The task indices of `stage` whose marker is missing, in order. */
export function missingTasks(stage: Stage): number[] {
  const out: number[] = [];
  for (let i = 0; i < stage.tasks; i++) if (!stepDone(stage, { kind: "task", index: i })) out.push(i);
  return out;
}

export interface StepRun {
  /** The child gamma, while it runs (to stop it on preemption). */
  child: import("node:child_process").ChildProcess | null;
  /** Exit code: 0 done (or already done), else the command's code. */
  done: Promise<number>;
  skipped: boolean;
}

/**
 * Starts one step: skipped when its marker is there; otherwise the stage command runs with its
 * output appended to the step's log, and the marker is written when it exits 0.
 */
export function startStep(p: Pipeline, stage: Stage, step: Step): StepRun {
  const label = stepLabel(stage, step);
  if (stepDone(stage, step)) return { child: null, done: Promise.resolve(0), skipped: true };
  if (!stepHasCommand(stage, step)) {
    markDone(stage, step, { command: null });
    return { child: null, done: Promise.resolve(0), skipped: false };
  }
  const log = logPath(p, stage, step);
  mkdirSync(dirname(log), { recursive: true });
  mkdirSync(stage.outDir, { recursive: true });
  const args = stepArgs(stage, step);
  const fd = openSync(log, "a");
  writeSync(fd, `gamma: ${label}: start: gamma ${args.map(quote).join(" ")}\n`);
  const [cmd, ...pre] = gammaCommand();
  const child = spawn(cmd!, [...pre, ...args], { stdio: ["ignore", fd, fd], env: childEnv() });
  const done = new Promise<number>((resolveDone) => {
    const finish = (code: number, why: string) => {
      try {
        writeSync(fd, `gamma: ${label}: ${why}\n`);
      } finally {
        closeSync(fd);
      }
      if (code === 0) {
        markDone(stage, step, { command: ["gamma", ...args] });
        if (!stage.splits) markDone(stage, { kind: "merge" }, { command: null });
      }
      resolveDone(code);
    };
    child.on("error", (e) => finish(127, `could not start: ${e.message}`));
    child.on("exit", (code, signal) =>
      finish(code ?? 128, signal !== null ? `stopped by ${signal}` : code === 0 ? "done" : `failed with exit code ${code}`),
    );
  });
  return { child, done, skipped: false };
}

/** Runs one step to the end; logs what happened. Returns the exit code. */
export async function runStep(p: Pipeline, stage: Stage, step: Step): Promise<number> {
  const r = startStep(p, stage, step);
  const code = await r.done;
  const label = stepLabel(stage, step);
  if (r.skipped) info(`${label}: already done; skipped`);
  else if (code !== 0) info(`${label}: failed (exit code ${code}); see ${logPath(p, stage, step)}`);
  return code;
}

/** The task is in the arguments: the array's own variables (a subset of the tasks) must not count. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
    "GAMMA_TASK_INDEX",
    "GAMMA_NUM_TASKS",
  ])
    delete env[k];
  return env;
}

function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
}

export { quote as shellQuote };
