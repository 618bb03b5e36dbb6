import { describe, expect, test } from "bun:test";
import { LineSet } from "../../src/filters/line-set.ts";
import { scanText, scanTextWith, type ScanCounts, type ScanKernel } from "../../src/filters/text-scan.ts";
import { scanJs } from "../../src/filters/text-scan-js.ts";
import { scanWasm } from "../../src/filters/text-scan-wasm.ts";
import { randomTexts, referenceScan } from "./text-scan-reference.ts";

/** Every scan kernel, each held to the same expectations; the WebAssembly one must really run. */
const KERNELS: [string, (text: string) => ScanCounts][] = [
  ["JavaScript", scanJs],
  [
    "WebAssembly",
    (text) => {
      const k = scanWasm(text);
      if (k === null) throw new Error("the WebAssembly kernel did not run");
      return k;
    },
  ],
];

for (const [name, scan] of KERNELS) {
  describe(`text scan, ${name} kernel`, () => {
    test("counts a surrogate pair as one character and a lone surrogate as one non-letter character", () => {
      expect(scan("a😀b")).toMatchObject({ pairs: 1, ascii: 2, nonSpace: 3, letters: 2, words: 1 });
      expect(scan("𝐀")).toMatchObject({ pairs: 1, letters: 1 }); // MATHEMATICAL BOLD CAPITAL A is a letter
      expect(scan("a\ud800 \udc00")).toMatchObject({ pairs: 0, nonSpace: 3, letters: 1, words: 2 });
    });

    test("counts words as runs of non-space characters, with Unicode spaces but not U+200B or U+FEFF", () => {
      expect(scan("  one\ttwo\u00a0three\u3000four\u2028five\u0085six  ")).toMatchObject({ words: 6, letters: 22, nonSpace: 22 });
      expect(scan("one\u200btwo\ufeffthree")).toMatchObject({ words: 1, nonSpace: 13, letters: 11 });
    });

    test("splits lines at \\n only, trims them as String.prototype.trim does, and skips empty ones", () => {
      // "\r", U+2028 and U+0085 do not split; U+FEFF is trimmed, U+0085 is not
      expect(scan("a\rb\u2028c\n\n \t\n\ufeffd\ufeff\n\u0085e")).toMatchObject({ lines: 3, repeated: 0 });
    });

    test("counts a line that equals an earlier one once trimmed as a repeat", () => {
      expect(scan("x y\n  x y \t\nx  y\r\nx y\n\u3000x y")).toMatchObject({ lines: 5, repeated: 3 });
      expect(scan("ab\nab\nAb\nab ")).toMatchObject({ lines: 4, repeated: 2 });
    });

    test("counts boilerplate lines of any case, and only below 300 characters once trimmed", () => {
      const notice = "ALL RIGHTS RESERVED.";
      const at = (n: number) => "  " + notice + " x".repeat((n - notice.length) / 2) + " \t";
      expect(at(298).trim().length).toBe(298);
      expect(scan(`intro\n${at(298)}\n${at(300)}\nwe use cookies, accept them\n© 2024 Corp`)).toMatchObject({
        lines: 5,
        boilerplateLines: 3,
      });
    });

    test("does not take the Kelvin sign or the long s for ASCII letters of a keyword", () => {
      expect(scan("use \u212aookies\nuse coo\u017fies\nuse cookies").boilerplateLines).toBe(1);
    });

    test("keeps exact counts when the line table grows far past its first size", () => {
      const lines = Array.from({ length: 20000 }, (_, i) => `line ${i % 7000}`);
      expect(scan(lines.join("\n"))).toMatchObject({ lines: 20000, repeated: 13000 });
    });

    test("agrees with the plain statement of the measurements on seeded random texts", () => {
      for (const text of randomTexts(11, 1500)) expect([text, scan(text)]).toEqual([text, referenceScan(text)]);
    });
  });
}

describe("text scan", () => {
  test("leaves a text of more than 2^24 code units to the JavaScript twin, with the same counts", () => {
    const text = "ab\n".repeat(6_000_000);
    expect(scanWasm(text)).toBeNull();
    expect(scanText(text)).toMatchObject({ chars: 18_000_000, words: 6_000_000, alphaRatio: 1, lines: 6_000_000, repeated: 5_999_999 });
  });

  test("falls back to the JavaScript twin when a kernel cannot take the text", () => {
    const declines: ScanKernel = () => null;
    const text = "Copyright 2020 Someone\nsome text here\nsome text here";
    const r = referenceScan(text);
    expect(scanTextWith(declines, text)).toEqual({
      chars: text.length - r.pairs,
      words: r.words,
      alphaRatio: r.letters / r.nonSpace,
      asciiRatio: r.ascii / (text.length - r.pairs),
      lines: 3,
      repeated: 1,
      boilerplateLines: 1,
    });
  });
});

describe("LineSet", () => {
  test("tells lines with equal hashes apart by their text", () => {
    const text = "abc\nabd\nabc\nab";
    const set = new LineSet();
    set.reset(text);
    for (const [start, end] of [
      [0, 3],
      [4, 7],
      [8, 11],
      [12, 14],
    ] as const)
      set.add(42, start, end);
    expect(set.size).toBe(3);
  });
});
