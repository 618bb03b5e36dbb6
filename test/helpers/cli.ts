import { join } from "node:path";

export const ROOT = join(import.meta.dir, "../..");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI from source (or a given binary) and collects its output. */
export function gamma(args: string[], opts: { cwd?: string; env?: Record<string, string>; bin?: string } = {}): Run {
  const cmd = opts.bin ? [opts.bin, ...args] : [process.execPath, join(ROOT, "src/cli.ts"), ...args];
  const r = Bun.spawnSync(cmd, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, GAMMA_LOG_EVERY: "0", ...opts.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
