/**
 * The text scan's measurements stated the plain way, as the rules document
 * them: code points, whitespace runs, split/trim/Set for the lines, every
 * line tried against the boilerplate patterns. Slow, and independent of the
 * kernels' class tables, anchors and line hashing.
 */
import { isBoilerplateLine } from "../../src/filters/boilerplate.ts";
import type { ScanCounts } from "../../src/filters/text-scan.ts";
import { Prng } from "../../src/util/prng.ts";

/** The whitespace of the word and letter counts. */
const SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;

export function referenceScan(text: string): ScanCounts {
  let pairs = 0;
  let ascii = 0;
  let nonSpace = 0;
  let letters = 0;
  let words = 0;
  let prevSpace = true;
  for (const ch of text) {
    if (ch.length === 2) pairs++;
    if (ch.charCodeAt(0) < 128) ascii++;
    const space = SPACE.test(ch);
    if (!space) {
      nonSpace++;
      if (prevSpace) words++;
      if (/\p{L}/u.test(ch)) letters++;
    }
    prevSpace = space;
  }
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return {
    pairs,
    ascii,
    nonSpace,
    letters,
    words,
    lines: lines.length,
    repeated: lines.length - new Set(lines).size,
    boilerplateLines: lines.filter(isBoilerplateLine).length,
  };
}

const PIECES = [
  "the",
  "of",
  "Cookie",
  "cookies",
  "use",
  "We use cookies. Accept our cookie policy.",
  "All Rights Reserved",
  "ALL RIGHTS RESERVED.",
  "© 2024 Example",
  "(c) 2020 X",
  "(C) 1999",
  "Copyright 2001 Y",
  "Please enable JavaScript",
  "JAVASCRIPT is disabled",
  "Privacy Policy",
  "terms of use",
  "Terms of Service",
  "making",
  "terms",
  "items",
  "lyric",
  "vacation",
  "(cls)",
  "é",
  "naïve",
  "e\u0301",
  "Привет",
  "中文",
  "𝐀𝐁",
  "😀",
  "👍🏽",
  "\ud800",
  "\udc00",
  "\udbff\udfff",
  "x\ud800y",
  "\u212aookie",
  "coo\u017fie",
  "İ",
  "\u0000",
  "\u0007",
  "\u007f",
  "ǅ",
  "ª",
  "١٢٣",
  "1234",
  "__init__",
  "def f(x):",
];
const SPACES = [
  " ",
  " ",
  " ",
  "\t",
  "\v",
  "\f",
  "\r",
  "\u00a0",
  "\u0085",
  "\u1680",
  "\u2000",
  "\u200a",
  "\u200b",
  "\u2028",
  "\u2029",
  "\u202f",
  "\u205f",
  "\u3000",
  "\ufeff",
  "\u180e",
];
const BREAKS = ["\n", "\r\n", "\r", "\n\n", "\n \n", "\u2028"];

/** Seeded texts that mix prose, boilerplate, odd whitespace and code points, repeats and long lines. */
export function randomTexts(seed: number, count: number): string[] {
  const rng = new Prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rng.nextFloat() * a.length)]!;
  const line = (): string => {
    const k = rng.nextFloat();
    if (k < 0.05) return "";
    if (k < 0.1) return pick(SPACES) + pick(SPACES);
    if (k < 0.15) return Array.from({ length: 60 + Math.floor(rng.nextFloat() * 60) }, () => pick(PIECES)).join(" ");
    let s = rng.nextFloat() < 0.2 ? pick(SPACES) : "";
    const words = Math.floor(rng.nextFloat() * 14);
    for (let i = 0; i < words; i++) s += (i > 0 ? (rng.nextFloat() < 0.85 ? " " : pick(SPACES)) : "") + pick(PIECES);
    if (rng.nextFloat() < 0.2) s = s.toUpperCase();
    return s + (rng.nextFloat() < 0.2 ? pick(SPACES) : "");
  };
  const texts: string[] = ["", " ", "\n", "\n\n  \n", "\ud800", "😀", "a"];
  while (texts.length < count) {
    const pool = Array.from({ length: 1 + Math.floor(rng.nextFloat() * 12) }, line);
    const n = Math.floor(rng.nextFloat() * 40);
    let t = "";
    for (let i = 0; i < n; i++) t += pick(pool) + (i + 1 < n || rng.nextFloat() < 0.5 ? pick(BREAKS) : "");
    texts.push(t);
  }
  return texts;
}
