/**
 * The BPE trainer against Hugging Face `tokenizers`' BpeTrainer: fixtures made by
 * scripts/fixtures/make-bpe-fixture.py on the documents of scripts/fixtures/bpe-fixture-docs.ts
 * (Brown corpus and nlp-corpus text).
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { fixtureDocs } from "../../../scripts/fixtures/bpe-fixture-docs.ts";
import { loadTokenizer } from "../../../src/tokenizer/index.ts";
import { scannerFor } from "../../../src/tokenizer/pretokenize.ts";
import { trainBpe, type TrainedBpe } from "../../../src/tokenizer/train/bpe-trainer.ts";
import { PRETOKENIZER_PATTERN, WordCounter, type PretokenizerName } from "../../../src/tokenizer/train/count-words.ts";
import { tokenizerJson } from "../../../src/tokenizer/train/tokenizer-files.ts";
import { WordCountTable, type WordCountsData } from "../../../src/tokenizer/train/word-counts.ts";

interface Case {
  name: string;
  pretokenizer: PretokenizerName;
  vocab_size: number;
  min_frequency: number;
  special_tokens: string[];
  max_token_length: number | null;
  docs: number | null;
  vocab: string[];
  merges: [string, string][];
  held_out_ids?: number[][];
}

const FIXTURES = join(import.meta.dir, "fixtures");
const cases: Case[] = JSON.parse(readFileSync(join(FIXTURES, "bpe-hf-cases.json"), "utf8")).cases;
const docs = fixtureDocs();

function counted(c: Case): WordCountsData {
  const table = new WordCountTable();
  const counter = new WordCounter(c.pretokenizer, table);
  for (const d of c.docs === null ? docs.train : docs.train.slice(0, c.docs)) counter.addText(d);
  return table.data();
}

function train(c: Case, data = counted(c)): TrainedBpe {
  return trainBpe(data, {
    vocabSize: c.vocab_size,
    minFrequency: c.min_frequency,
    specialTokens: c.special_tokens,
    maxTokenLength: c.max_token_length,
  });
}

/** Index of the first difference, with both sides, or null. */
function firstDiff<T>(a: T[], b: T[]): string | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return `at ${i}: gamma=${JSON.stringify(a[i])} hf=${JSON.stringify(b[i])}`;
  }
  return null;
}

const trained = new Map<string, TrainedBpe>();
const trainedOnce = (c: Case) => trained.get(c.name) ?? trained.set(c.name, train(c)).get(c.name)!;

