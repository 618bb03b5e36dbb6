/**
 * Flag groups, typed once: a command adds only the groups it uses (device flags only on commands
 * that run kernels, task flags only on stages that split their work) and reads them back into a
 * RunContext.
 */
import { availableParallelism } from "node:os";
import { type Command, Option } from "commander";
import { ConfigError } from "../errors.ts";
import type { DeviceChoice } from "../gpu/device.ts";
import { configureLog } from "../log.ts";
import { makeContext, type RunContext } from "./context.ts";
import { gammaEnv } from "./env.ts";
import { checkTask, SINGLE_TASK, type Task } from "./tasks.ts";

export type FlagGroup = "threads" | "seed" | "device" | "tasks" | "log";

const GROUPS: Record<FlagGroup, Option[]> = {
  threads: [new Option("--cpu-threads <n>", "worker threads for CPU work (default: all cores)")],
  seed: [new Option("--seed <n>", "seed for every random choice").default("0")],
  device: [
    new Option(
      "--device <kind>",
      "where kernels run: auto (a hardware GPU, else CPU; software adapters count as no GPU), cpu, or gpu (any adapter, lavapipe included; error if none)",
    )
      .choices(["auto", "cpu", "gpu"])
      .default("auto"),
    new Option("--gpu-adapter <name>", "pick the WebGPU adapter whose name contains NAME"),
  ],
  tasks: [
    new Option("--task-index <i>", "this task's rank, from 0 (default: GAMMA_TASK_INDEX, else SLURM_ARRAY_TASK_ID, else 0)"),
    new Option("--num-tasks <n>", "how many tasks share the work (default: GAMMA_NUM_TASKS, else SLURM_ARRAY_TASK_COUNT, else 1)"),
    new Option("--merge", "combine what the --num-tasks finished tasks wrote into the final outputs (run once, after every task)"),
  ],
  log: [
    new Option("--verbose", "more log lines on stderr"),
    new Option("--log-every <n>", "progress line every N records when stderr is not a terminal (env GAMMA_LOG_EVERY)"),
  ],
};

/** Adds the flags of `groups` to `cmd` (log flags always). */
export function withFlags(cmd: Command, ...groups: FlagGroup[]): Command {
  const all = new Set<FlagGroup>([...groups, "log"]);
  for (const g of all) for (const o of GROUPS[g]) cmd.addOption(o);
  return cmd;
}

export function intFlag(flag: string, v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof v === "number" ? v : Number(v);
  if (v === "" || v === null || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** The run context from parsed flags (those a command did not add take their defaults). */
export function readContext(o: Record<string, unknown>): RunContext {
  const env = gammaEnv();
  const threads = o.cpuThreads === undefined ? availableParallelism() : intFlag("--cpu-threads", o.cpuThreads, 1, 1024);
  const seed = intFlag("--seed", o.seed ?? 0, 0, 0xffffffff);
  const logEvery = o.logEvery !== undefined ? intFlag("--log-every", o.logEvery, 0) : (env.logEvery ?? 300);
  const verbose = Boolean(o.verbose);
  configureLog({ verbose, logEvery });
  const { task, merge } = readTask(o);
  return makeContext({
    threads,
    seed,
    task,
    merge,
    verbose,
    device: (o.device as DeviceChoice) ?? "auto",
    gpuAdapter: o.gpuAdapter as string | undefined,
    env,
  });
}

/** Adds the task flags alone (for commands that take the older global flags). */
export function addTaskFlags(cmd: Command): Command {
  for (const o of GROUPS.tasks) cmd.addOption(o);
  return cmd;
}

/** This process's task and whether it merges, from the flags, else the environment. */
export function readTask(o: Record<string, unknown>): { task: Task; merge: boolean } {
  const env = gammaEnv();
  const count = o.numTasks !== undefined ? intFlag("--num-tasks", o.numTasks, 1) : (env.numTasks ?? 1);
  const merge = o.merge === true;
  if (merge) {
    if (o.taskIndex !== undefined) throw new ConfigError("--merge runs once for all tasks: leave out --task-index");
    return { task: { index: 0, count }, merge };
  }
  const index = o.taskIndex !== undefined ? intFlag("--task-index", o.taskIndex, 0) : (env.taskIndex ?? 0);
  return { task: count === 1 && index === 0 ? SINGLE_TASK : checkTask({ index, count }), merge };
}
