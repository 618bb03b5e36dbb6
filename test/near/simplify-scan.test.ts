import { describe, expect, test } from "bun:test";
import { Shingler, simplifyText } from "../../src/near/shingle.ts";
import { scanCapacity, scanSimplified } from "../../src/near/simplify-scan.ts";
import { murmurRef } from "../kernels/minhash-reference.ts";
import { brownTexts, nlpSentences, rng } from "./fixtures/corpus.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The shingles by the definition: simplifyText, then units, then MurmurHash3 (BigInt reference). */
function definitionHashes(text: string, kind: "word" | "char", n: number): number[] {
  const simple = simplifyText(text);
  if (simple.length === 0) return [];
  const units = kind === "word" ? simple.split(" ") : Array.from(simple);
  const join = kind === "word" ? " " : "";
  const count = units.length >= n ? units.length - n + 1 : 1;
  return Array.from({ length: count }, (_, s) => murmurRef(Array.from(enc.encode(units.slice(s, s + n).join(join))), 0));
}

/** Strings mixing ASCII, Latin, Greek (sigma), Turkish dotted I, CJK, Devanagari, emoji, astral letters and lone surrogates. */
function mixedStrings(seed: number, count: number): string[] {
  const r = rng(seed);
  const pools: [number, number][] = [
    [0x20, 0x7f],
    [0x80, 0x250],
    [0x370, 0x400],
    [0x400, 0x530],
    [0x900, 0x980],
    [0x1e00, 0x2000],
    [0x2000, 0x2400],
    [0x3000, 0x3100],
    [0x4e00, 0x4e80],
    [0xd800, 0xe000],
    [0xff00, 0xfff0],
    [0, 0x10000],
  ];
  const specials = ["Σ", "σ", "ς", "İ", "K", "Ⱥ", "𐐀", "𝔘", "🔥", "👩‍💻", "\u0307", "'"];
  return Array.from({ length: count }, () => {
    let s = "";
    const len = Math.floor(r() * 60);
    for (let i = 0; i < len; i++) {
      const x = r();
      if (x < 0.05) s += String.fromCodePoint(0x10000 + Math.floor(r() * 0x100000));
      else if (x < 0.1) s += specials[Math.floor(r() * specials.length)];
      else if (x < 0.3) s += " ";
      else {
        const [a, b] = pools[Math.floor(r() * pools.length)];
        s += String.fromCharCode(a + Math.floor(r() * (b - a)));
      }
    }
    return s;
  });
}

describe("one-pass simplification", () => {
  test("writes the UTF-8 of simplifyText for every BMP character in context", () => {
    for (let c0 = 0; c0 < 0x10000; c0 += 512) {
      let text = "";
      for (let c = c0; c < c0 + 512; c++) text += `a${String.fromCharCode(c)}${c % 3 ? " " : "Z"}`;
      const cap = scanCapacity(text.length);
      const buf = { bytes: new Uint8Array(cap.bytes), starts: new Uint32Array(cap.units + 1) };
      const units = scanSimplified(text, "char", buf);
      const want = simplifyText(text);
      if (units < 0) {
        expect(/[\u03a3\u0130]/.test(text)).toBe(true); // only these send a document to the definition's path
        continue;
      }
      expect(dec.decode(buf.bytes.subarray(0, buf.starts[units]))).toBe(want);
    }
  });

  test("gives the definition's shingle hashes for mixed-script, astral and malformed text, words and chars", () => {
    const texts = [...mixedStrings(7, 3000), "ΑΣ'Α ΟΔΟΣ.", "İstanbul İİ", "a\ud800b c\udc00d \ud83d", "", " ... "];
    for (const [kind, n] of [
      ["word", 5],
      ["word", 1],
      ["char", 3],
      ["char", 1],
    ] as const) {
      const sh = new Shingler({ kind, n });
      for (const t of texts) expect(Array.from(sh.hashes(t))).toEqual(definitionHashes(t, kind, n));
    }
  });

  test("reads UTF-8 input to the same hashes as the string, lone surrogates included", () => {
    const texts = [...mixedStrings(11, 2000), ...brownTexts().slice(0, 20), ...nlpSentences().slice(0, 500)];
    for (const [kind, n] of [
      ["word", 5],
      ["char", 4],
    ] as const) {
      const sh = new Shingler({ kind, n });
      for (const t of texts) {
        const want = Array.from(sh.hashes(t));
        const b = enc.encode(t);
        const framed = new Uint8Array(b.length + 6);
        framed.set(b, 3);
        expect(Array.from(sh.hashesUtf8(framed, 3, 3 + b.length))).toEqual(want);
      }
    }
  });
});
