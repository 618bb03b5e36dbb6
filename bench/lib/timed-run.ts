/** Whole-process timing for the bench scripts: wall seconds, CPU seconds (user + system, all threads), stdout. */

export interface Timed {
  seconds: number;
  cpu: number;
  out: string;
}

export function timedRun(cmd: string[], cwd: string): Timed {
  const t0 = performance.now();
  const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, GAMMA_LOG_EVERY: "0" } });
  const seconds = (performance.now() - t0) / 1000;
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${r.exitCode}):\n${r.stderr.toString()}`);
  return { seconds, cpu: Number(r.resourceUsage.cpuTime.total) / 1e6, out: r.stdout.toString() };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
