/**
 * The run context: made once from a command's flags and the checked environment, handed to every
 * stage as `run(config, ctx)`. The device is chosen lazily: a run that needs no GPU never loads
 * the WebGPU addon.
 */
import type { Backend, DeviceChoice } from "../gpu/device.ts";
import { gammaEnv, type GammaEnv } from "./env.ts";
import { SINGLE_TASK, type Task } from "./tasks.ts";

export interface RunContext {
  /** Worker threads for CPU work (--cpu-threads). */
  readonly threads: number;
  /** Seed of every random choice (--seed). */
  readonly seed: number;
  /** This process's share of the work (--task-index / --num-tasks). */
  readonly task: Task;
  /** Combine the finished tasks' outputs (--merge) instead of doing a share. */
  readonly merge: boolean;
  readonly verbose: boolean;
  readonly env: GammaEnv;
  readonly deviceChoice: DeviceChoice;
  readonly gpuAdapter: string | undefined;
  /** The kernels' backend, chosen on first use (loads the WebGPU addon only when it may run). */
  device(): Promise<Backend>;
}

export interface ContextInit {
  threads: number;
  seed?: number;
  task?: Task;
  merge?: boolean;
  verbose?: boolean;
  device?: DeviceChoice;
  gpuAdapter?: string;
  env?: GammaEnv;
}

export function makeContext(i: ContextInit): RunContext {
  let backend: Promise<Backend> | null = null;
  const deviceChoice = i.device ?? "auto";
  return {
    threads: i.threads,
    seed: i.seed ?? 0,
    task: i.task ?? SINGLE_TASK,
    merge: i.merge ?? false,
    verbose: i.verbose ?? false,
    env: i.env ?? gammaEnv(),
    deviceChoice,
    gpuAdapter: i.gpuAdapter,
    device() {
      backend ??= import("../gpu/device.ts").then((d) => d.selectBackend({ device: deviceChoice, adapterName: i.gpuAdapter }));
      return backend;
    },
  };
}
