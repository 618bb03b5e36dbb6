import { beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { ConfigError, InputError } from "../../src/errors.ts";
import { sha256Hex } from "../../src/io/hash.ts";
import { decodeModelProto, PieceType } from "../../src/tokenizer/spm/model-proto.ts";
import { SpmUnigram } from "../../src/tokenizer/spm/unigram-encoder.ts";
import { runTrainUnigram } from "../../src/tokenizer/unigram/stage.ts";
import { trainUnigram } from "../../src/tokenizer/unigram/train.ts";
import { tempDir } from "../helpers/tmp.ts";
import { brownParagraphs } from "../ingest/corpus-text.ts";
import { heldOutLines } from "./spm/fixtures.ts";

const tmp = tempDir("gamma-unigram-");
const files = Array.from({ length: 60 }, (_, i) => `c${"abcdefghjklmnpr"[i % 15]}${String(Math.floor(i / 15) + 1).padStart(2, "0")}`);
const corpus = files.flatMap((f) => brownParagraphs(f));
const held = heldOutLines().filter((l) => l !== "");

function spmEncode(model: string, lines: string[]): string[] {
  const input = join(tmp, "held.txt");
  writeFileSync(input, `${lines.join("\n")}\n`);
  const r = spawnSync("spm_encode", [`--model=${model}`, "--output_format=id", input], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`spm_encode failed: ${r.stderr}`);
  return r.stdout.split("\n").slice(0, lines.length);
}

describe("Unigram training", () => {
  let dir: string;
  let manifest: Record<string, unknown>;
  beforeAll(async () => {
    dir = join(tmp, "nmt");
    manifest = await runTrainUnigram({
      texts: corpus,
      outDir: dir,
      settings: { vocabSize: 1500, byteFallback: true, normalization: "nmt_nfkc", userDefinedSymbols: ["<sep>"] },
      inputs: [{ path: "brown", paragraphs: corpus.length }],
    });
  });

  test("the corpus is real prose of several hundred kilobytes", () => {
    expect(corpus.join("\n").length).toBeGreaterThan(400_000);
  });

  test("writes a .model that spm_encode reads to gamma's ids on prose, code and hostile text", () => {
    const model = join(dir, "tokenizer.model");
    const gamma = new SpmUnigram(readFileSync(model));
    const spm = spmEncode(model, held);
    for (let i = 0; i < held.length; i++) {
      const got = Array.from(gamma.encode(held[i])).join(" ");
      if (got !== spm[i])
        throw new Error(`line ${i} ${JSON.stringify(held[i].slice(0, 60))}: gamma=${got.slice(0, 80)} spm=${spm[i].slice(0, 80)}`);
    }
  });

  test("the model has exactly the vocabulary size, the special pieces first, then 256 byte pieces and the user symbol", () => {
    const m = decodeModelProto(readFileSync(join(dir, "tokenizer.model")));
    expect(m.pieces.length).toBe(1500);
    expect(m.pieces.slice(0, 4).map((p) => [p.piece, p.type])).toEqual([
      ["<unk>", PieceType.UNKNOWN],
      ["<s>", PieceType.CONTROL],
      ["</s>", PieceType.CONTROL],
      ["<sep>", PieceType.USER_DEFINED],
    ]);
    expect(m.pieces.filter((p) => p.type === PieceType.BYTE).length).toBe(256);
    expect(new Set(m.pieces.map((p) => p.piece)).size).toBe(1500);
    expect(m.trainerSpec.byteFallback).toBe(true);
    expect(m.normalizerSpec.name).toBe("nmt_nfkc");
    const normal = m.pieces.filter((p) => p.type === PieceType.NORMAL);
    for (let i = 1; i < normal.length; i++) expect(normal[i].score).toBeLessThanOrEqual(normal[i - 1].score);
  });

  test("the manifest records the settings and the sha256 of both outputs", () => {
    const onDisk = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(manifest)));
    const outputs = onDisk.outputs as Record<string, { sha256: string }>;
    expect(outputs["tokenizer.model"].sha256).toBe(sha256Hex(readFileSync(join(dir, "tokenizer.model"))));
    expect(outputs["tokenizer.json"].sha256).toBe(sha256Hex(readFileSync(join(dir, "tokenizer.json"))));
    expect(onDisk.params).toMatchObject({ model: "unigram", vocab_size: 1500, byte_fallback: true, normalization: "nmt_nfkc" });
  });

  test("the tokenizer.json encodes prose to the same ids in Hugging Face tokenizers", () => {
    const json = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
    const hf = new HfTokenizer(json, {});
    const gamma = new SpmUnigram(readFileSync(join(dir, "tokenizer.model")));
    // single spaces, and only characters the model has (Hugging Face's Unigram has no byte fallback here)
    const m = decodeModelProto(readFileSync(join(dir, "tokenizer.model")));
    const known = (ids: Uint32Array) => ids.every((id) => m.pieces[id].type === PieceType.NORMAL);
    const prose = held.slice(0, 300).filter((l) => !/^\s|\s$|\s\s/.test(l) && known(gamma.encode(l)));
    expect(prose.length).toBeGreaterThan(150);
    for (const l of prose) expect(hf.encode(l, { add_special_tokens: false }).ids).toEqual(Array.from(gamma.encode(l)));
  });

  test("training twice gives the same bytes", async () => {
    const again = join(tmp, "again");
    await runTrainUnigram({
      texts: corpus,
      outDir: again,
      settings: { vocabSize: 1500, byteFallback: true, normalization: "nmt_nfkc", userDefinedSymbols: ["<sep>"] },
      inputs: [{ path: "brown", paragraphs: corpus.length }],
    });
    for (const f of ["tokenizer.model", "tokenizer.json"]) expect(readFileSync(join(again, f))).toEqual(readFileSync(join(dir, f)));
    const { created_at: _a, ...first } = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    const { created_at: _b, ...second } = JSON.parse(readFileSync(join(again, "manifest.json"), "utf8"));
    expect(second).toEqual(first);
  });
});

