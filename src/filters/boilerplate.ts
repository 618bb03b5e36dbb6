/**
 * What makes a line boilerplate (cookie and JavaScript notices, rights and
 * copyright notices, privacy/terms links), and the cheap test that finds the
 * few lines worth asking: the text scan (text-scan.ts) flags a line when it
 * holds one of the ANCHORS, and only flagged lines are tried against the
 * patterns.
 */

/** A line is boilerplate when, trimmed and shorter than this, it matches a pattern. */
export const MAX_BOILERPLATE_LINE = 300;

const BOILERPLATE = [
  /\bcookies?\b.*\b(use|accept|policy|consent|settings)\b/i,
  /\b(use|accept|policy|consent)\b.*\bcookies?\b/i,
  /\bjavascript\b.*\b(disabled|enable|required|turned off)\b/i,
  /\b(enable|disabled)\b.*\bjavascript\b/i,
  /\ball rights reserved\b/i,
  /^\s*(©|\(c\)|copyright)\s/i,
  /\b(privacy policy|terms of (use|service))\b/i,
];

/**
 * Every match of a pattern holds one of these keywords (ASCII letters match
 * either case; none holds a newline). A text without any is never dropped by
 * the boilerplate rule.
 */
export const KEYWORDS = ["cookie", "javascript", "rights reserved", "©", "(c)", "copyright", "privacy policy", "terms of"];

/**
 * For each keyword, up to three adjacent characters of it that are rare in
 * ordinary text: a line holds a keyword only if it holds its anchor, so a line
 * without any anchor needs no pattern tried.
 */
export const ANCHORS = ["kie", "jav", "hts", "©", "(c)", "yri", "vac", "rms"];

/** Whether a trimmed line is boilerplate. */
export function isBoilerplateLine(line: string): boolean {
  return line.length < MAX_BOILERPLATE_LINE && BOILERPLATE.some((re) => re.test(line));
}

const KEYWORD_ANY = new RegExp(KEYWORDS.map((k) => k.replace(/[()]/g, "\\$&")).join("|"), "i");

/** Whether the text holds a keyword anywhere (only asked in the rare case the line counts cannot decide). */
export function hasKeyword(text: string): boolean {
  return KEYWORD_ANY.test(text);
}

/**
 * The anchor alphabet: a code unit's index in it (1-26 for ASCII letters of
 * either case, 27 for "(", 28 for ")", 29 for "©"), 0 for every other code
 * unit. Five bits.
 */
export function anchorIndex(c: number): number {
  if (c >= 0x61 && c <= 0x7a) return c - 0x60;
  if (c >= 0x41 && c <= 0x5a) return c - 0x40;
  if (c === 0x28) return 27;
  if (c === 0x29) return 28;
  if (c === 0xa9) return 29;
  return 0;
}

/**
 * 1 at `(beforePrevious << 10) | (previous << 5) | current` for every three
 * anchor indexes that complete an anchor (a shorter anchor completes after
 * any previous ones).
 */
export const ANCHOR_TRIPLES = new Uint8Array(1 << 15);
for (const a of ANCHORS) {
  // the indexes of the anchor's characters, aligned to the end; null: any
  const [w2, w1, w0] = [null, null, ...[...a].map((ch) => anchorIndex(ch.charCodeAt(0)))].slice(-3) as [
    number | null,
    number | null,
    number,
  ];
  for (let i2 = 0; i2 < 32; i2++) {
    for (let i1 = 0; i1 < 32; i1++) if ((w2 ?? i2) === i2 && (w1 ?? i1) === i1) ANCHOR_TRIPLES[(i2 << 10) | (i1 << 5) | w0] = 1;
  }
}
