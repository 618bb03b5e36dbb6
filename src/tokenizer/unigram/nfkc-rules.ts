/**
 * Normalization rules for trained models, from the JavaScript engine's Unicode tables: every
 * character NFKC changes maps to its NFKC form, and the canonical decomposition of a composed
 * character maps to the composed NFKC form (so "e" + U+0301 becomes "é"). nmt_nfkc adds
 * SentencePiece's NMT rules: control characters are dropped and line breaks, tabs and other
 * invisible separators become a space.
 */

const DROPPED = [...range(0x0001, 0x0008), 0x000b, ...range(0x000e, 0x001f), 0x007f, 0x008f, 0x009f];
const AS_SPACE = [0x0009, 0x000a, 0x000c, 0x000d, 0x1680, 0x200b, 0x200c, 0x200e, 0x200f, 0x2028, 0x2029, 0x2581, 0xfeff, 0xfffd];

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

export function nfkcRules(nmt: boolean): Map<string, string> {
  const rules = new Map<string, string>();
  // Above plane 2 nothing decomposes or has a compatibility form.
  for (let cp = 1; cp < 0x30000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const s = String.fromCodePoint(cp);
    const k = s.normalize("NFKC");
    if (k !== s) rules.set(s, k);
    const d = s.normalize("NFD");
    if (d !== s && d.normalize("NFKC") !== d && !rules.has(d)) rules.set(d, d.normalize("NFKC"));
  }
  rules.delete("\uff5e"); // SentencePiece keeps the fullwidth tilde
  if (nmt) {
    for (const cp of DROPPED) rules.set(String.fromCodePoint(cp), "");
    for (const cp of AS_SPACE) rules.set(String.fromCodePoint(cp), " ");
  }
  return rules;
}
