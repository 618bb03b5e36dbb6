import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { gamma } from "../helpers/cli.ts";
import { tempDir, writeJsonl } from "../helpers/tmp.ts";

const dir = tempDir();
const input = writeJsonl(join(dir, "in.jsonl"), [
  {
    text: "one two three four five six",
    source: "s",
    domain: "d",
    doc_id: "a",
    license_tag: null,
    created_at: "2023-11-14T22:13:20.000Z",
    meta: {},
  },
]);

describe("gamma dedup checks its flags before any work", () => {
  for (const [flags, named] of [
    [["--threshold", "2"], "--threshold"],
    [["--shingle", "token:0"], "--shingle"],
    [["--shingle", "word:99999"], "--shingle"],
    [["--num-perm", "5000"], "--num-perm"],
    [["--bands", "40", "--rows", "7"], "--bands"],
    [["--near-clusters", "chains"], "--near-clusters"],
    [["--verify", "maybe"], "--verify"],
  ] as const) {
    test(`${flags.join(" ")} exits 2 naming ${named} and leaves no output folder`, () => {
      const out = join(dir, `out-${flags.join("-").replace(/[^a-z0-9-]/gi, "")}`);
      const r = gamma(["dedup", "--input", input, "--out-dir", out, "--device", "cpu", ...flags]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(named);
      expect(r.stderr).not.toContain("internal error");
      expect(existsSync(out)).toBe(false);
    });
  }

  test("token shingles and greedy clusters run end to end from the command line", () => {
    const out = join(dir, "ok");
    const r = gamma([
      "dedup",
      "--input",
      input,
      "--out-dir",
      out,
      "--device",
      "cpu",
      "--shingle",
      "token:5",
      "--threshold",
      "0.85",
      "--near-clusters",
      "greedy",
    ]);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, "dedup.manifest.json"))).toBe(true);
  });
});
