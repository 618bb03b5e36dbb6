/**
 * The flags commands share, as the runtime's flag groups (src/runtime/flags.ts): threads and seed
 * by default, device flags only where kernels run (dedup, smoke), log flags always.
 */
import type { Command } from "commander";
import { ConfigError } from "../errors.ts";
import type { DeviceChoice } from "../gpu/device.ts";
import { readContext, withFlags, type FlagGroup } from "../runtime/flags.ts";

export interface Globals {
  cpuThreads: number;
  device: DeviceChoice;
  gpuAdapter: string | undefined;
  seed: number;
  verbose: boolean;
}

/** Adds the flag groups a command uses (default: threads and seed). */
export function addGlobals(cmd: Command, ...groups: FlagGroup[]): Command {
  return withFlags(cmd, ...(groups.length > 0 ? groups : (["threads", "seed"] as FlagGroup[])));
}

export function intArg(flag: string, v: unknown, min = 0): number {
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${flag} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** A comma-separated list flag ("a,b"): its non-empty items; [] when the flag is absent. */
export function listArg(v: unknown): string[] {
  return v === undefined
    ? []
    : String(v)
        .split(",")
        .filter((t) => t.length > 0);
}

export function numArg(flag: string, v: unknown, min: number, max: number): number {
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new ConfigError(`${flag} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

export function readGlobals(o: Record<string, unknown>): Globals {
  const ctx = readContext(o);
  return { cpuThreads: ctx.threads, device: ctx.deviceChoice, gpuAdapter: ctx.gpuAdapter, seed: ctx.seed, verbose: ctx.verbose };
}