describe("Unigram training settings", () => {
  test("identity normalization, split digits and a low character coverage", async () => {
    const code = held.filter((l) => /[=(){}]/.test(l)).join("\n");
    const texts = [...corpus.slice(0, 600), code];
    const { model } = await trainUnigram(texts, { vocabSize: 800, normalization: "identity", splitDigits: true, characterCoverage: 0.995 });
    expect(model.normalizerSpec.name).toBe("identity");
    expect(model.normalizerSpec.precompiledCharsmap.length).toBe(0);
    const normal = model.pieces.filter((p) => p.type === PieceType.NORMAL).map((p) => p.piece);
    expect(normal.some((p) => /\d/.test(p))).toBe(true);
    expect(normal.filter((p) => /\d/.test(p) && [...p].length > 1)).toEqual([]);
    // rare characters are left out, so they encode as <unk>
    const all = new Set([...texts.join("")]);
    const chars = new Set(normal.flatMap((p) => [...p]));
    expect([...all].filter((c) => c !== " " && c !== "\n" && !chars.has(c)).length).toBeGreaterThan(0);
    expect(normal.every((p) => [...p].length <= 16)).toBe(true);
  });

  test("max sentencepiece length bounds every piece", async () => {
    const { model } = await trainUnigram(corpus.slice(0, 800), { vocabSize: 600, maxSentencepieceLength: 4 });
    const normal = model.pieces.filter((p) => p.type === PieceType.NORMAL);
    expect(normal.length).toBeGreaterThan(300);
    expect(normal.every((p) => [...p.piece].length <= 4)).toBe(true);
    expect(normal.some((p) => [...p.piece].length === 4)).toBe(true);
  });
});

describe("Unigram training errors", () => {
  test("a vocabulary too small for the characters is a ConfigError naming the flags", async () => {
    const e = await trainUnigram(corpus.slice(0, 200), { vocabSize: 20 }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toContain("--vocab-size");
    expect((e as Error).message).toContain("--character-coverage");
  });

  test("text with no usable line is an InputError", async () => {
    const e = await trainUnigram(["", "\n\n", "x".repeat(5000)], { vocabSize: 100 }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(InputError);
  });
});
