/** The flags every command takes, parsed and validated once. */
import { availableParallelism } from "node:os";
import { Command, Option } from "commander";
import { ConfigError } from "../errors.ts";
import type { DeviceChoice } from "../gpu/device.ts";
import { configureLog } from "../log.ts";

export interface Globals {
  cpuThreads: number;
  device: DeviceChoice;
  gpuAdapter: string | undefined;
  seed: number;
  verbose: boolean;
  logEvery: number;
}

export function addGlobals(cmd: Command): Command {
  return cmd
    .addOption(new Option("--cpu-threads <n>", "worker threads for CPU work (default: all cores)"))
    .addOption(new Option("--device <kind>", "where MinHash kernels run: auto (a hardware GPU, else CPU; software adapters count as no GPU), cpu, or gpu (any adapter, lavapipe included; error if none)").choices(["auto", "cpu", "gpu"]).default("auto"))
    .addOption(new Option("--gpu-adapter <name>", "pick the WebGPU adapter whose name contains NAME"))
    .addOption(new Option("--seed <n>", "seed for every random choice (mixing, sampling, MinHash permutations)").default("0"))
    .addOption(new Option("--verbose", "more log lines on stderr"))
    .addOption(new Option("--log-every <n>", "progress line every N records when stderr is not a terminal (env GAMMA_LOG_EVERY)"));
}

export function intArg(flag: string, v: unknown, min = 0): number {
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${flag} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** A comma-separated list flag ("a,b"): its non-empty items; [] when the flag is absent. */
export function listArg(v: unknown): string[] {
  return v === undefined ? [] : String(v).split(",").filter((t) => t.length > 0);
}

export function numArg(flag: string, v: unknown, min: number, max: number): number {
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(`${flag} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

export function readGlobals(o: Record<string, unknown>): Globals {
  const cpuThreads = o.cpuThreads === undefined ? availableParallelism() : intArg("--cpu-threads", o.cpuThreads, 1);
  const envEvery = process.env.GAMMA_LOG_EVERY;
  const logEvery = o.logEvery !== undefined ? intArg("--log-every", o.logEvery, 0) : envEvery ? intArg("GAMMA_LOG_EVERY", envEvery, 0) : 300;
  const seed = intArg("--seed", o.seed ?? 0, 0);
  if (seed > 0xffffffff) throw new ConfigError(`--seed must fit in 32 bits (0 to 4294967295), got ${seed}`);
  const g: Globals = {
    cpuThreads,
    device: (o.device as DeviceChoice) ?? "auto",
    gpuAdapter: o.gpuAdapter as string | undefined,
    seed,
    verbose: Boolean(o.verbose),
    logEvery,
  };
  configureLog({ verbose: g.verbose, logEvery: g.logEvery });
  return g;
}
