/** `gamma train-tokenizer` end to end: inputs, budgets, outputs, determinism, errors. */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { fixtureDocs } from "../../scripts/fixtures/bpe-fixture-docs.ts";
import { gamma } from "../helpers/cli.ts";
import { readZstJson, tempDir, writeJsonl } from "../helpers/tmp.ts";

const dir = tempDir("gamma-train-tok-");
const { train, heldOut } = fixtureDocs();
const brownDocs = train.filter((_, i) => i % 2 === 0).slice(0, 30);
const nlpDocs = train.filter((_, i) => i % 2 === 1).slice(0, 30);
const ENV = { SOURCE_DATE_EPOCH: "1700000000" };

// Any JSONL: text under "body", ids under "id", one broken line and one without the field.
const anyJsonl = writeJsonl(join(dir, "any.jsonl"), [
  ...brownDocs.slice(0, 20).map((t, i) => ({ id: i, body: t })),
  "{not json",
  { id: "x", title: "no body" },
]);
const brownShard = writeJsonl(
  join(dir, "brown.jsonl.zst"),
  brownDocs.map((t, i) => ({ doc_id: `brown-${i}`, text: t })),
  "zst",
);
const nlpShard = writeJsonl(
  join(dir, "nlp.jsonl.zst"),
  nlpDocs.map((t, i) => ({ doc_id: `nlp-${i}`, text: t })),
  "zst",
);
const manifest = join(dir, "stageA.yaml");
writeFileSync(
  manifest,
  `sources:\n  - name: brown\n    weight: 3\n    paths: [brown.jsonl.zst]\n  - name: nlp\n    weight: 1\n    paths: [nlp.jsonl.zst]\n`,
);

const SPECIALS = ["--special-tokens", "<|endoftext|>,<|fim_prefix|>", "--special-tokens", "<|fim_middle|>"];

function files(out: string): Record<string, Buffer> {
  const r: Record<string, Buffer> = {};
  for (const f of readdirSync(out).sort()) r[f] = readFileSync(join(out, f));
  return r;
}

