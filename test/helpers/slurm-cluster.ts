/**
 * A real single-node Slurm cluster for tests (slurm-cluster.sh beside this file): Debian's
 * slurmctld and slurmd with munge, as root without systemd, its state in a temp folder and its
 * ports free ones. Clients find it through SLURM_CONF. Missing binaries or no root: the tests
 * are skipped and say why, unless GAMMA_REQUIRE_SLURM=1 makes that a failure.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPT = join(import.meta.dir, "slurm-cluster.sh");

export const REQUIRE_SLURM = process.env.GAMMA_REQUIRE_SLURM === "1";

/** Why a cluster cannot start here, or null when it can. */
export function slurmMissing(): string | null {
  if (process.getuid?.() !== 0) return "the test cluster runs its daemons as root";
  for (const b of ["slurmctld", "slurmd", "munged", "sbatch", "squeue", "scontrol", "scancel"]) {
    if (spawnSync("sh", ["-c", `command -v ${b} || test -x /usr/sbin/${b}`]).status !== 0)
      return `${b} is not installed (Debian: slurmctld slurmd munge)`;
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface SlurmCluster {
  dir: string;
  /** Environment for Slurm clients and for gamma (SLURM_CONF). */
  env: Record<string, string>;
  /** Runs a Slurm client command against this cluster. */
  client(cmd: string, args: string[]): { code: number; stdout: string; stderr: string };
  stop(): void;
}

export async function startSlurmCluster(o: { maxArraySize?: number } = {}): Promise<SlurmCluster> {
  const dir = mkdtempSync(join(tmpdir(), "gamma-slurm-"));
  const ctld = await freePort();
  let slurmd = await freePort();
  while (slurmd === ctld) slurmd = await freePort();
  const r = spawnSync("bash", [SCRIPT, "start", dir, String(o.maxArraySize ?? 1001)], {
    encoding: "utf8",
    env: { ...process.env, SLURMCTLD_PORT: String(ctld), SLURMD_PORT: String(slurmd), PATH: `${process.env.PATH}:/usr/sbin` },
  });
  const stop = () => {
    spawnSync("bash", [SCRIPT, "stop", dir]);
    rmSync(dir, { recursive: true, force: true });
  };
  if (r.status !== 0) {
    stop();
    throw new Error(`the test Slurm cluster did not start (exit ${r.status}): ${r.stderr}${r.stdout}`);
  }
  const env = { SLURM_CONF: join(dir, "slurm.conf") };
  return {
    dir,
    env,
    client(cmd, args) {
      const c = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env } });
      return { code: c.status ?? -1, stdout: c.stdout ?? "", stderr: c.stderr ?? "" };
    },
    stop,
  };
}
