import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { loadTokenizer, type Tokenizer } from "../../src/tokenizer/index.ts";
import {
  bigDocument,
  brown,
  debianDocs,
  describeMismatch,
  firstMismatch,
  GPTOSS_JSON,
  hostile,
  LLAMA3_JSON,
  nlpCorpus,
  pythonSources,
  type Doc,
} from "./corpora.ts";

/** The reference: @huggingface/tokenizers with special tokens removed, so their strings are plain text. */
function reference(path: string): HfTokenizer {
  const json = JSON.parse(readFileSync(path, "utf8"));
  json.added_tokens = json.added_tokens.filter((t: { special: boolean }) => !t.special);
  return new HfTokenizer(json, {});
}

for (const [name, path] of [
  ["Llama-3", LLAMA3_JSON],
  ["gpt-oss", GPTOSS_JSON],
] as const) {
  describe(`${name} tokenizer.json against @huggingface/tokenizers`, () => {
    let tok: Tokenizer;
    let ref: HfTokenizer;
    const budget = 120_000;

    beforeAll(async () => {
      tok = await loadTokenizer(path);
      ref = reference(path);
    });

    const same = (docs: Doc[]) => {
      const bad: string[] = [];
      for (const d of docs) {
        const a = tok.encode(d.text);
        const b = ref.encode(d.text, { add_special_tokens: false }).ids;
        if (firstMismatch(a, b) >= 0) bad.push(describeMismatch(d.name, a, b));
      }
      return bad;
    };

    test("runs gamma's own encoder", () => {
      expect(tok.encoder).toBe("gamma-bpe");
      expect(tok.kind).toBe("tokenizer.json");
    });
    test("encodes Brown corpus text identically", () => expect(same(brown(budget))).toEqual([]));
    test("encodes nlp-corpus sentences identically", () => expect(same(nlpCorpus(budget))).toEqual([]));
    test("encodes Debian documentation identically", () => expect(same(debianDocs(budget))).toEqual([]));
    test("encodes Python sources identically", () => expect(same(pythonSources(budget))).toEqual([]));
    test("encodes hostile text identically (runs, emoji, CJK, surrogates, specials as text)", () => {
      expect(same(hostile())).toEqual([]);
    });
    if (name === "gpt-oss") {
      test("encodes a 5 MB document identically", () => {
        expect(same([{ name: "5MB", text: bigDocument(5_000_000) }])).toEqual([]);
      });
    }
  });
}
