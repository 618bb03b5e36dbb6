/**
 * Heuristic quality filters. Each rule is small, named with a version, and
 * returns null to keep a document or a detail string saying why it drops it.
 * The rule name is the reason code in manifests and rejects files.
 */
export interface FilterConfig {
  min_chars: number | null;
  max_chars: number | null;
  min_words: number | null;
  min_alpha_ratio: number | null;
  min_ascii_ratio: number | null;
  max_boilerplate_line_fraction: number | null;
  max_repeated_line_fraction: number | null;
}

export const DEFAULT_FILTERS: FilterConfig = {
  min_chars: 100,
  max_chars: 1_000_000,
  min_words: 20,
  min_alpha_ratio: 0.6,
  min_ascii_ratio: null,
  max_boilerplate_line_fraction: 0.3,
  max_repeated_line_fraction: 0.3,
};

export const NO_FILTERS: FilterConfig = {
  min_chars: null,
  max_chars: null,
  min_words: null,
  min_alpha_ratio: null,
  min_ascii_ratio: null,
  max_boilerplate_line_fraction: null,
  max_repeated_line_fraction: null,
};

export interface Rule {
  name: string;
  check(text: string, stats: TextStats, lines: () => LineStats): string | null;
}

/** Measurements shared by the rules, computed in one pass over the text. */
export interface TextStats {
  chars: number;
  words: number;
  /** letters / non-whitespace characters */
  alphaRatio: number;
  /** ASCII characters / all characters */
  asciiRatio: number;
}

const LETTER = /\p{L}/u;

/** What measure() needs to know of a UTF-16 code unit, as bits; filled on first use. */
const ASCII = 1;
const SPACE = 2;
const IS_LETTER = 4;
const HIGH_SURROGATE = 8;
const KNOWN = 16;
const CLASS = new Uint8Array(0x10000);

function classify(c: number): number {
  let k = KNOWN;
  if (c < 128) k |= ASCII;
  if (c === 32 || (c >= 9 && c <= 13) || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000) k |= SPACE;
  else if (LETTER.test(String.fromCharCode(c))) k |= IS_LETTER;
  if (c >= 0xd800 && c <= 0xdbff) k |= HIGH_SURROGATE;
  CLASS[c] = k;
  return k;
}

/**
 * One pass over the text. A surrogate pair counts as one character; a lone
 * surrogate as one non-space, non-letter character. The counters are added
 * without branches: which branch a character takes is unpredictable, and
 * mispredictions cost more than the arithmetic.
 */
export function measure(text: string): TextStats {
  const n = text.length;
  let pairs = 0;
  let ascii = 0;
  let nonSpace = 0;
  let letters = 0;
  let words = 0;
  let prevSpace = 1; // 1 when the previous character was a space (or at the start)
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let k = CLASS[c]!;
    if (k === 0) k = classify(c);
    if ((k & HIGH_SURROGATE) !== 0 && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        pairs++;
        nonSpace++;
        words += prevSpace;
        prevSpace = 0;
        if (LETTER.test(String.fromCharCode(c, d))) letters++;
        continue;
      }
    }
    const space = (k & SPACE) >> 1;
    ascii += k & ASCII;
    nonSpace += space ^ 1;
    words += (space ^ 1) & prevSpace;
    letters += (k & IS_LETTER) >> 2;
    prevSpace = space;
  }
  const chars = n - pairs;
  return {
    chars,
    words,
    alphaRatio: nonSpace === 0 ? 0 : letters / nonSpace,
    asciiRatio: chars === 0 ? 1 : ascii / chars,
  };
}

const BOILERPLATE = [
  /\bcookies?\b.*\b(use|accept|policy|consent|settings)\b/i,
  /\b(use|accept|policy|consent)\b.*\bcookies?\b/i,
  /\bjavascript\b.*\b(disabled|enable|required|turned off)\b/i,
  /\b(enable|disabled)\b.*\bjavascript\b/i,
  /\ball rights reserved\b/i,
  /^\s*(©|\(c\)|copyright)\s/i,
  /\b(privacy policy|terms of (use|service))\b/i,
];

