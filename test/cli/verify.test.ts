import { describe, expect, test } from "bun:test";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gamma } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir();
const out = join(dir, "smoke");
const env = { SOURCE_DATE_EPOCH: "1767225600" };
const OUTPUTS = [
  "normalized/brown/prose/part-00000.jsonl.zst",
  "normalized/brown/prose/part-00000.rejects.jsonl.zst",
  "dedup/deduped.jsonl.zst",
  "dedup/decisions.jsonl.zst",
  "packed/input_ids.mmap",
  "packed/index.jsonl.zst",
  "inputs/sample.jsonl.zst",
  "inputs/o200k_base.tiktoken",
];

describe("gamma verify", () => {
  test("passes a clean smoke run and records every file with its sha256 and verified_at", () => {
    expect(gamma(["smoke", "--out-dir", out, "--device", "cpu", "--cpu-threads", "1"], { env }).code).toBe(0);
    const r = gamma(["verify", out], { env });
    expect(r.stderr).not.toContain("problem(s) under");
    expect(r.code).toBe(0);
    const rec = JSON.parse(readFileSync(join(out, "verify.json"), "utf8"));
    expect(rec).toMatchObject({ kind: "gamma.verify/v1", verified_at: "2026-01-01T00:00:00.000Z", ok: true, problems: [] });
    const checked = new Set(rec.files.map((f: { path: string }) => f.path));
    for (const f of OUTPUTS) expect(checked).toContain(f);
    for (const f of rec.files) expect(f.found_sha256).toBe(f.sha256);
    // normalize kept -> dedup in, dedup kept -> pack in
    expect(rec.carry.map((c: { what: string; ok: boolean }) => [c.what.split(" ")[0], c.ok])).toEqual([
      ["dedup", true],
      ["pack", true],
    ]);
    // A second run does not trip over its own record.
    expect(gamma(["verify", out], { env }).code).toBe(0);
  });

  test("catches one flipped byte in any output or input file, naming it", () => {
    for (const f of OUTPUTS) {
      const p = join(out, f);
      const orig = readFileSync(p);
      const bad = Buffer.from(orig);
      bad[bad.length >> 1] ^= 0x01;
      writeFileSync(p, bad);
      const r = gamma(["verify", out, "--out", join(dir, "v.json")], { env });
      writeFileSync(p, orig);
      expect([f, r.code]).toEqual([f, 1]);
      expect(r.stderr).toContain(`changed: ${f} `);
      expect(JSON.parse(readFileSync(join(dir, "v.json"), "utf8")).ok).toBe(false);
    }
    expect(gamma(["verify", out], { env }).code).toBe(0);
  });

  test("a folder without manifests is a usage error", () => {
    const r = gamma(["verify", join(out, "inputs")], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no gamma manifest");
  });

  test("names a deleted shard as missing", () => {
    const p = join(out, OUTPUTS[0]!);
    renameSync(p, p + ".away");
    const r = gamma(["verify", out], { env });
    renameSync(p + ".away", p);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`missing: ${OUTPUTS[0]}`);
  });

  test("catches counts that add up within a stage but do not carry over from the stage before", () => {
    const p = join(out, "dedup/dedup.manifest.json");
    const orig = readFileSync(p, "utf8");
    const m = JSON.parse(orig);
    m.counts.in += 1;
    m.counts.dropped.exact_dup += 1;
    writeFileSync(p, JSON.stringify(m, null, 2));
    const r = gamma(["verify", out], { env });
    writeFileSync(p, orig);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "counts do not carry over: dedup dedup/dedup.manifest.json read 182 documents, but its inputs hold 181 kept documents",
    );
  });
});
