import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { get_encoding, type Tiktoken } from "tiktoken";
import { loadTokenizer, type Tokenizer } from "../../src/tokenizer/index.ts";
import { bigDocument, brown, debianDocs, describeMismatch, firstMismatch, hostile, NM, nlpCorpus, pythonSources, type Doc } from "./corpora.ts";

const files = join(NM, "gpt-tokenizer/data");

for (const name of ["o200k_base", "cl100k_base"] as const) {
  describe(`${name}.tiktoken against the tiktoken package`, () => {
    let tok: Tokenizer;
    let ref: Tiktoken;
    const budget = name === "o200k_base" ? 400_000 : 120_000;

    beforeAll(async () => {
      tok = await loadTokenizer(join(files, `${name}.tiktoken`));
      ref = get_encoding(name);
    });

    const same = (docs: Doc[]) => {
      const bad: string[] = [];
      for (const d of docs) {
        const a = tok.encode(d.text);
        const b = ref.encode(d.text, [], []);
        if (firstMismatch(a, b) >= 0) bad.push(describeMismatch(d.name, a, b));
      }
      return bad;
    };

    test("runs gamma's own encoder", () => {
      expect(tok.encoder).toBe("gamma-bpe");
      expect(tok.kind).toBe("tiktoken");
    });
    test("encodes Brown corpus text identically", () => expect(same(brown(budget))).toEqual([]));
    test("encodes nlp-corpus sentences identically", () => expect(same(nlpCorpus(budget))).toEqual([]));
    test("encodes Debian documentation identically", () => expect(same(debianDocs(budget))).toEqual([]));
    test("encodes Python sources identically", () => expect(same(pythonSources(budget))).toEqual([]));
    test("encodes hostile text identically (runs, emoji, CJK, surrogates, specials as text)", () => {
      expect(same(hostile())).toEqual([]);
    });
    if (name === "o200k_base") {
      test("encodes a 5 MB document identically", () => {
        expect(same([{ name: "5MB", text: bigDocument(5_000_000) }])).toEqual([]);
      });
    }
  });
}

describe("o200k_base text conventions", () => {
  let tok: Tokenizer;
  let ref: Tiktoken;
  beforeAll(async () => {
    tok = await loadTokenizer(join(files, "o200k_base.tiktoken"));
    ref = get_encoding("o200k_base");
  });

  test("encodes a lone surrogate as U+FFFD, like tiktoken", () => {
    expect(Array.from(tok.encode("a\ud800b"))).toEqual(Array.from(tok.encode("a\ufffdb")));
    expect(Array.from(tok.encode("x\udc00"))).toEqual(Array.from(ref.encode("x\udc00", [], [])));
  });

  test("encodes special-token strings inside text as plain text, never as the special id", () => {
    const ids = Array.from(tok.encode("a<|endoftext|>b<|endofprompt|>"));
    expect(ids).not.toContain(199999);
    expect(ids).not.toContain(200018);
    expect(ids).toEqual(Array.from(ref.encode("a<|endoftext|>b<|endofprompt|>", [], [])));
  });

  test("decodes back to the text", () => {
    const text = "Hello, wörld! 日本語 😀 <|endoftext|>\n\n  x";
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.decode([199999])).toBe("<|endoftext|>");
  });
});
