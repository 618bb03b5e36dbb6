/**
 * `gamma run`: a pipeline on this machine. Each stage runs its tasks as gamma processes, as many
 * at once as the CPU threads allow (a task uses its stage's cpus_per_task), then its merge step;
 * finished steps (by their markers) are skipped, so a rerun resumes where a run stopped.
 */
import { GammaError } from "../errors.ts";
import { info } from "../log.ts";
import { preparePipeline } from "./prepare.ts";
import { missingTasks, runStep, stepDone } from "./steps.ts";
import type { Pipeline } from "./spec.ts";

export interface StageRun {
  name: string;
  tasks: number;
  /** Task steps this run executed (the rest were already done). */
  ran: number;
  merged: boolean;
}

/** Runs `fn` over `items`, at most `limit` at a time; resolves with the results in order. */
async function pooled<T, R>(items: T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

export async function runPipelineLocally(p: Pipeline, cpuThreads: number): Promise<StageRun[]> {
  preparePipeline(p);
  const runs: StageRun[] = [];
  for (const stage of p.stages) {
    const todo = missingTasks(stage);
    const parallel = Math.max(1, Math.floor(cpuThreads / stage.resources.cpus_per_task));
    const limit = stage.resources.max_parallel > 0 ? Math.min(parallel, stage.resources.max_parallel) : parallel;
    const mergeDone = stepDone(stage, { kind: "merge" });
    if (todo.length === 0 && mergeDone) {
      info(`${stage.name}: all ${stage.tasks} task(s) and the merge already done; skipped`);
      runs.push({ name: stage.name, tasks: stage.tasks, ran: 0, merged: false });
      continue;
    }
    info(`${stage.name}: ${todo.length} of ${stage.tasks} task(s) to run, ${Math.min(limit, Math.max(1, todo.length))} at a time`);
    // Every task runs even when one fails, so that a rerun has less left to do.
    const codes = await pooled(todo, limit, (index) => runStep(p, stage, { kind: "task", index }));
    const failed = todo.filter((_, k) => codes[k] !== 0);
    if (failed.length > 0) {
      throw new GammaError(
        "task_failed",
        `${stage.name}: task(s) ${failed.join(", ")} of ${stage.tasks} failed; logs in ${p.outDir}/logs/${stage.name}/. Fix the cause and run again: finished tasks are kept`,
      );
    }
    const code = stage.splits ? await runStep(p, stage, { kind: "merge" }) : 0;
    if (code !== 0)
      throw new GammaError(
        "task_failed",
        `${stage.name}: the merge failed (exit code ${code}); see ${p.outDir}/logs/${stage.name}/merge.log`,
      );
    runs.push({ name: stage.name, tasks: stage.tasks, ran: todo.length, merged: !mergeDone });
  }
  return runs;
}
