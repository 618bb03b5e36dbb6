import { describe, expect, test } from "bun:test";
import { CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN, regexScan, scannerFor, type Scan } from "../../src/tokenizer/pretokenize.ts";
import { brown, debianDocs, hostile, pythonSources } from "./corpora.ts";

function split(scan: Scan, s: string): string[] {
  const out: string[] = [];
  for (let p = 0; p < s.length; ) {
    const e = scan(s, p, s.length);
    out.push(s.slice(p, e));
    p = e;
  }
  return out;
}

/**
 * The regex itself, run by the JS engine: the reference the hand-written scanners must equal.
 * Two adjustments: \s is White_Space (as in Rust and Oniguruma), and the contractions are
 * ASCII case-insensitive. JS folds "'ſ" (long s) into "'s"; gamma does not, and neither does the
 * @huggingface/tokenizers reference. The tiktoken package cannot show a difference: no o200k or
 * cl100k token contains "'ſ", so both splits give the same ids.
 */
function regexSplit(pattern: string, s: string): string[] {
  const ascii = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
  const source = pattern
    .replaceAll("(?i:'s|'t|'re|'ve|'m|'ll|'d)", ascii)
    .replaceAll("\\s", "\\p{White_Space}")
    .replaceAll("\\S", "\\P{White_Space}");
  const re = new RegExp(source, "gu");
  return s.match(re) ?? [];
}

const docs = () => [...brown(150_000), ...debianDocs(100_000), ...pythonSources(100_000), ...hostile()];

for (const [name, pattern] of [
  ["o200k", O200K_PATTERN],
  ["cl100k / Llama-3", CL100K_PATTERN],
  ["GPT-2", GPT2_PATTERN],
] as const) {
  describe(`${name} pre-tokenizer`, () => {
    test("the hand-written scanner splits exactly like the regex", () => {
      const scan = scannerFor(pattern)!;
      expect(scan).not.toBe(regexScan(pattern));
      const bad: string[] = [];
      for (const d of docs()) {
        const a = split(scan, d.text);
        const b = regexSplit(pattern, d.text);
        if (a.join("\u0000") !== b.join("\u0000")) {
          let i = 0;
          while (a[i] === b[i]) i++;
          bad.push(`${d.name}, piece ${i}: scanner=${JSON.stringify(a[i])} regex=${JSON.stringify(b[i])}`);
        }
      }
      expect(bad).toEqual([]);
    });
  });
}

describe("known splits", () => {
  test("o200k keeps case runs and contractions together and prefixes a word with one non-letter", () => {
    expect(split(scannerFor(O200K_PATTERN)!, "Hello WORLD's (fooBar) 12345  x\n\n y")).toEqual([
      "Hello",
      " WORLD's",
      " (",
      "foo",
      "Bar",
      ")",
      " ",
      "123",
      "45",
      " ",
      " x",
      "\n\n",
      " y",
    ]);
  });

  test("cl100k splits a leading contraction off a word", () => {
    expect(split(scannerFor(CL100K_PATTERN)!, "'salt he's")).toEqual(["'s", "alt", " he", "'s"]);
  });

  test("GPT-2 keeps whole digit runs and matches contractions case-sensitively", () => {
    expect(split(scannerFor(GPT2_PATTERN)!, "123456 IT'S it's")).toEqual(["123456", " IT", "'", "S", " it", "'s"]);
  });
});
