import { describe } from "bun:test";
import { readFileSync } from "node:fs";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { GPTOSS_JSON, LLAMA3_JSON } from "./corpora.ts";
import { parityTests } from "./parity-suite.ts";

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
    parityTests({
      load: async () => {
        const ref = reference(path);
        return { tok: await loadTokenizer(path), reference: (text) => ref.encode(text, { add_special_tokens: false }).ids };
      },
      kind: "tokenizer.json",
      budget: 120_000,
      bigDocument: name === "gpt-oss",
    });
  });
}