/** Every line a boilerplate pattern matches has a match of this (which has no newline in it). */
const BOILERPLATE_ANY = /cookie|javascript|rights reserved|©|\(c\)|copyright|privacy policy|terms of/gi;

/**
 * How many lines (trimmed, non-empty, as lineStats counts them) match a
 * boilerplate pattern, or null when no line can. Only the lines that hold a
 * match of BOILERPLATE_ANY are tried: one scan of the text finds them.
 */
function boilerplateHits(text: string): number | null {
  const any = BOILERPLATE_ANY;
  any.lastIndex = 0;
  let m = any.exec(text);
  if (m === null) return null;
  let hits = 0;
  while (m !== null) {
    const start = text.lastIndexOf("\n", m.index) + 1;
    let end = text.indexOf("\n", m.index);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    if (line.length < 300 && BOILERPLATE.some((re) => re.test(line))) hits++;
    any.lastIndex = end;
    m = any.exec(text);
  }
  return hits;
}

/** The lines the line rules count: split at "\n", trimmed, non-empty. */
export interface LineStats {
  lines: number;
  /** Lines equal to an earlier line. */
  repeated: number;
}

function lineStats(text: string): LineStats {
  const distinct = new Set<string>();
  let lines = 0;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.length === 0) continue;
    lines++;
    distinct.add(line);
  }
  return { lines, repeated: lines - distinct.size };
}

export function buildRules(cfg: FilterConfig): Rule[] {
  const rules: Rule[] = [];
  const fmt = (x: number) => (Math.round(x * 1000) / 1000).toString();
  if (cfg.min_chars !== null) {
    const min = cfg.min_chars;
    rules.push({ name: "min_chars_v1", check: (_t, s) => (s.chars < min ? `${s.chars} chars < ${min}` : null) });
  }
  if (cfg.max_chars !== null) {
    const max = cfg.max_chars;
    rules.push({ name: "max_chars_v1", check: (_t, s) => (s.chars > max ? `${s.chars} chars > ${max}` : null) });
  }
  if (cfg.min_words !== null) {
    const min = cfg.min_words;
    rules.push({ name: "min_words_v1", check: (_t, s) => (s.words < min ? `${s.words} words < ${min}` : null) });
  }
  if (cfg.min_alpha_ratio !== null) {
    const min = cfg.min_alpha_ratio;
    rules.push({ name: "alpha_ratio_v1", check: (_t, s) => (s.alphaRatio < min ? `alphabetic ratio ${fmt(s.alphaRatio)} < ${min}` : null) });
  }
  if (cfg.min_ascii_ratio !== null) {
    const min = cfg.min_ascii_ratio;
    rules.push({ name: "ascii_ratio_v1", check: (_t, s) => (s.asciiRatio < min ? `ASCII ratio ${fmt(s.asciiRatio)} < ${min}` : null) });
  }
  if (cfg.max_boilerplate_line_fraction !== null) {
    const max = cfg.max_boilerplate_line_fraction;
    rules.push({
      name: "boilerplate_v1",
      check: (text, _s, getLines) => {
        const hits = boilerplateHits(text);
        if (hits === null) return null;
        const { lines } = getLines();
        if (lines === 0) return null;
        const frac = hits / lines;
        return frac > max ? `${hits}/${lines} boilerplate lines (cookie, JavaScript, rights notices) > ${max}` : null;
      },
    });
  }
  if (cfg.max_repeated_line_fraction !== null) {
    const max = cfg.max_repeated_line_fraction;
    rules.push({
      name: "repeated_lines_v1",
      check: (_t, _s, getLines) => {
        const { lines, repeated } = getLines();
        if (lines < 3) return null;
        const frac = repeated / lines;
        return frac > max ? `${repeated}/${lines} lines repeat an earlier line > ${max}` : null;
      },
    });
  }
  return rules;
}

/** Runs the rules in order; the first that drops decides. */
export function applyRules(rules: Rule[], text: string): { reason: string; detail: string } | null {
  if (rules.length === 0) return null;
  const stats = measure(text);
  let lines: LineStats | null = null;
  const getLines = () => (lines ??= lineStats(text));
  for (const r of rules) {
    const detail = r.check(text, stats, getLines);
    if (detail !== null) return { reason: r.name, detail };
  }
  return null;
}
