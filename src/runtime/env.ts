/**
 * Every environment variable gamma reads, read and checked in one place, before any work starts:
 * a bad value exits 2 naming the variable. Workers get the checked values in their messages,
 * never by changing process.env.
 */
import { ConfigError } from "../errors.ts";

export interface GammaEnv {
  /** GAMMA_ZSTD_LEVEL: level of every .zst gamma writes (1 to 22, default 3). */
  zstdLevel: number;
  /** SOURCE_DATE_EPOCH: seconds since 1970 for every timestamp gamma writes; null = the clock. */
  sourceDateEpoch: number | null;
  /** GAMMA_LOG_EVERY: a progress line every N records when stderr is not a terminal. */
  logEvery: number | null;
  /** GAMMA_TOKENIZER_DIR: folders searched for tokenizers named without a path. */
  tokenizerDirs: string;
  /** GAMMA_DEBUG: stack traces of an error's cause. */
  debug: boolean;
  /** GAMMA_TASK_INDEX / GAMMA_NUM_TASKS, else Slurm's array variables: this process's task. */
  taskIndex: number | null;
  numTasks: number | null;
  /**
   * The Slurm job this process runs in, as scontrol names it: ARRAYJOB_TASK for an array task
   * (SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID), else SLURM_JOB_ID. A pipeline task requeues it on
   * preemption.
   */
  slurmJobId: string | null;
  /** SLURM_ARRAY_TASK_ID: this array task's index within its array job. */
  slurmArrayTaskId: number | null;
  /**
   * This task's GPU on a node with several: the first of GPU_DEVICE_ORDINAL or
   * CUDA_VISIBLE_DEVICES (as Slurm sets them for a job's GPUs), else SLURM_LOCALID; null outside a
   * scheduler. The run picks the hardware adapter at this index.
   */
  gpuLocalIndex: number | null;
}

function intVar(env: Record<string, string | undefined>, name: string, min: number, max: number): number | null {
  const raw = env[name];
  if (raw === undefined || raw === "") return null;
  const n = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`, { code: "bad_env" });
  }
  return n;
}

/** Reads and checks the environment (default: this process's). Throws ConfigError naming the variable. */
export function readEnv(env: Record<string, string | undefined> = process.env): GammaEnv {
  const taskIndex = intVar(env, "GAMMA_TASK_INDEX", 0, 1 << 30) ?? slurmTask(env).index;
  const numTasks = intVar(env, "GAMMA_NUM_TASKS", 1, 1 << 30) ?? slurmTask(env).count;
  return {
    zstdLevel: intVar(env, "GAMMA_ZSTD_LEVEL", 1, 22) ?? 3,
    sourceDateEpoch: intVar(env, "SOURCE_DATE_EPOCH", 0, 253402300799),
    logEvery: intVar(env, "GAMMA_LOG_EVERY", 0, Number.MAX_SAFE_INTEGER),
    tokenizerDirs: env.GAMMA_TOKENIZER_DIR ?? "",
    debug: Boolean(env.GAMMA_DEBUG),
    taskIndex,
    numTasks,
    slurmJobId: slurmJobId(env),
    slurmArrayTaskId: slurmTask(env).index,
    gpuLocalIndex: gpuLocalIndex(env),
  };
}

function slurmJobId(env: Record<string, string | undefined>): string | null {
  const num = (v: string | undefined) => (/^\d+$/.test(v ?? "") ? v! : null);
  const array = num(env.SLURM_ARRAY_JOB_ID);
  const task = num(env.SLURM_ARRAY_TASK_ID);
  if (array !== null && task !== null) return `${array}_${task}`;
  return num(env.SLURM_JOB_ID);
}

/** The first plain number of a device list such as "2,3"; UUID lists (GPU-...) say nothing about order. */
function firstOrdinal(list: string | undefined): number | null {
  const first = (list ?? "").split(",")[0]!.trim();
  return /^\d{1,4}$/.test(first) ? Number(first) : null;
}

function gpuLocalIndex(env: Record<string, string | undefined>): number | null {
  return firstOrdinal(env.GPU_DEVICE_ORDINAL) ?? firstOrdinal(env.CUDA_VISIBLE_DEVICES) ?? firstOrdinal(env.SLURM_LOCALID);
}

/** Slurm's array task id and count, when the process runs as an array task. */
function slurmTask(env: Record<string, string | undefined>): { index: number | null; count: number | null } {
  const index = intVar(env, "SLURM_ARRAY_TASK_ID", 0, 1 << 30);
  const count = intVar(env, "SLURM_ARRAY_TASK_COUNT", 1, 1 << 30);
  return { index, count };
}

/** The checked environment of this process (read each time: tests and workers set it). */
export function gammaEnv(): GammaEnv {
  return readEnv();
}
