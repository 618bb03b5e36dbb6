import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { gamma } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir();

function noStack(r: { stderr: string }) {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain("internal error");
}

describe("gamma CLI", () => {
  test("--help lists every command and --version prints the version", () => {
    const h = gamma(["--help"]);
    expect(h.code).toBe(0);
    for (const c of [
      "smoke",
      "normalize",
      "dedup",
      "pack",
      "report",
      "verify",
      "inspect",
      "tokenize",
      "inspect-megatron",
      "checksum",
      "doctor",
      "hf-configs",
      "hf-stream",
      "ingest-manifest",
      "ingest-wikipedia",
      "ingest-stackexchange",
      "sample",
    ])
      expect(h.stdout).toContain(c);
    const v = gamma(["--version"]);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test("a command's --help explains its flags and the shared ones it uses, device flags only where kernels run", () => {
    const h = gamma(["normalize", "--help"]);
    expect(h.code).toBe(0);
    for (const f of [
      "--input",
      "--text-field",
      "--id-field",
      "--filters",
      "--strict",
      "--cpu-threads",
      "--seed",
      "--log-every",
      "--task-index",
      "--num-tasks",
      "min_chars=100",
    ])
      expect(h.stdout).toContain(f);
    expect(h.stdout).not.toContain("--device");
    expect(gamma(["normalize", "--device", "cpu"]).code).toBe(2);
    const d = gamma(["dedup", "--help"]);
    for (const f of ["--device", "--gpu-adapter", "--cpu-threads"]) expect(d.stdout).toContain(f);
  });

  test("an unknown flag or a missing required one exits 2", () => {
    expect(gamma(["normalize", "--bogus"]).code).toBe(2);
    const r = gamma(["normalize", "--input", "x.jsonl"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--out-dir");
  });

  test("an empty glob exits 2 and names the pattern", () => {
    const r = gamma(["normalize", "--input", join(dir, "none/**/*.jsonl"), "--out-dir", join(dir, "o"), "--source", "s", "--domain", "d"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("none/**/*.jsonl");
    noStack(r);
  });

  test("a bad filters YAML exits 2 naming the file", () => {
    writeFileSync(join(dir, "in.jsonl"), JSON.stringify({ text: "x" }) + "\n");
    writeFileSync(join(dir, "f.yaml"), "min_chars: [oops\n");
    const r = gamma([
      "normalize",
      "--input",
      join(dir, "in.jsonl"),
      "--out-dir",
      join(dir, "o"),
      "--source",
      "s",
      "--domain",
      "d",
      "--filters",
      join(dir, "f.yaml"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("f.yaml");
    const r2 =
      (writeFileSync(join(dir, "g.yaml"), "min_charz: 5\n"),
      gamma([
        "normalize",
        "--input",
        join(dir, "in.jsonl"),
        "--out-dir",
        join(dir, "o"),
        "--source",
        "s",
        "--domain",
        "d",
        "--filters",
        join(dir, "g.yaml"),
      ]));
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('unknown setting "min_charz"');
  });

  test("a corrupt .zst input exits 1 with a message naming the file and no stack trace", () => {
    const body = zlib.zstdCompressSync(
      Buffer.from(Array.from({ length: 2000 }, (_, i) => JSON.stringify({ text: `line ${i} `.repeat(20) })).join("\n")),
    );
    writeFileSync(join(dir, "cut.jsonl.zst"), body.subarray(0, body.length - 100));
    const r = gamma(["normalize", "--input", join(dir, "cut.jsonl.zst"), "--out-dir", join(dir, "o2"), "--source", "s", "--domain", "d"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cut.jsonl.zst");
    expect(r.stderr).toContain("truncated");
    noStack(r);
  });

  test("pack with a missing tokenizer exits 2 and names it", () => {
    writeFileSync(join(dir, "docs.jsonl"), JSON.stringify({ text: "hello", doc_id: "a", source: "s", domain: "d" }) + "\n");
    const r = gamma([
      "pack",
      "--input",
      join(dir, "docs.jsonl"),
      "--tokenizer",
      join(dir, "missing.json"),
      "--seq-len",
      "16",
      "--out-dir",
      join(dir, "p"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing.json");
    noStack(r);
  });

  test("pack with a manifest whose weight is bad exits 2 naming the entry", () => {
    writeFileSync(
      join(dir, "m.yaml"),
      "tokenizer: t.json\nseq_len: 8\nsources:\n  - {name: web, weight: 1}\n  - {name: wiki, weight: -2}\n",
    );
    const r = gamma(["pack", "--manifest", join(dir, "m.yaml"), "--out-dir", join(dir, "p2"), "--num-seqs", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("sources[1].weight (wiki)");
  });

  test("--gpu-adapter that matches nothing is an error listing what exists, and leaves no output behind", () => {
    const r = gamma([
      "dedup",
      "--input",
      join(dir, "docs.jsonl"),
      "--out-dir",
      join(dir, "d"),
      "--mode",
      "near",
      "--device",
      "gpu",
      "--gpu-adapter",
      "no-such-gpu-xyz",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no-such-gpu-xyz");
    noStack(r);
    expect(existsSync(join(dir, "d")) ? readdirSync(join(dir, "d")) : []).toEqual([]);
  });

  test("smoke gives byte-identical outputs with 1 and 2 CPU threads, and the report adds up", () => {
    const env = { SOURCE_DATE_EPOCH: "1767225600" };
    const a = gamma(["smoke", "--out-dir", join(dir, "s1"), "--cpu-threads", "1", "--device", "cpu"], { env });
    const b = gamma(["smoke", "--out-dir", join(dir, "s2"), "--cpu-threads", "2", "--device", "cpu"], { env });
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.stdout).toContain("every stage adds up");
    // Rejects name the input file, which lies in each run's own folder.
    const rejects = (d: string) =>
      zlib
        .zstdDecompressSync(readFileSync(join(dir, d, "normalized/brown/prose/part-00000.rejects.jsonl.zst")))
        .toString()
        .replaceAll(join(dir, d), "OUT");
    expect(rejects("s2")).toBe(rejects("s1"));
    for (const f of [
      "normalized/brown/prose/part-00000.jsonl.zst",
      "code/code-sample/code/part-00000.jsonl.zst",
      "code/code-sample/code/part-00000.rejects.jsonl.zst",
      "dedup/deduped.jsonl.zst",
      "dedup/decisions.jsonl.zst",
      "packed/input_ids.mmap",
      "packed/index.jsonl.zst",
    ]) {
      expect(readFileSync(join(dir, "s2", f)).equals(readFileSync(join(dir, "s1", f)))).toBe(true);
    }
    const rep = JSON.parse(readFileSync(join(dir, "s1", "report.json"), "utf8"));
    expect(rep.adds_up).toBe(true);
    expect(rep.created_at).toBe("2026-01-01T00:00:00.000Z");
    expect(rep.dedup[0].counts.dropped.exact_dup).toBe(12);
    expect(rep.dedup[0].counts.dropped.near_dup).toBeGreaterThan(0);
    // the code sample's planted cases, one reason each
    const py = rep.normalize.by_language.python;
    for (const r of ["syntax_error_v1", "autogenerated_v1", "test_file_v1", "star_tier_v1"]) expect(py.dropped[r]).toBeGreaterThan(0);
    expect(rep.normalize.by_language.javascript.dropped.minified_v1).toBe(1);
  });
});
