/**
 * Tasks: a stage's work split into `count` deterministic shares, one per task, so that N processes
 * (on one machine or as a scheduler's array) together do what one does. Each task writes its own
 * outputs and, last, a completion marker; a rerun skips tasks whose marker is there; a merge step
 * reads the per-task results in task order.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";

export interface Task {
  /** 0-based rank. */
  index: number;
  /** World size (>= 1). */
  count: number;
}

export const SINGLE_TASK: Task = { index: 0, count: 1 };

export function checkTask(t: Task): Task {
  if (!Number.isInteger(t.count) || t.count < 1) throw new ConfigError(`--num-tasks must be an integer >= 1, got ${t.count}`);
  if (!Number.isInteger(t.index) || t.index < 0 || t.index >= t.count) {
    throw new ConfigError(`--task-index must be an integer from 0 to ${t.count - 1} (--num-tasks ${t.count}), got ${t.index}`);
  }
  return t;
}

/** The contiguous share [start, end) of n items that task `t` owns; shares differ in size by at most one. */
export function shareRange(n: number, t: Task): [number, number] {
  const base = Math.floor(n / t.count);
  const extra = n % t.count;
  const start = t.index * base + Math.min(t.index, extra);
  return [start, start + base + (t.index < extra ? 1 : 0)];
}

/** The items of task `t`'s share, in order. */
export function shareOf<T>(items: readonly T[], t: Task): T[] {
  const [a, b] = shareRange(items.length, t);
  return items.slice(a, b);
}

/** Five-digit task number used in per-task file names: task-00003. */
export function taskName(t: Task): string {
  return `task-${String(t.index).padStart(5, "0")}`;
}

/** Where a stage's completion markers live under its output folder. */
export function markerDir(outDir: string): string {
  return join(outDir, ".gamma-tasks");
}

export function markerPath(outDir: string, stage: string, t: Task): string {
  return join(markerDir(outDir), `${stage}.${taskName(t)}-of-${String(t.count).padStart(5, "0")}.done.json`);
}

export interface Marker {
  stage: string;
  task: Task;
  /** Hash of the stage's parameters and inputs: a marker made for other work does not count. */
  key: string;
  /** What the task produced, for the merge step. */
  result: unknown;
}

/** The marker of a finished task made for the same work (`key`), or null. */
export function readMarker(outDir: string, stage: string, t: Task, key: string): Marker | null {
  const p = markerPath(outDir, stage, t);
  if (!existsSync(p)) return null;
  try {
    const m = JSON.parse(readFileSync(p, "utf8")) as Marker;
    return m.key === key && m.stage === stage ? m : null;
  } catch {
    return null;
  }
}

/** Written last, after every output of the task is in place. */
export function writeMarker(outDir: string, stage: string, t: Task, key: string, result: unknown): void {
  writeJsonAtomic(markerPath(outDir, stage, t), { stage, task: t, key, result } satisfies Marker);
}

/** The markers of all `count` tasks made for `key`, in task order; null entries are tasks not finished. */
export function allMarkers(outDir: string, stage: string, count: number, key: string): (Marker | null)[] {
  return Array.from({ length: count }, (_, index) => readMarker(outDir, stage, { index, count }, key));
}