describe("gamma train-tokenizer", () => {
  test("writes a tokenizer folder that is byte-identical for 1 and 3 threads", () => {
    const outs = [1, 3].map((t) => {
      const out = join(dir, `threads-${t}`);
      const r = gamma(
        [
          "train-tokenizer",
          "--input",
          brownShard,
          nlpShard,
          "--out-dir",
          out,
          "--vocab-size",
          "600",
          "--min-frequency",
          "2",
          ...SPECIALS,
          "--cpu-threads",
          String(t),
        ],
        { env: ENV },
      );
      expect(r.stderr).not.toContain("error");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).vocab_size).toBe(600);
      return files(out);
    });
    expect(Object.keys(outs[0]!)).toEqual([
      "documents.jsonl.zst",
      "tokenizer.json",
      "tokenizer_config.json",
      "train-tokenizer.manifest.json",
    ]);
    expect(outs[1]).toEqual(outs[0]!);
  });

  test("the folder loads in @huggingface/tokenizers and in gamma tokenize and gamma pack, with <|endoftext|> as EOS", () => {
    const out = join(dir, "threads-1");
    const json = JSON.parse(readFileSync(join(out, "tokenizer.json"), "utf8"));
    expect(json.added_tokens.map((t: { content: string; id: number }) => [t.content, t.id])).toEqual([
      ["<|endoftext|>", 0],
      ["<|fim_prefix|>", 1],
      ["<|fim_middle|>", 2],
    ]);
    const config = JSON.parse(readFileSync(join(out, "tokenizer_config.json"), "utf8"));
    expect([config.eos_token, config.pad_token, config.model_max_length, config.bos_token]).toEqual([
      "<|endoftext|>",
      "<|endoftext|>",
      8192,
      undefined,
    ]);
    const hf = new HfTokenizer(json, config);
    expect(hf.decode(hf.encode(heldOut[0]!, { add_special_tokens: false }).ids)).toBe(heldOut[0]!);

    const tok = gamma(["tokenize", "--input", nlpShard, "--tokenizer", out, "--out-dir", join(dir, "tokenized"), "--format", "npy"], {
      env: ENV,
    });
    expect(tok.code).toBe(0);
    const meta = JSON.parse(readFileSync(join(dir, "tokenized", "manifest.json"), "utf8"));
    expect(JSON.stringify(meta)).toContain("gamma-bpe");
    const pack = gamma(["pack", "--input", nlpShard, "--tokenizer", out, "--seq-len", "64", "--out-dir", join(dir, "packed")], {
      env: ENV,
    });
    expect(pack.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "packed", "meta.json"), "utf8")).eos_id).toBe(0);
  });

  test("the manifest records inputs with sha256, settings, counts and the tokenizer's sha256", () => {
    const out = join(dir, "threads-1");
    const m = JSON.parse(readFileSync(join(out, "train-tokenizer.manifest.json"), "utf8"));
    expect(m.kind).toBe("gamma.train-tokenizer/v1");
    expect(m.created_at).toBe("2023-11-14T22:13:20.000Z");
    expect(m.inputs.map((i: { path: string }) => i.path)).toEqual([brownShard, nlpShard]);
    expect(m.inputs[0].sha256).toBe(new Bun.CryptoHasher("sha256").update(readFileSync(brownShard)).digest("hex"));
    expect(m.params).toMatchObject({
      model: "bpe",
      pretokenizer: "gpt2",
      vocab_size: 600,
      min_frequency: 2,
      special_tokens: ["<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>"],
    });
    expect(m.counts).toEqual({ in: 60, kept: 60, dropped: {}, rejected: {}, modified: {} });
    const sha = new Bun.CryptoHasher("sha256").update(readFileSync(join(out, "tokenizer.json"))).digest("hex");
    expect(m.tokenizer.sha256).toBe(sha);
    expect(m.outputs["tokenizer.json"].sha256).toBe(sha);
    expect(m.tokenizer.merges).toBe(600 - 3 - 256);
  });

  test("reads any JSONL through --text-field, rejects broken lines with a reason, and lists the documents used", () => {
    const out = join(dir, "any");
    const r = gamma(
      ["train-tokenizer", "--input", anyJsonl, "--text-field", "body", "--out-dir", out, "--vocab-size", "300", "--cpu-threads", "1"],
      { env: ENV },
    );
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, "train-tokenizer.manifest.json"), "utf8"));
    expect(m.counts).toEqual({ in: 22, kept: 20, dropped: {}, rejected: { invalid_json: 1, no_text_field: 1 }, modified: {} });
    const list = readZstJson<{ doc_id: string; source: string; bytes: number }>(join(out, "documents.jsonl.zst"));
    expect(list.length).toBe(20);
    expect(list[3]).toEqual({ doc_id: "3", source: "input", bytes: Buffer.byteLength(brownDocs[3]!) });
  });

  test("--manifest draws documents from the sources by weight with the seed, within --max-docs", () => {
    const run = (seed: string, out: string) =>
      gamma(
        [
          "train-tokenizer",
          "--manifest",
          manifest,
          "--max-docs",
          "24",
          "--seed",
          seed,
          "--out-dir",
          out,
          "--vocab-size",
          "400",
          "--cpu-threads",
          "2",
        ],
        { env: ENV },
      );
    expect(run("7", join(dir, "mix-a")).code).toBe(0);
    expect(run("7", join(dir, "mix-b")).code).toBe(0);
    expect(run("8", join(dir, "mix-c")).code).toBe(0);
    const list = (d: string) => readZstJson<{ doc_id: string; source: string }>(join(dir, d, "documents.jsonl.zst"));
    const a = list("mix-a");
    expect(a.length).toBe(24);
    const brown = a.filter((d) => d.source === "brown").length;
    expect(brown).toBeGreaterThan(12); // weight 3 : 1
    expect(a.length - brown).toBeGreaterThan(0);
    expect(a.every((d) => d.doc_id.startsWith(d.source))).toBe(true);
    expect(list("mix-b")).toEqual(a);
    expect(list("mix-c").map((d) => d.doc_id)).not.toEqual(a.map((d) => d.doc_id));
    const m = JSON.parse(readFileSync(join(dir, "mix-a", "train-tokenizer.manifest.json"), "utf8"));
    expect(m.sources).toEqual([
      { name: "brown", share: 0.75, files: 1 },
      { name: "nlp", share: 0.25, files: 1 },
    ]);
    expect(m.params.manifest.sha256).toBe(new Bun.CryptoHasher("sha256").update(readFileSync(manifest)).digest("hex"));
    expect(m.params.seed).toBe(7);
  });

  test("--max-bytes stops after the document that reaches the budget", () => {
    const out = join(dir, "bytes");
    const budget = Buffer.byteLength(brownDocs[0]!) + 1;
    expect(
      gamma(
        [
          "train-tokenizer",
          "--input",
          brownShard,
          "--max-bytes",
          String(budget),
          "--out-dir",
          out,
          "--vocab-size",
          "300",
          "--cpu-threads",
          "1",
        ],
        { env: ENV },
      ).code,
    ).toBe(0);
    expect(readZstJson(join(out, "documents.jsonl.zst")).map((d) => d.doc_id)).toEqual(["brown-0", "brown-1"]);
  });

  const bad: [string, string[], RegExp][] = [
    [
      "a vocabulary smaller than the alphabet plus the special tokens",
      ["--vocab-size", "258", ...SPECIALS],
      /--vocab-size: vocabulary size 258 is smaller than the 256-byte alphabet plus 3 special tokens \(259\)/,
    ],
    [
      "a special token given twice",
      ["--special-tokens", "<|endoftext|>,<|pad|>,<|endoftext|>"],
      /--special-tokens: special token "<\|endoftext\|>" is given twice/,
    ],
    [
      "an EOS token that is not a special token",
      ["--special-tokens", "<|pad|>"],
      /--eos-token "<\|endoftext\|>" is not one of --special-tokens/,
    ],
    ["no documents", ["--text-field", "nothing"], /no documents to train on from --input .*--text-field nothing/],
  ];
  for (const [what, args, message] of bad) {
    test(`exits 2 naming the flag for ${what}, leaving no tokenizer behind`, () => {
      const out = join(dir, `bad-${what.length}`);
      const r = gamma(["train-tokenizer", "--input", anyJsonl, "--out-dir", out, "--cpu-threads", "1", ...args], { env: ENV });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(out, "tokenizer.json"))).toBe(false);
    });
  }
});
