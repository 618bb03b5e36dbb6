import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readNpy } from "../../src/io/npy.ts";
import { gamma } from "../helpers/cli.ts";
import { sentences } from "../ingest/corpus-text.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir();
const env = { SOURCE_DATE_EPOCH: "1700000000" };
const s = sentences(900);
const pairs = Array.from({ length: 400 }, (_, i) => ({ id: `p${i}`, en: s[2 * i], fr: s[2 * i + 1], w: 1 + (i % 4) }));
pairs.push({ id: "dup", en: ` ${s[0]!.toUpperCase()}  `, fr: s[1]!, w: 1 });
writeFileSync(join(dir, "pairs.jsonl"), pairs.map((p) => JSON.stringify(p)).join("\n") + "\n");

describe("sample -> encode -> batches -> check-encode", () => {
  test("split labels are kept from the sample through the cache into the batches", () => {
    const sample = join(dir, "s/manifest.jsonl");
    const r = gamma(
      [
        "sample",
        "--input",
        join(dir, "pairs.jsonl"),
        "--k",
        "120",
        "--seed",
        "42",
        "--src-field",
        "en",
        "--tgt-field",
        "fr",
        "--id-field",
        "id",
        "--weight-field",
        "w",
        "--dedupe",
        "--nfkc",
        "--splits",
        "train=0.8,val=0.1,test=0.1",
        "--split-mode",
        "exact",
        "--out",
        sample,
      ],
      { env },
    );
    expect(r.code).toBe(0);
    const rows = readFileSync(sample, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { uid: string; split: string; src_text: string });
    expect(rows.length).toBe(120);
    expect(rows.filter((x) => x.split === "test").length).toBe(12);
    const meta = JSON.parse(readFileSync(join(dir, "s/manifest.meta.json"), "utf8"));
    expect(meta.algorithm).toBe("reservoir-A-Res (Efraimidis-Spirakis)");
    expect(meta.counts.dropped_duplicate).toBe(1);

    const cache = join(dir, "cache");
    const e = gamma(
      ["encode", "--sample", sample, "--tokenizer", "o200k_base", "--max-len", "40", "--loss-on", "target", "--out-dir", cache],
      { env },
    );
    expect(e.code).toBe(0);
    for (const split of ["train", "val", "test"]) {
      const uids = readFileSync(join(cache, split, "rows.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).uid);
      expect(uids).toEqual(rows.filter((x) => x.split === split).map((x) => x.uid));
      expect(readNpy(join(cache, split, "input_ids.npy")).shape).toEqual([uids.length, 40]);
    }
    const em = JSON.parse(readFileSync(join(cache, "ENCODE.meta.json"), "utf8"));
    expect(em.experiment_id).toMatch(/^[0-9a-f]{16}$/);
    expect(em.normalization.sample).toBe("nfkc");

    const b = gamma(
      ["batches", "--cache", cache, "--split", "val", "--batch-size", "4", "--epochs", "2", "--out-dir", join(dir, "batches")],
      { env },
    );
    expect(b.code).toBe(0);
    const idx = Array.from(readNpy(join(dir, "batches/epoch-00000/index.npy")).data as Int32Array).filter((x) => x >= 0);
    expect(idx.sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));

    expect(gamma(["check-encode", cache], { env }).code).toBe(0);
  });

  test("check-encode names the first row that differs from the sample re-encoded", () => {
    const cache = join(dir, "cache");
    const path = join(cache, "train/labels.npy");
    const bytes = readFileSync(path);
    const a = readNpy(path);
    const flat = a.data as Int32Array;
    const at = 3 * 40 + 1;
    const headerLen = bytes.length - flat.length * 4;
    bytes.writeInt32LE(flat[at]! + 1, headerLen + at * 4);
    writeFileSync(path, bytes);
    const r = gamma(["check-encode", cache], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/train row 3 \(uid [0-9a-f]{64}\): labels\[1\]/);
  });

  test("a SentencePiece model's byte fallback, coverage and normalization are recorded, and its pad defaults to EOS", () => {
    const cache = join(dir, "cache-spm");
    const model = join(import.meta.dir, "../tokenizer/spm/nmt-bf.model");
    const e = gamma(["encode", "--sample", join(dir, "s/manifest.jsonl"), "--tokenizer", model, "--max-len", "48", "--out-dir", cache], {
      env,
    });
    expect(e.stderr).not.toContain("error");
    expect(e.code).toBe(0);
    const em = JSON.parse(readFileSync(join(cache, "ENCODE.meta.json"), "utf8"));
    expect(em.tokenizer.kind).toBe("sentencepiece");
    expect(em.tokenizer.byte_fallback).toBe(true);
    expect(em.tokenizer.normalization).toBe("nmt_nfkc");
    expect(em.tokenizer.character_coverage).toBeGreaterThan(0.9);
    expect(gamma(["check-encode", cache], { env }).code).toBe(0);
  });

  test("bad settings exit 2 naming the flag", () => {
    const r = gamma(
      ["encode", "--sample", join(dir, "s/manifest.jsonl"), "--tokenizer", "o200k_base", "--max-len", "1", "--out-dir", join(dir, "x")],
      { env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--max-len");
    expect(
      gamma(["sample", "--input", join(dir, "pairs.jsonl"), "--k", "3", "--src-field", "en", "--out", join(dir, "y.jsonl")], { env })
        .stderr,
    ).toContain("--src-field and --tgt-field go together");
  });
});
