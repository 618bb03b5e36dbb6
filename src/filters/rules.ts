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
  check(text: string, stats: TextStats, lines: () => string[]): string | null;
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

export function measure(text: string): TextStats {
  let words = 0;
  let inWord = false;
  let nonSpace = 0;
  let letters = 0;
  let ascii = 0;
  let chars = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    chars++;
    if (c < 128) {
      ascii++;
      const space = c === 32 || (c >= 9 && c <= 13);
      if (space) {
        inWord = false;
        continue;
      }
      nonSpace++;
      if (!inWord) {
        words++;
        inWord = true;
      }
      if ((c | 32) >= 97 && (c | 32) <= 122) letters++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        nonSpace++;
        if (!inWord) {
          words++;
          inWord = true;
        }
        if (LETTER.test(String.fromCharCode(c, d))) letters++;
        continue;
      }
    }
    if (c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000) {
      inWord = false;
      continue;
    }
    nonSpace++;
    if (!inWord) {
      words++;
      inWord = true;
    }
    if (LETTER.test(text[i]!)) letters++;
  }
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

/** One pass over the whole text: no boilerplate pattern can match a line when this finds nothing. */
const BOILERPLATE_ANY = /cookie|javascript|rights reserved|©|\(c\)|copyright|privacy policy|terms of/i;

function nonEmptyLines(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split("\n")) {
    const t = l.trim();
    if (t.length > 0) out.push(t);
  }
  return out;
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
        if (!BOILERPLATE_ANY.test(text)) return null;
        const lines = getLines();
        if (lines.length === 0) return null;
        let hits = 0;
        for (const l of lines) if (l.length < 300 && BOILERPLATE.some((re) => re.test(l))) hits++;
        const frac = hits / lines.length;
        return frac > max ? `${hits}/${lines.length} boilerplate lines (cookie, JavaScript, rights notices) > ${max}` : null;
      },
    });
  }
  if (cfg.max_repeated_line_fraction !== null) {
    const max = cfg.max_repeated_line_fraction;
    rules.push({
      name: "repeated_lines_v1",
      check: (_t, _s, getLines) => {
        const lines = getLines();
        if (lines.length < 3) return null;
        const seen = new Set<string>();
        let dups = 0;
        for (const l of lines) {
          if (seen.has(l)) dups++;
          else seen.add(l);
        }
        const frac = dups / lines.length;
        return frac > max ? `${dups}/${lines.length} lines repeat an earlier line > ${max}` : null;
      },
    });
  }
  return rules;
}

/** Runs the rules in order; the first that drops decides. */
export function applyRules(rules: Rule[], text: string): { reason: string; detail: string } | null {
  if (rules.length === 0) return null;
  const stats = measure(text);
  let lines: string[] | null = null;
  const getLines = () => (lines ??= nonEmptyLines(text));
  for (const r of rules) {
    const detail = r.check(text, stats, getLines);
    if (detail !== null) return { reason: r.name, detail };
  }
  return null;
}
