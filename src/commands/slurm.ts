import { spawnSync } from "node:child_process";
import { Command, Option } from "commander";
import { ConfigError, GammaError } from "../errors.ts";
import { configureLog, info } from "../log.ts";
import { readResolved } from "../pipeline/prepare.ts";
import { pipelineStatus, queuedJobs, submitPipeline, waitForJobs } from "../pipeline/slurm.ts";
import { loadPipeline, stageNamed } from "../pipeline/spec.ts";
import { startStep, stepLabel, type Step } from "../pipeline/steps.ts";
import { intFlag, readContext, withFlags } from "../runtime/flags.ts";
import { gammaEnv } from "../runtime/env.ts";
import { commands } from "./index.ts";

function submitCommand(): Command {
  return withFlags(new Command("submit"))
    .description(
      "Submit a pipeline file to Slurm: per stage, an array job of the tasks not yet finished (--array=0-N%max_parallel, split at the cluster's MaxArraySize) and a merge job after it; each stage starts after the previous stage's merge succeeded. Prints the job ids. Submitting again runs only what is missing.",
    )
    .argument("<pipeline.yaml>", "the pipeline file")
    .option("--out-dir <dir>", "output root (overrides the file's out_dir); must be on a file system every node sees")
    .option("--dry-run", "print the sbatch scripts and their dependencies; submit nothing")
    .option("--wait", "block until the pipeline's jobs have ended; exit 1 if a task failed")
    .addOption(new Option("--max-array-size <n>", "largest array the cluster takes (default: MaxArraySize from scontrol show config)"))
    .action(async (file: string, o) => {
      readContext(o);
      const p = loadPipeline(file, commands(), o.outDir);
      const r = submitPipeline(p, {
        dryRun: Boolean(o.dryRun),
        maxArraySize: o.maxArraySize === undefined ? undefined : intFlag("--max-array-size", o.maxArraySize, 1),
      });
      if (o.dryRun) {
        const text = r.jobs.map(
          (j, n) =>
            `# job ${n + 1} of ${r.jobs.length}: ${j.label}${j.after.length > 0 ? ` (sbatch --dependency=afterok on: ${j.after.join(", ")})` : ""}\n${j.script}`,
        );
        process.stdout.write(r.jobs.length === 0 ? "# nothing to submit: every task and merge is done\n" : text.join("\n"));
        return;
      }
      if (r.jobs.length === 0) info("slurm: nothing to submit: every task and merge is done");
      process.stdout.write(
        JSON.stringify({ out_dir: p.outDir, jobs: r.jobs.map((j) => ({ label: j.label, id: j.id, tasks: j.tasks })) }) + "\n",
      );
      if (o.wait)
        await waitForJobs(
          p,
          r.jobs.map((j) => j.id!),
        );
    });
}

function statusCommand(): Command {
  return withFlags(new Command("status"))
    .description(
      "Completed and total tasks per stage of a pipeline, and whether each stage's merge is done, from the completion markers in its out_dir; then the last submit's jobs Slurm still has queued or running.",
    )
    .argument("<pipeline.yaml>", "the pipeline file")
    .option("--out-dir <dir>", "output root (overrides the file's out_dir)")
    .option("--json", "print the status as JSON")
    .action((file: string, o) => {
      readContext(o);
      const p = loadPipeline(file, commands(), o.outDir);
      const s = pipelineStatus(p);
      const queued = queuedJobs(p);
      if (o.json) {
        process.stdout.write(JSON.stringify({ out_dir: p.outDir, stages: s, queued }) + "\n");
        return;
      }
      const w = Math.max(...s.map((x) => x.name.length));
      const lines = s.map(
        (x) =>
          `${x.name.padEnd(w)}  ${x.completed}/${x.tasks} tasks  merge ${x.merged ? "done" : "pending"}${x.missing.length > 0 && x.missing.length <= 20 ? `  (missing: ${x.missing.join(", ")})` : ""}`,
      );
      for (const j of queued)
        lines.push(
          `queued or running: ${j.label} (job ${j.id}: ${Object.entries(j.states)
            .map(([st, n]) => `${n} ${st}`)
            .join(", ")})`,
        );
      process.stdout.write(`${p.outDir}\n${lines.join("\n")}\n`);
    });
}

