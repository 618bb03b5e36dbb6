/** `gamma train-tokenizer --model unigram`: a SentencePiece model that spm_encode and gamma read alike. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixtureDocs } from "../../scripts/fixtures/bpe-fixture-docs.ts";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { gamma } from "../helpers/cli.ts";
import { tempDir, writeJsonl } from "../helpers/tmp.ts";

const dir = tempDir("gamma-train-unigram-");
const { train, heldOut } = fixtureDocs();
const shard = writeJsonl(
  join(dir, "docs.jsonl.zst"),
  train.slice(0, 80).map((t, i) => ({ doc_id: `d-${i}`, text: t })),
  "zst",
);
const ENV = { SOURCE_DATE_EPOCH: "1700000000" };
const spmEncode = Bun.which("spm_encode");

describe("gamma train-tokenizer --model unigram", () => {
  test("writes tokenizer.model, tokenizer.json and a manifest that names them, the same for 1 and 2 threads", () => {
    const runs = [1, 2].map((t) => {
      const out = join(dir, `u${t}`);
      const r = gamma(
        [
          "train-tokenizer",
          "--model",
          "unigram",
          "--input",
          shard,
          "--out-dir",
          out,
          "--vocab-size",
          "800",
          "--byte-fallback",
          "--cpu-threads",
          String(t),
        ],
        { env: ENV },
      );
      expect(r.stderr).not.toContain("error");
      expect(r.code).toBe(0);
      return out;
    });
    for (const f of [
      "tokenizer.model",
      "tokenizer.json",
      "tokenizer_config.json",
      "train-tokenizer.manifest.json",
      "documents.jsonl.zst",
    ]) {
      expect(readFileSync(join(runs[0]!, f)).equals(readFileSync(join(runs[1]!, f)))).toBe(true);
    }
    const m = JSON.parse(readFileSync(join(runs[0]!, "train-tokenizer.manifest.json"), "utf8"));
    expect(m.params.model).toBe("unigram");
    expect(m.tokenizer.model).toBe("Unigram");
    expect(m.tokenizer.vocab_size).toBe(800);
    expect(m.outputs["tokenizer.model"].bytes).toBe(readFileSync(join(runs[0]!, "tokenizer.model")).length);
    expect(m.counts.kept).toBe(80);
  });

  test.skipIf(spmEncode === null)("spm_encode reads the trained model and gives gamma's ids on held-out text", async () => {
    const model = join(dir, "u1/tokenizer.model");
    const lines = heldOut
      .flatMap((t) => t.split("\n"))
      .filter((l) => l.trim() !== "")
      .slice(0, 200);
    const p = Bun.spawnSync([spmEncode!, `--model=${model}`, "--output_format=id"], {
      stdin: Buffer.from(lines.join("\n") + "\n"),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(p.exitCode).toBe(0);
    const want = p.stdout.toString().trimEnd().split("\n");
    const tok = await loadTokenizer(model, { requireEos: false });
    expect(want.length).toBe(lines.length);
    lines.forEach((l, i) => expect([i, [...tok.encode(l)].join(" ")]).toEqual([i, want[i]]));
  });

  test("the BPE limits do not apply, but a duplicate special token exits 2 naming the flag", () => {
    const r = gamma(
      [
        "train-tokenizer",
        "--model",
        "unigram",
        "--input",
        shard,
        "--out-dir",
        join(dir, "dup"),
        "--vocab-size",
        "800",
        "--special-tokens",
        "<a>,<a>",
      ],
      { env: ENV },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--special-tokens");
  });
});
