import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zlib from "node:zlib";
import { sentences } from "../ingest/corpus-text.ts";
import { gamma, gammaOk, sha256 } from "./run.ts";

const root = mkdtempSync(join(tmpdir(), "gamma-cli-sample-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// 300 distinct real sentences as normalized documents in two shards (one zstd), plus a Hub-style manifest beside one.
const texts = [...new Set(sentences(330, 1000))].slice(0, 300);
const shardDir = join(root, "norm/src/web");
mkdirSync(shardDir, { recursive: true });
const doc = (text: string, i: number) =>
  JSON.stringify({ text, source: "src", domain: "web", doc_id: `d${i}`, license_tag: null, created_at: null, meta: null });
writeFileSync(join(shardDir, "part-00000.jsonl"), texts.slice(0, 150).map(doc).join("\n") + "\n{broken\n");
writeFileSync(
  join(shardDir, "part-00001.jsonl.zst"),
  zlib.zstdCompressSync(
    Buffer.from(
      texts
        .slice(150)
        .map((t, i) => doc(t, i + 150))
        .join("\n") + "\n",
    ),
  ),
);
const hf = {
  dataset: "HuggingFaceFW/fineweb-edu",
  config: "default",
  split: "train",
  revision: "main",
  resolved_sha: "a".repeat(40),
  file: "data/x.parquet",
  file_index: 1,
  files_total: 2,
  complete: true,
};
writeFileSync(join(shardDir, "part-00001.manifest.json"), JSON.stringify({ kind: "gamma.normalize.shard/v1", params: { hf } }));
const glob = join(root, "norm/**/*.jsonl*");

interface Row {
  uid: string;
  split: string;
  doc_id: string;
  text: string;
}
const rowsOf = (p: string): Row[] =>
  readFileSync(p, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

async function sample(name: string, seed: number, extra: string[] = []) {
  const out = join(root, `${name}.jsonl`);
  await gammaOk([
    "sample",
    "--input",
    glob,
    "--k",
    "40",
    "--seed",
    String(seed),
    "--splits",
    "train=0.8,val=0.1,test=0.1",
    "--out",
    out,
    ...extra,
  ]);
  return { out, rows: rowsOf(out), meta: JSON.parse(readFileSync(join(root, `${name}.meta.json`), "utf8")) };
}

describe("gamma sample", () => {
  test("the same seed and inputs give a byte-identical sample; another seed gives another set", async () => {
    const a = await sample("a", 7);
    const b = await sample("b", 7);
    const c = await sample("c", 8);
    expect(readFileSync(a.out).equals(readFileSync(b.out))).toBe(true);
    expect(readFileSync(join(root, "a.meta.json"), "utf8").replace(/"path": "a\.jsonl"/, "")).toBe(
      readFileSync(join(root, "b.meta.json"), "utf8").replace(/"path": "b\.jsonl"/, ""),
    );
    const setA = new Set(a.rows.map((r) => r.uid));
    const setC = new Set(c.rows.map((r) => r.uid));
    expect(setA.size).toBe(40);
    expect(setC.size).toBe(40);
    expect([...setA].filter((u) => setC.has(u)).length).toBeLessThan(40);
  });

  test("rows are input documents with uid = sha256 of the text, in input order, with a split that depends on the uid alone", async () => {
    const a = await sample("d", 3);
    const c = await sample("e", 4);
    const index = new Map(texts.map((t, i) => [t, i]));
    for (const r of a.rows) {
      expect(r.uid).toBe(sha256(r.text));
      expect(r.doc_id).toBe(`d${index.get(r.text)}`);
      expect(["train", "val", "test"]).toContain(r.split);
    }
    const order = a.rows.map((r) => index.get(r.text)!);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    const splitA = new Map(a.rows.map((r) => [r.uid, r.split]));
    for (const r of c.rows) if (splitA.has(r.uid)) expect(r.split).toBe(splitA.get(r.uid)!);
  });

  test("MANIFEST.meta.json records the inputs with sha256, the revisions of their manifests, seed, k, splits, filters and the algorithm", async () => {
    const { meta, out } = await sample("m", 11, ["--min-chars", "20"]);
    expect(meta.inputs.map((i: { path: string; sha256: string }) => [i.path, i.sha256])).toEqual(
      ["part-00000.jsonl", "part-00001.jsonl.zst"].map((f) => [join(shardDir, f), sha256(readFileSync(join(shardDir, f)))]),
    );
    expect(meta.inputs[1].manifest.sha256).toBe(sha256(readFileSync(join(shardDir, "part-00001.manifest.json"))));
    expect(meta.revisions).toEqual([
      { dataset: hf.dataset, config: "default", split: "train", revision: "main", resolved_sha: hf.resolved_sha },
    ]);
    expect(meta).toMatchObject({
      seed: "11",
      k: 40,
      algorithm: "reservoir-R",
      prng: "splitmix64",
      split_mode: "hash",
      filters: { minChars: 20, dedupe: false },
    });
    expect(meta.splits).toEqual([
      { name: "train", fraction: 0.8 },
      { name: "val", fraction: 0.1 },
      { name: "test", fraction: 0.1 },
    ]);
    const short = texts.filter((t) => t.trim().length < 20).length;
    expect(meta.counts).toMatchObject({ seen: 300, eligible: 300 - short, sampled: 40, bad_json_lines: 1 });
    expect(meta.output.sha256).toBe(sha256(readFileSync(out)));
  });

  test("k larger than the input keeps every document", async () => {
    const out = join(root, "all.jsonl");
    await gammaOk(["sample", "--input", glob, "--k", "1000", "--seed", "1", "--out", out]);
    expect(new Set(rowsOf(out).map((r) => r.text))).toEqual(new Set(texts));
  });

  test("bad --splits is a usage error naming the flag", async () => {
    const r = await gamma(["sample", "--input", glob, "--k", "5", "--splits", "train=0.8,val=0.3", "--out", join(root, "x.jsonl")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--splits");
  });
});
