/**
 * Heuristic quality filters. Each rule is small, named with a version, and
 * returns null to keep a document or a detail string saying why it drops it.
 * The rule name is the reason code in manifests and rejects files. All rules
 * decide on one scan of the text (text-scan.ts).
 */
import type { LanguageFilter } from "../lang/language-filter.ts";
import { hasKeyword } from "./boilerplate.ts";
import { scanText, type TextScan } from "./text-scan.ts";
import type { CodeFilterConfig } from "../code/rules.ts";

export interface FilterConfig {
  min_chars: number | null;
  max_chars: number | null;
  min_words: number | null;
  min_alpha_ratio: number | null;
  min_ascii_ratio: number | null;
  max_boilerplate_line_fraction: number | null;
  max_repeated_line_fraction: number | null;
  /** The code rules (`--filters code`, src/code/rules.ts); the prose rules above are all off with them. */
  code?: CodeFilterConfig;
  /** The language rule (src/lang/language-filter.ts), when the filter file asks for one. */
  language?: LanguageFilter;
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
  check(text: string, s: TextScan): string | null;
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
    rules.push({
      name: "alpha_ratio_v1",
      check: (_t, s) => (s.alphaRatio < min ? `alphabetic ratio ${fmt(s.alphaRatio)} < ${min}` : null),
    });
  }
  if (cfg.min_ascii_ratio !== null) {
    const min = cfg.min_ascii_ratio;
    rules.push({ name: "ascii_ratio_v1", check: (_t, s) => (s.asciiRatio < min ? `ASCII ratio ${fmt(s.asciiRatio)} < ${min}` : null) });
  }
  if (cfg.max_boilerplate_line_fraction !== null) {
    const max = cfg.max_boilerplate_line_fraction;
    rules.push({
      name: "boilerplate_v1",
      check: (text, s) => {
        const hits = s.boilerplateLines;
        if (s.lines === 0 || !(hits / s.lines > max)) return null;
        // A text without any boilerplate keyword is kept whatever the bound;
        // asked only when no line is boilerplate and the bound is negative.
        if (hits === 0 && !hasKeyword(text)) return null;
        return `${hits}/${s.lines} boilerplate lines (cookie, JavaScript, rights notices) > ${max}`;
      },
    });
  }
  if (cfg.max_repeated_line_fraction !== null) {
    const max = cfg.max_repeated_line_fraction;
    rules.push({
      name: "repeated_lines_v1",
      check: (_t, s) => {
        if (s.lines < 3) return null;
        const frac = s.repeated / s.lines;
        return frac > max ? `${s.repeated}/${s.lines} lines repeat an earlier line > ${max}` : null;
      },
    });
  }
  return rules;
}

/** Runs the rules in order; the first that drops decides. */
export function applyRules(rules: Rule[], text: string): { reason: string; detail: string } | null {
  if (rules.length === 0) return null;
  const scan = scanText(text);
  for (const r of rules) {
    const detail = r.check(text, scan);
    if (detail !== null) return { reason: r.name, detail };
  }
  return null;
}
