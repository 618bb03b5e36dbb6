import { describe, expect, test } from "bun:test";
import { Shingler, parseShingleSpec } from "../../src/near/shingle.ts";
import { tokenText } from "../../src/near/token-scan.ts";
import { murmurRef } from "../kernels/minhash-reference.ts";
import { cjkDoc, emojiDoc, rng } from "./fixtures/corpus.ts";

const enc = new TextEncoder();
const h = (s: string) => murmurRef(Array.from(enc.encode(s)), 0);

/** The definition: runs of N tokens of tokenText, joined by single spaces, hashed. */
function reference(text: string, n: number): number[] {
  const t = tokenText(text);
  if (t.length === 0) return [];
  const tokens = t.split(" ");
  if (tokens.length < n) return [h(tokens.join(" "))];
  return tokens.slice(0, tokens.length - n + 1).map((_, i) => h(tokens.slice(i, i + n).join(" ")));
}

const SPACES = [" ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2003", "\u2028", "\ufeff", "  \t"];

describe("token shingles (--shingle token:N)", () => {
  test("parses token:N and rejects token:0", () => {
    expect(parseShingleSpec("token:5")).toEqual({ kind: "token", n: 5 });
    expect(() => parseShingleSpec("token:0")).toThrow(/--shingle/);
  });

  test("token:3 hashes runs of three whitespace-separated tokens, case and punctuation kept", () => {
    const s = new Shingler({ kind: "token", n: 3 });
    const code = "def f(x):\n\treturn  x+1  # Done\n";
    expect(Array.from(s.hashes(code))).toEqual(["def f(x): return", "f(x): return x+1", "return x+1 #", "x+1 # Done"].map(h));
    expect(Array.from(s.hashes("  a+b  "))).toEqual([h("a+b")]);
    expect(s.hashes(" \n\t\u00a0").length).toBe(0);
    // Unlike word shingles, case and punctuation change the shingles.
    expect(Array.from(s.hashes("Return x + 1"))).not.toEqual(Array.from(s.hashes("return x + 1")));
    expect(Array.from(s.hashes("return x+1;"))).not.toEqual(Array.from(s.hashes("return x+1")));
  });

  test("string and UTF-8 input give the definition's hashes on code, CJK, emoji, Unicode spaces and lone surrogates", () => {
    const r = rng(5);
    const pieces = [
      "if",
      "(x",
      "==",
      "None):",
      "ÜBER",
      "naïve",
      "日本語",
      "𝔘𝔫",
      "👩‍💻",
      "\ud800",
      "a\udc00b",
      "—",
      "{",
      "}",
      cjkDoc(3, 12),
      emojiDoc(4, 3),
    ];
    for (const n of [1, 2, 5]) {
      const s = new Shingler({ kind: "token", n });
      for (let k = 0; k < 200; k++) {
        let text = "";
        const len = Math.floor(r() * 30);
        for (let i = 0; i < len; i++)
          text +=
            (r() < 0.3 ? SPACES[Math.floor(r() * SPACES.length)] : "") +
            pieces[Math.floor(r() * pieces.length)] +
            SPACES[Math.floor(r() * SPACES.length)];
        const want = reference(text, n);
        expect(Array.from(s.hashes(text))).toEqual(want);
        const bytes = enc.encode(`xx${text}yy`);
        const start = 2;
        const end = bytes.length - 2;
        expect(Array.from(s.hashesUtf8(bytes, start, end))).toEqual(want);
      }
    }
  });
});
