import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gamma, ROOT } from "../helpers/cli.ts";
import { readZstJson, tempDir } from "../helpers/tmp.ts";

const dir = tempDir("gamma-binary-");

describe("the compiled binary", () => {
  test("builds, and runs smoke, a pipeline and doctor alone in an empty folder", () => {
    const built = join(dir, "build", "gamma");
    const b = Bun.spawnSync([process.execPath, "run", join(ROOT, "scripts/build.ts"), "--outfile", built], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
    });
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
    for (const f of [
      "out/normalized/brown/prose/part-00000.jsonl.zst",
      "out/code/code-sample/code/part-00000.jsonl.zst",
      "out/dedup/deduped.jsonl.zst",
      "out/dedup/decisions.jsonl.zst",
      "out/packed/input_ids.mmap",
      "out/packed/meta.json",
      "out/report.json",
      "out/report.html",
    ]) {
      expect(existsSync(join(alone, f))).toBe(true);
    }
    // verify and inspect work from the binary alone.
    const v = gamma(["verify", "out"], { cwd: alone, bin: "./gamma", env });
    expect(v.code).toBe(0);
    const ins = gamma(["inspect", "out/packed", "--n", "1", "--json"], { cwd: alone, bin: "./gamma", env });
    expect(ins.code).toBe(0);
    expect(JSON.parse(ins.stdout).segments[0].text.length).toBeGreaterThan(0);
    // The tree-sitter grammars are inside the binary: the cut-short module of the code sample is caught.
    expect(JSON.parse(readFileSync(join(alone, "out/report.json"), "utf8")).normalize.by_language.python.dropped.syntax_error_v1).toBe(1);
    // The binary and the source give the same packed rows.
    const src = gamma(["smoke", "--device", "cpu", "--out-dir", join(dir, "from-source")], { env });
    expect(src.code).toBe(0);
    expect(
      readFileSync(join(alone, "out/packed/input_ids.mmap")).equals(readFileSync(join(dir, "from-source/packed/input_ids.mmap"))),
    ).toBe(true);
    // A pipeline's tasks are this binary again (locally, and in the Slurm scripts).
    writeFileSync(
      join(alone, "p.yaml"),
      "out_dir: run\nstages:\n  - name: normalize\n    tasks: 2\n    settings: {input: '${smoke_sample}', source: s, domain: d, id_field: id, max_nul_fraction: 0.05}\n",
    );
    const r = gamma(["run", "p.yaml"], { cwd: alone, bin: "./gamma", env });
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    expect(readFileSync(join(alone, "run/logs/normalize/task-00001.log"), "utf8")).toContain(": done");
    expect(
      gamma(["slurm", "submit", "p.yaml", "--dry-run", "--max-array-size", "10", "--out-dir", "run2"], { cwd: alone, bin: "./gamma", env })
        .stdout,
    ).toContain(`exec ${join(alone, "gamma")} slurm task `);
    const d = gamma(["doctor", "--json"], { cwd: alone, bin: "./gamma" });
    expect(d.code).toBe(0);
    const doc = JSON.parse(d.stdout);
    expect(Array.isArray(doc.adapters)).toBe(true);
    expect(typeof doc.auto).toBe("string");
    if (process.env.GAMMA_REQUIRE_GPU === "1") expect(doc.adapters.length).toBeGreaterThan(0);
    // Tokenizer training counts on workers embedded in the binary; same tokenizer as from source on one thread.
    const shard = join(alone, "out/normalized/brown/prose/part-00000.jsonl.zst");
    const t = gamma(["train-tokenizer", "--input", shard, "--out-dir", "tok", "--vocab-size", "400", "--cpu-threads", "2"], {
      cwd: alone,
      bin: "./gamma",
      env,
    });
    expect(t.stderr).not.toContain("error");
    expect(t.code).toBe(0);
    const ts = gamma(
      ["train-tokenizer", "--input", shard, "--out-dir", join(dir, "tok-source"), "--vocab-size", "400", "--cpu-threads", "1"],
      { env },
    );
    expect(ts.code).toBe(0);
    expect(readFileSync(join(alone, "tok/tokenizer.json")).equals(readFileSync(join(dir, "tok-source/tokenizer.json")))).toBe(true);
    // The embedded language model answers in the worker threads too.
    writeFileSync(join(alone, "lang.yaml"), "base: none\nlang_threshold: 0\n");
    writeFileSync(join(alone, "fr.jsonl"), JSON.stringify({ text: "Une phrase en français, écrite pour la vérification." }) + "\n");
    writeFileSync(join(alone, "de.jsonl"), JSON.stringify({ text: "Ein deutscher Satz, geschrieben für die Prüfung." }) + "\n");
    const l = gamma(
      [
        "normalize",
        "--input",
        "de.jsonl",
        "fr.jsonl",
        "--out-dir",
        "lang",
        "--source",
        "s",
        "--domain",
        "d",
        "--filters",
        "lang.yaml",
        "--cpu-threads",
        "2",
      ],
      { cwd: alone, bin: "./gamma", env },
    );
    expect(l.code).toBe(0);
    const labels = [0, 1].map(
      (k) => readZstJson<{ meta: { language: string } }>(join(alone, `lang/s/d/part-0000${k}.jsonl.zst`))[0]!.meta.language,
    );
    expect(labels).toEqual(["de", "fr"]);
  }, 180_000);
});
