import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gamma } from "../helpers/cli.ts";
import { tempDir, writeJsonl } from "../helpers/tmp.ts";
import { dupCorpus } from "../near/fixtures/dup-corpus.ts";

const dir = tempDir();
const corpus = dupCorpus(3, 16, 16);
const docs = corpus.texts.map((text, i) => ({
  text,
  source: "web",
  domain: "prose",
  doc_id: `d${i}`,
  license_tag: null,
  created_at: "2023-11-14T22:13:20.000Z",
  meta: {},
}));
const third = Math.ceil(docs.length / 3);
for (let s = 0; s < 3; s++) writeJsonl(join(dir, `part-0000${s}.jsonl`), docs.slice(s * third, (s + 1) * third));
const input = join(dir, "part-*.jsonl");
const env = { SOURCE_DATE_EPOCH: "1700000000" };
const flags = ["--device", "cpu", "--mode", "both", "--threshold", "0.7"];
const OUTPUTS = ["deduped.jsonl.zst", "decisions.jsonl.zst", "dedup.manifest.json"];

describe("gamma dedup with --task-index/--num-tasks and --merge", () => {
  test("three tasks then --merge from the command line write the files of a plain run; --merge before every task exits 1 naming the missing ones", () => {
    const plain = join(dir, "plain");
    expect(gamma(["dedup", "--input", input, "--out-dir", plain, ...flags], { env }).code).toBe(0);
    const out = join(dir, "tasks");
    const t1 = gamma(["dedup", "--input", input, "--out-dir", out, ...flags, "--task-index", "1", "--num-tasks", "3"], { env });
    expect(t1.code).toBe(0);
    expect(JSON.parse(t1.stdout)).toEqual({ task: { index: 1, count: 3 }, shards: [1, 2], docs: third });
    const early = gamma(["dedup", "--input", input, "--out-dir", out, ...flags, "--num-tasks", "3", "--merge"], { env });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("task(s) 0, 2 of 3 have not finished");
    expect(existsSync(join(out, "dedup.manifest.json"))).toBe(false);
    // The task may come from the environment a scheduler sets.
    expect(
      gamma(["dedup", "--input", input, "--out-dir", out, ...flags], { env: { ...env, GAMMA_TASK_INDEX: "0", GAMMA_NUM_TASKS: "3" } }).code,
    ).toBe(0);
    expect(gamma(["dedup", "--input", input, "--out-dir", out, ...flags, "--task-index", "2", "--num-tasks", "3"], { env }).code).toBe(0);
    const merge = gamma(["dedup", "--input", input, "--out-dir", out, ...flags, "--num-tasks", "3", "--merge"], { env });
    expect(merge.code).toBe(0);
    const counts = JSON.parse(merge.stdout).counts;
    expect(counts.dropped.exact_dup).toBeGreaterThan(0);
    expect(counts.dropped.near_dup).toBeGreaterThan(0);
    for (const f of OUTPUTS) expect(readFileSync(join(out, f)).equals(readFileSync(join(plain, f)))).toBe(true);
  });

  test("--merge with --task-index is a usage error (exit 2)", () => {
    const r = gamma(
      ["dedup", "--input", input, "--out-dir", join(dir, "bad"), ...flags, "--task-index", "0", "--num-tasks", "2", "--merge"],
      { env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--merge");
  });

  test("--help names the task flags", () => {
    const r = gamma(["dedup", "--help"]);
    for (const f of ["--task-index", "--num-tasks", "--merge", ".dedup-work"]) expect(r.stdout).toContain(f);
  });
});
