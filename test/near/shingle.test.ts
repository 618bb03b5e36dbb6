import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { Shingler, parseShingleSpec, simplifyText } from "../../src/near/shingle.ts";
import { murmurRef } from "../kernels/minhash-reference.ts";

const enc = new TextEncoder();
const h = (s: string) => murmurRef(Array.from(enc.encode(s)), 0);

describe("shingling", () => {
  test("parses word:N and char:N and names the flag when the spec is bad", () => {
    expect(parseShingleSpec("word:5")).toEqual({ kind: "word", n: 5 });
    expect(parseShingleSpec("char:3")).toEqual({ kind: "char", n: 3 });
    for (const bad of ["word", "word:0", "chars:3", "word:-1", "word:5x", ""]) {
      expect(() => parseShingleSpec(bad)).toThrow(ConfigError);
      expect(() => parseShingleSpec(bad)).toThrow(/--shingle/);
    }
  });

  test("simplifies text to lowercase letter/mark/digit runs joined by single spaces", () => {
    expect(simplifyText("Hello, World!  It's 2024.\n\tOK")).toBe("hello world it s 2024 ok");
    expect(simplifyText("ÜBER Çafé naïve")).toBe("über çafé naïve");
    expect(simplifyText("日本語、テスト。한국어")).toBe("日本語 テスト 한국어");
    expect(simplifyText("नमस्ते दुनिया")).toBe("नमस्ते दुनिया"); // vowel signs (\p{M}) stay in their word
    expect(simplifyText("fire 🔥 emoji 👩‍💻!")).toBe("fire emoji");
    expect(simplifyText(" ... ")).toBe("");
  });

  test("word:5 hashes every run of five words, as MurmurHash3 of their UTF-8", () => {
    const s = new Shingler({ kind: "word", n: 5 });
    expect(Array.from(s.hashes("A b, c d E f g!"))).toEqual(["a b c d e", "b c d e f", "c d e f g"].map(h));
  });

  test("a document with fewer words than N is one shingle of all its words", () => {
    const s = new Shingler({ kind: "word", n: 5 });
    expect(Array.from(s.hashes("Just three wörds"))).toEqual([h("just three wörds")]);
  });

  test("a document without letters or digits has no shingles", () => {
    const s = new Shingler({ kind: "word", n: 5 });
    expect(s.hashes("").length).toBe(0);
    expect(s.hashes("!!! ... 🔥🔥").length).toBe(0);
    expect(new Shingler({ kind: "char", n: 3 }).hashes("—").length).toBe(0);
  });

  test("char:N counts code points, spaces included, so CJK and astral text shingle per character", () => {
    const s = new Shingler({ kind: "char", n: 3 });
    const text = "日本語 𝔘𝔫";
    const simple = simplifyText(text);
    const cps = Array.from(simple);
    const want = cps.slice(0, cps.length - 2).map((_, i) => h(cps.slice(i, i + 3).join("")));
    expect(Array.from(s.hashes(text))).toEqual(want);
    expect(Array.from(s.hashes("ab"))).toEqual([h("ab")]);
  });

  test("whitespace, punctuation and case variants shingle identically", () => {
    const s = new Shingler({ kind: "word", n: 5 });
    const a = Array.from(s.hashes("The cat sat on the mat, and then it slept."));
    const b = Array.from(s.hashes("the  CAT sat\n\non the mat and THEN it   slept"));
    expect(b).toEqual(a);
  });

  test("reusing the scratch space after a long document gives the same hashes as a fresh shingler", () => {
    const long = "lorem ipsum dolor sit amet ".repeat(5000);
    const short = "one two three four five six seven";
    const reused = new Shingler({ kind: "word", n: 5 });
    reused.hashes(long);
    const fresh = new Shingler({ kind: "word", n: 5 });
    expect(Array.from(reused.hashes(short))).toEqual(Array.from(fresh.hashes(short)));
  });
});