describe("BPE training matches Hugging Face's BpeTrainer on real text", () => {
  test("the fixtures cover special tokens, a stop at --min-frequency, --max-token-length and all three pre-tokenizers", () => {
    const stopped = cases.find((c) => c.name === "min-frequency")!;
    expect(stopped.vocab.length).toBeLessThan(stopped.vocab_size);
    expect(new Set(cases.map((c) => c.pretokenizer))).toEqual(new Set(["gpt2", "cl100k", "o200k"]));
    const limited = cases.find((c) => c.max_token_length !== null)!;
    expect(Math.max(...limited.vocab.map((t) => t.length))).toBeLessThanOrEqual(limited.max_token_length!);
  });

  for (const c of cases) {
    test(`gives the same vocabulary ids and merge order (${c.name}: ${c.pretokenizer}, vocab ${c.vocab_size}, min frequency ${c.min_frequency}, ${c.special_tokens.length} special tokens, max length ${c.max_token_length ?? "none"})`, () => {
      const r = trainedOnce(c);
      expect(firstDiff(r.vocab, c.vocab)).toBeNull();
      expect(firstDiff(r.merges, c.merges)).toBeNull();
      expect(r.vocab.length).toBe(c.vocab.length);
    });
  }

  test("writes tokenizer.json byte for byte as tokenizers saves it", () => {
    const c = cases.find((x) => x.name === "specials")!;
    expect(tokenizerJson(trainedOnce(c), "gpt2")).toBe(readFileSync(join(FIXTURES, "bpe-hf-specials.tokenizer.json"), "utf8"));
  });

  test("the trained tokenizer encodes held-out text to the reference ids in gamma's encoder and in @huggingface/tokenizers", async () => {
    const c = cases.find((x) => x.name === "specials")!;
    const dir = mkdtempSync(join(tmpdir(), "gamma-bpe-"));
    try {
      const json = tokenizerJson(trainedOnce(c), "gpt2");
      writeFileSync(join(dir, "tokenizer.json"), json);
      const tok = await loadTokenizer(dir, { requireEos: false });
      expect(tok.encoder).toBe("gamma-bpe");
      const hf = new HfTokenizer(JSON.parse(json), {});
      expect(docs.heldOut.length).toBe(c.held_out_ids!.length);
      docs.heldOut.forEach((text, i) => {
        const want = c.held_out_ids![i]!;
        expect(want.length).toBeGreaterThan(100);
        expect(Array.from(tok.encode(text))).toEqual(want);
        expect(hf.encode(text, { add_special_tokens: false }).ids).toEqual(want);
        expect(tok.decode(want)).toBe(text);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("cl100k and o200k models are written with a Split + ByteLevel pre-tokenizer that gamma's encoder runs", async () => {
    for (const name of ["cl100k-max-length", "o200k"]) {
      const c = cases.find((x) => x.name === name)!;
      const json = JSON.parse(tokenizerJson(trainedOnce(c), c.pretokenizer));
      expect(json.pre_tokenizer.pretokenizers[0].pattern.Regex).toBe(PRETOKENIZER_PATTERN[c.pretokenizer]);
      const dir = mkdtempSync(join(tmpdir(), "gamma-bpe-"));
      try {
        writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(json));
        const tok = await loadTokenizer(dir, { requireEos: false });
        expect(tok.note).toContain(`${c.pretokenizer} pre-tokenizer`);
        const hf = new HfTokenizer(json, {});
        const text = docs.heldOut[0]!;
        expect(Array.from(tok.encode(text))).toEqual(hf.encode(text, { add_special_tokens: false }).ids);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe("BPE training input", () => {
  test("the result does not depend on the order in which word counts were gathered", () => {
    const c = cases.find((x) => x.name === "specials")!;
    const d = counted(c);
    // Reverse the words: same bytes, other table order.
    const n = d.starts.length;
    const rev: WordCountsData = {
      bytes: d.bytes,
      starts: d.starts.slice().reverse(),
      lens: d.lens.slice().reverse(),
      hashes: d.hashes.slice().reverse(),
      counts: d.counts.slice().reverse(),
    };
    expect(n).toBeGreaterThan(1000);
    const a = trainedOnce(c);
    const b = train(c, rev);
    expect(b.vocab).toEqual(a.vocab);
    expect(b.merges).toEqual(a.merges);
  });

  test("pre-tokens are counted as the UTF-8 bytes of the regex pieces, astral characters and lone surrogates included", () => {
    const text = "Hello wörld 😀😀 it's 12345 \ud800x  \n\n  tabs\tand 日本語 ok";
    const table = new WordCountTable();
    new WordCounter("gpt2", table).addText(text);
    const d = table.data();
    const got = new Map<string, number>();
    for (let i = 0; i < d.starts.length; i++)
      got.set(Buffer.from(d.bytes.subarray(d.starts[i]!, d.starts[i]! + d.lens[i]!)).toString("hex"), d.counts[i]!);
    const want = new Map<string, number>();
    const scan = scannerFor(PRETOKENIZER_PATTERN.gpt2)!;
    for (let p = 0; p < text.length; ) {
      const e = scan(text, p, text.length);
      const hex = Buffer.from(new TextEncoder().encode(text.slice(p, e))).toString("hex");
      want.set(hex, (want.get(hex) ?? 0) + 1);
      p = e;
    }
    expect(got).toEqual(want);
    expect(table.total).toBe([...want.values()].reduce((a, b) => a + b, 0));
  });

  test("settings the trainer cannot run are refused", () => {
    const d = new WordCountTable().data();
    expect(() => trainBpe(d, { vocabSize: 257, minFrequency: 0, specialTokens: ["<a>", "<b>"], maxTokenLength: null })).toThrow(
      /smaller than the 256-byte alphabet plus 2 special tokens \(258\)/,
    );
    expect(() => trainBpe(d, { vocabSize: 300, minFrequency: 0, specialTokens: ["<a>", "<a>"], maxTokenLength: null })).toThrow(
      /given twice/,
    );
    expect(trainBpe(d, { vocabSize: 300, minFrequency: 0, specialTokens: ["<a>"], maxTokenLength: null }).vocab.length).toBe(257);
  });
});
