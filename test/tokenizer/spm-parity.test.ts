import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { createEncodePool, loadTokenizer } from "../../src/tokenizer/index.ts";
import { decodeModelProto, encodeModelProto, PieceType } from "../../src/tokenizer/spm/model-proto.ts";
import { tempDir } from "../helpers/tmp.ts";
import { describeMismatch, firstMismatch } from "./corpora.ts";
import { expectedIds, heldOutLines, modelPath, SPM_MODELS } from "./spm/fixtures.ts";

const tmp = tempDir("gamma-spm-");
const lines = heldOutLines();

function spmEncode(model: string, input: string[]): number[][] {
  const file = join(tmp, "input.txt");
  writeFileSync(file, input.join("\n") + "\n");
  const r = spawnSync("spm_encode", [`--model=${model}`, "--output_format=id", file], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`spm_encode failed: ${r.stderr}`);
  const out = r.stdout.split("\n");
  out.pop();
  return out.map((l) => (l === "" ? [] : l.split(" ").map(Number)));
}

describe("SentencePiece parity", () => {
  test("the held-out lines cover prose, code and hostile text", () => {
    expect(lines.length).toBeGreaterThan(1500);
    expect(lines.some((l) => /^\s*(def|class|import) /.test(l))).toBe(true);
    expect(lines.some((l) => l.includes("ｆｕｌｌｗｉｄｔｈ"))).toBe(true);
  });

  for (const name of SPM_MODELS) {
    test(`encodes every held-out line to spm_encode's ids with ${name}.model`, async () => {
      const tok = await loadTokenizer(modelPath(name), { requireEos: false });
      const expected = expectedIds(name);
      expect(expected.length).toBe(lines.length);
      let ids = 0;
      for (let i = 0; i < lines.length; i++) {
        const got = tok.encode(lines[i]);
        if (firstMismatch(got, expected[i]) !== -1)
          throw new Error(describeMismatch(`${name} line ${i} ${JSON.stringify(lines[i].slice(0, 60))}`, got, expected[i]));
        ids += got.length;
      }
      expect(ids).toBeGreaterThan(50_000);
    });
  }

  test("byte_fallback models spell uncovered characters as <0xNN> pieces; the others merge them into one <unk>", async () => {
    const bf = await loadTokenizer(modelPath("nmt-bf"), { requireEos: false });
    const unk = await loadTokenizer(modelPath("nmt-unk"), {
      requireEos: false,
    });
    const text = "x \u{1F916}\u{1F916}";
    const bfIds = Array.from(bf.encode(text));
    const pieces = decodeModelProto(readFileSync(modelPath("nmt-bf"))).pieces;
    const byteId = (b: number) => pieces.findIndex((p) => p.type === PieceType.BYTE && p.piece === `<0x${b.toString(16).toUpperCase()}>`);
    // 8 UTF-8 bytes, each its own <0xNN> piece
    expect(bfIds.slice(-8)).toEqual([0xf0, 0x9f, 0xa4, 0x96, 0xf0, 0x9f, 0xa4, 0x96].map(byteId));
    expect(byteId(0xf0)).toBeGreaterThan(0);
    const unkIds = Array.from(unk.encode(text));
    expect(unkIds.filter((id) => id === 0)).toEqual([0]);
    expect(unkIds.at(-1)).toBe(0);
  });

  test("user-defined symbols are kept whole", async () => {
    const tok = await loadTokenizer(modelPath("nmt-bf"), { requireEos: false });
    const proto = decodeModelProto(readFileSync(modelPath("nmt-bf")));
    const sep = proto.pieces.findIndex((p) => p.piece === "<sep>" && p.type === PieceType.USER_DEFINED);
    expect(sep).toBeGreaterThan(0);
    expect(Array.from(tok.encode("a<sep>b"))).toContain(sep);
  });

  test("the encode pool gives the same ids on 2 threads as in-process, for long texts too", async () => {
    const tok = await loadTokenizer(modelPath("nmt-bf"), { requireEos: false });
    const texts = [lines.slice(0, 800).join(" "), ...lines.slice(800)];
    const pool = await createEncodePool(tok, 2);
    try {
      const got = await pool.encodeBatch(texts);
      expect(got.map((x) => Array.from(x))).toEqual(texts.map((t) => Array.from(tok.encode(t))));
    } finally {
      await pool.close();
    }
  });

  test("decode gives back the text of prose lines (single spaces, no uncovered characters)", async () => {
    const tok = await loadTokenizer(modelPath("identity-bf"), {
      requireEos: false,
    });
    const prose = lines.slice(0, 200).filter((l) => !/\s\s|^\s|\s$/.test(l));
    expect(prose.length).toBeGreaterThan(100);
    for (const l of prose) expect(tok.decode(tok.encode(l))).toBe(l);
  });
});

describe("SentencePiece .model files", () => {
  test("are read as tokenizers with SentencePiece's EOS, BOS and settings", async () => {
    const tok = await loadTokenizer(modelPath("nmt-bf"));
    const proto = decodeModelProto(readFileSync(modelPath("nmt-bf")));
    expect(tok.kind).toBe("sentencepiece");
    expect(tok.encoder).toBe("gamma-unigram");
    expect([tok.eosId, tok.bosId, tok.vocabSize, tok.maxId]).toEqual([2, 1, 3000, 2999]);
    expect(proto.pieces[2]).toEqual({
      piece: "</s>",
      score: 0,
      type: PieceType.CONTROL,
    });
    expect(proto.trainerSpec.byteFallback).toBe(true);
    expect(proto.normalizerSpec.name).toBe("nmt_nfkc");
    expect(tok.note).toContain("byte_fallback true");
    expect(tok.note).toContain("normalization nmt_nfkc");
  });

  test("a model written back by gamma's encoder is read by spm_encode to the same ids", () => {
    for (const name of ["nmt-unk", "identity-bf"]) {
      const proto = decodeModelProto(readFileSync(modelPath(name)));
      const again = encodeModelProto(proto);
      expect(decodeModelProto(again)).toEqual(proto);
      const file = join(tmp, `${name}-rewritten.model`);
      writeFileSync(file, again);
      const sample = lines.filter((_, i) => i % 7 === 0);
      const expected = expectedIds(name).filter((_, i) => i % 7 === 0);
      expect(spmEncode(file, sample)).toEqual(expected);
    }
  });

  test("a truncated .model is refused with a ConfigError naming the file", async () => {
    const file = join(tmp, "broken.model");
    writeFileSync(file, readFileSync(modelPath("identity-unk")).subarray(0, 5000));
    const e = await loadTokenizer(file, { requireEos: false }).then(
      () => null,
      (err: Error) => err,
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect(e!.message).toContain("broken.model");
  });
});

describe("telling a .model from other tokenizer files", () => {
  test("a .model under another name is still read as SentencePiece, by its bytes", async () => {
    const file = join(tmp, "renamed.bin");
    writeFileSync(file, readFileSync(modelPath("nmt-unk")));
    const tok = await loadTokenizer(file);
    expect(tok.kind).toBe("sentencepiece");
    expect(Array.from(tok.encode(lines[0]))).toEqual(expectedIds("nmt-unk")[0]);
  });
});