function taskCommand(): Command {
  return withFlags(new Command("task"))
    .description(
      "Run one step of a submitted pipeline: what each Slurm job runs. The task is --task-offset plus SLURM_ARRAY_TASK_ID (or --task-index); --merge runs the stage's merge. On SIGUSR1 (Slurm's warning before preemption or the time limit) it stops the step and requeues its job with scontrol; the task resumes from what it finished.",
    )
    .argument("<pipeline.json>", "the resolved pipeline that submit wrote (OUT_DIR/.gamma-pipeline/pipeline.json)")
    .requiredOption("--stage <name>", "the stage")
    .option("--task-offset <k>", "add K to SLURM_ARRAY_TASK_ID (arrays split at MaxArraySize)")
    .option("--task-index <i>", "the task (instead of the array's id)")
    .option("--merge", "run the stage's merge")
    .action(async (file: string, o) => {
      // Not readContext: the array's task count is not the stage's (a second submit runs a few).
      configureLog({ verbose: Boolean(o.verbose) });
      const p = readResolved(file);
      const stage = stageNamed(p, o.stage);
      const env = gammaEnv();
      let step: Step;
      if (o.merge) step = { kind: "merge" };
      else if (o.taskIndex !== undefined) step = { kind: "task", index: intFlag("--task-index", o.taskIndex, 0, stage.tasks - 1) };
      else {
        if (env.slurmArrayTaskId === null)
          throw new ConfigError(
            "gamma slurm task: no --task-index and no SLURM_ARRAY_TASK_ID: run it as an array job, or pass --task-index",
          );
        step = { kind: "task", index: intFlag("--task-offset", o.taskOffset ?? 0, 0) + env.slurmArrayTaskId };
        if (step.index >= stage.tasks) throw new ConfigError(`${stage.name}: task ${step.index} does not exist (${stage.tasks} tasks)`);
      }
      const label = stepLabel(stage, step);
      info(`${label}: starting${env.slurmJobId ? ` in Slurm job ${env.slurmJobId}` : ""}`);
      const run = startStep(p, stage, step);
      let requeue = false;
      process.on("SIGUSR1", () => {
        requeue = true;
        info(`${label}: warned of preemption or the time limit; stopping to requeue`);
        run.child?.kill("SIGTERM");
      });
      process.on("SIGTERM", () => run.child?.kill("SIGTERM"));
      const code = await run.done;
      if (run.skipped) info(`${label}: already done; skipped`);
      if (requeue && code !== 0) {
        if (env.slurmJobId === null)
          throw new GammaError("task_failed", `${label}: stopped by SIGUSR1 outside Slurm; run it again to resume`);
        const r = spawnSync("scontrol", ["requeue", env.slurmJobId], { encoding: "utf8" });
        if (r.status !== 0)
          throw new GammaError(
            "task_failed",
            `${label}: scontrol requeue ${env.slurmJobId} failed: ${(r.stderr || String(r.error)).trim()}`,
          );
        info(`${label}: requeued job ${env.slurmJobId}; it resumes from the finished work`);
        return;
      }
      if (code !== 0) throw new GammaError("task_failed", `${label}: failed (exit code ${code}); see ${p.outDir}/logs/${stage.name}/`);
      info(`${label}: done`);
    });
}

export function slurmCommand(): Command {
  return new Command("slurm")
    .description(
      "Run a pipeline file on a Slurm cluster: `gamma slurm submit PIPELINE.yaml` (array jobs per stage, merges, dependencies; --dry-run prints the scripts, --wait blocks), `gamma slurm status PIPELINE.yaml` (tasks done per stage). Nodes need only this gamma and a shared file system.",
    )
    .addCommand(submitCommand().exitOverride())
    .addCommand(statusCommand().exitOverride())
    .addCommand(taskCommand().exitOverride());
}
