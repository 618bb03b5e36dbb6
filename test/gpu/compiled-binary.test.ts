import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GPU_REQUIRED } from "./gpu-available.ts";

const root = join(import.meta.dir, "../..");
const tmp = mkdtempSync(join(tmpdir(), "gamma-compiled-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("a bun --compile binary carries dawn.node, the WGSL and the CPU worker, and runs alone in an empty directory", () => {
  const build = Bun.spawnSync(
    [
      process.execPath,
      "build",
      "--compile",
      "--minify-syntax",
      join(root, "test/gpu/fixtures/compiled-probe.ts"),
      join(root, "src/kernels/cpu-worker.ts"),
      "--outfile",
      join(tmp, "build", "probe"),
    ],
    { cwd: root, stderr: "pipe", stdout: "pipe" },
  );
  if (build.exitCode !== 0) throw new Error(`bun build failed: ${build.stderr.toString()}`);
  const alone = join(tmp, "alone");
  mkdirSync(alone);
  copyFileSync(join(tmp, "build", "probe"), join(alone, "probe"));
  Bun.spawnSync(["chmod", "+x", join(alone, "probe")]);
  const run = Bun.spawnSync([join(alone, "probe"), alone], {
    cwd: alone,
    stderr: "pipe",
    stdout: "pipe",
    // HOME elsewhere: Mesa keeps its shader cache under ~/.cache.
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(tmp, "home") },
  });
  const line = run.stdout.toString().trim().split("\n").pop() ?? "";
  if (run.exitCode !== 0 || !line.startsWith("{")) throw new Error(`probe failed (${run.exitCode}): ${run.stderr.toString()}`);
  const out = JSON.parse(line) as {
    adapters: string[];
    cpu: { dupOf: number[] };
    gpu?: { dupOf: number[]; backend: string; dispatches: number };
  };
  expect(out.cpu.dupOf).toEqual([-1, -1, 0, -1]);
  if (GPU_REQUIRED) expect(out.adapters.length).toBeGreaterThan(0);
  if (out.adapters.length > 0) {
    expect(out.gpu?.backend).toBe("gpu");
    expect(out.gpu!.dispatches).toBeGreaterThan(0);
    expect(out.gpu!.dupOf).toEqual(out.cpu.dupOf);
  }
  expect(readdirSync(alone)).toEqual(["probe"]); // work files cleaned up, nothing extracted beside it
}, 60_000);
