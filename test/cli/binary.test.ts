import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { gamma, ROOT } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir("gamma-binary-");

describe("the compiled binary", () => {
  test("builds, and runs smoke and doctor alone in an empty folder", () => {
    const built = join(dir, "build", "gamma");
    const b = Bun.spawnSync([process.execPath, "run", join(ROOT, "scripts/build.ts"), "--outfile", built], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    expect(b.exitCode).toBe(0);
    const alone = join(dir, "alone");
    mkdirSync(alone);
    copyFileSync(built, join(alone, "gamma"));
    Bun.spawnSync(["chmod", "+x", join(alone, "gamma")]);
    const env = { SOURCE_DATE_EPOCH: "1767225600", PATH: "/usr/bin:/bin" };
    const s = gamma(["smoke", "--device", "cpu"], { cwd: alone, bin: "./gamma", env });
    expect(s.stderr).not.toContain("internal error");
    expect(s.code).toBe(0);
    expect(s.stdout).toContain("every stage adds up");
    for (const f of ["out/normalized/brown/prose/part-00000.jsonl.zst", "out/dedup/deduped.jsonl.zst", "out/dedup/decisions.jsonl.zst", "out/packed/input_ids.mmap", "out/packed/meta.json", "out/report.json", "out/report.html"]) {
      expect(existsSync(join(alone, f))).toBe(true);
    }
    // verify and inspect work from the binary alone.
    const v = gamma(["verify", "out"], { cwd: alone, bin: "./gamma", env });
    expect(v.code).toBe(0);
    const ins = gamma(["inspect", "out/packed", "--n", "1", "--json"], { cwd: alone, bin: "./gamma", env });
    expect(ins.code).toBe(0);
    expect(JSON.parse(ins.stdout).segments[0].text.length).toBeGreaterThan(0);
    // The binary and the source give the same packed rows.
    const src = gamma(["smoke", "--device", "cpu", "--out-dir", join(dir, "from-source")], { env });
    expect(src.code).toBe(0);
    expect(readFileSync(join(alone, "out/packed/input_ids.mmap")).equals(readFileSync(join(dir, "from-source/packed/input_ids.mmap")))).toBe(true);
    const d = gamma(["doctor", "--json"], { cwd: alone, bin: "./gamma" });
    expect(d.code).toBe(0);
    const doc = JSON.parse(d.stdout);
    expect(Array.isArray(doc.adapters)).toBe(true);
    expect(typeof doc.auto).toBe("string");
    if (process.env.GAMMA_REQUIRE_GPU === "1") expect(doc.adapters.length).toBeGreaterThan(0);
  }, 180_000);
});
