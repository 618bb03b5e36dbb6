import { describe, expect, test } from "bun:test";
import { exactKey, foldJs } from "../../src/stages/exact-key.ts";
import { CASED_ASTRAL_HIGH, exactKeyKernel } from "../../src/stages/exact-key-kernel.ts";
import { bigDoc, brownTexts, cjkDoc, emojiDoc, nlpDocs, rng } from "../near/fixtures/corpus.ts";

/** The key by the definition alone: the JavaScript fold, hashed as a string. */
const keyJs = (t: string) => new Bun.CryptoHasher("sha256").update(foldJs(t)).digest("base64").slice(0, 22);

/** Every code unit JavaScript calls whitespace (\s), found by asking it. */
const WHITESPACE = Array.from({ length: 65536 }, (_, u) => String.fromCharCode(u)).filter((c) => /\s/.test(c));

/** Random strings from pools that reach every branch of the kernel. */
function adversarial(seed: number, n: number): string[] {
  const r = rng(seed);
  const pools = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"-()[]{}<>@#$%^&*_+=/\\|~`",
    "      ",
    WHITESPACE.join(""),
    "ÀÉÎÕÜàéîõüßẞŸÿĞğİıŁłŒœ",
    "ΑΒΓΣσςΩωάΆ",
    "АБВГДЁЖабвгдёж",
    "ႠႡႢⴀⴁ", // Georgian capitals and their lower case
    "ᎠᎡᎢꭰꭱ", // Cherokee
    "KÅΩⅫⅻⓐⒶＡａ", // Kelvin, angstrom, ohm, Roman numerals, circled, full width
    "中文字かなカナ한글。、",
    "😀🎉👩‍💻🇫🇷❤️𝔘𝔫",
    "𐐀𐐁𐐨𐐩", // Deseret: astral capitals
    "\ud800\udbff\udc00\udfff", // surrogates, paired or not by chance
    "\u0000\u0001\u007f\u0080\u00ad\u200b\u2060",
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = Math.floor(r() * (i % 10 === 0 ? 400 : 60));
    let s = "";
    const weights = r();
    for (let k = 0; k < len; k++) {
      // Mostly one pool per string, so that ASCII-only and mixed strings both come up.
      const pool = r() < weights ? pools[0]! : pools[Math.floor(r() * pools.length)]!;
      s += pool[Math.floor(r() * pool.length)];
    }
    out.push(s);
  }
  return out;
}

describe("exact-duplicate key", () => {
  test("the kernel is there here (the fast path is really taken)", () => {
    const k = exactKeyKernel();
    expect(k).not.toBeNull();
    expect(k!.folded("  The CAT  sat.\n")).not.toBeNull();
    expect(Buffer.from(k!.folded("  The CAT\u00a0\u00a0sat.\n")!).toString("utf8")).toBe("the cat sat.");
    // ...and declines what it leaves to JavaScript
    expect(k!.folded("ΟΔΟΣ")).toBeNull();
    expect(k!.folded("İstanbul")).toBeNull();
    expect(k!.folded("𐐀")).toBeNull();
  });

  test("gives JavaScript's key on real text, CJK, emoji and a 1 MB document", () => {
    const texts = [...brownTexts().slice(0, 60), ...nlpDocs(300, 7), cjkDoc(3, 5000), emojiDoc(4, 3000), bigDoc(1 << 20)];
    for (const t of texts) expect(exactKey(t)).toBe(keyJs(t));
  });

  test("gives JavaScript's key on 20,000 adversarial strings: every whitespace, case and surrogate case", () => {
    let declined = 0;
    let taken = 0;
    for (const t of adversarial(11, 20_000)) {
      if (exactKeyKernel()!.folded(t) === null) declined++;
      else taken++;
      const got = exactKey(t);
      if (got !== keyJs(t)) expect({ text: t, key: got }).toEqual({ text: t, key: keyJs(t) });
    }
    // Both ways were exercised, the kernel's mostly.
    expect(taken).toBeGreaterThan(declined);
    expect(declined).toBeGreaterThan(100);
  });

  test("every BMP code unit on its own and between words", () => {
    for (let u = 0; u < 65536; u += 1) {
      const ch = String.fromCharCode(u);
      for (const t of [ch, `a${ch}b`, `Word${ch}${ch} tail ${ch}`]) {
        if (exactKey(t) !== keyJs(t)) expect({ unit: u.toString(16), text: t }).toBeNull();
      }
    }
  });

  test("long ASCII runs with spaces, doubled spaces, tabs and newlines at every offset of a 16-unit block", () => {
    const r = rng(5);
    const seps = [" ", "  ", "\t", "\n", " \n ", "\r\n", "\u00a0"];
    for (let i = 0; i < 3000; i++) {
      let s = "";
      const len = 20 + Math.floor(r() * 200);
      while (s.length < len) {
        s += "abcDEFghiJKLmnopQRSTuvwxyz0123456789.,!"[Math.floor(r() * 39)]!.repeat(1 + Math.floor(r() * 9));
        if (r() < 0.4) s += seps[Math.floor(r() * seps.length)];
      }
      const t = (r() < 0.3 ? "  " : "") + s + (r() < 0.3 ? " \n" : "");
      if (exactKey(t) !== keyJs(t)) expect(t).toBeNull();
    }
  });

  test("the astral blocks it leaves to JavaScript are exactly those with letters toLowerCase() changes", () => {
    const highs = new Set<number>();
    for (let cp = 0x10000; cp < 0x110000; cp++) {
      const ch = String.fromCodePoint(cp);
      if (ch.toLowerCase() !== ch) highs.add(0xd800 + ((cp - 0x10000) >> 10));
    }
    expect([...highs].sort((a, b) => a - b)).toEqual([...CASED_ASTRAL_HIGH]);
  });
});
