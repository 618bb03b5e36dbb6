/**
 * Pre-tokenizers: a function from (text, position) to the end of the pre-token starting there.
 *
 * The three regexes byte-level BPE tokenizers use in practice (GPT-2, cl100k/Llama-3,
 * o200k/Harmony) are written out by hand (pretokenize-*.ts); any other Split regex runs through
 * the JS regex engine after `\s`/`\S` are rewritten to White_Space (JS's own `\s` differs from the
 * Rust/Oniguruma one on U+0085 and U+FEFF). A regex JS cannot compile returns null, and the
 * caller falls back to @huggingface/tokenizers.
 */
import { scanCl100k } from "./pretokenize-cl100k.ts";
import { scanGpt2 } from "./pretokenize-gpt2.ts";
import { scanO200k } from "./pretokenize-o200k.ts";

export type Scan = (s: string, p: number, len: number) => number;
export type PatternKind = "o200k" | "cl100k" | "gpt2" | "regex";

export const O200K_PATTERN =
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
  "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
  "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
export const CL100K_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

export function patternKind(pattern: string): PatternKind {
  if (pattern === O200K_PATTERN) return "o200k";
  if (pattern === CL100K_PATTERN) return "cl100k";
  if (pattern === GPT2_PATTERN) return "gpt2";
  return "regex";
}

/** Rewrites `\s` and `\S` (inside or outside classes) to White_Space; other escapes are kept. */
export function toJsRegexSource(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && i + 1 < pattern.length) {
      const d = pattern[++i];
      out += d === "s" ? "\\p{White_Space}" : d === "S" ? "\\P{White_Space}" : "\\" + d;
    } else out += c;
  }
  return out;
}

/** A scanner over a compiled JS regex, splitting like HF's Split(behavior: "Isolated"). */
export function regexScan(pattern: string): Scan | null {
  let re: RegExp;
  try {
    re = new RegExp(toJsRegexSource(pattern), "gu");
  } catch {
    return null;
  }
  return (s, p, len) => {
    let from = p;
    for (;;) {
      re.lastIndex = from;
      const m = re.exec(s);
      if (m === null) return len;
      if (m.index > p) return m.index; // unmatched gap is a piece of its own
      if (m[0].length > 0) return p + m[0].length;
      if (from >= len) return len;
      from = m.index + 1; // empty match: look further
    }
  };
}

export function scannerFor(pattern: string): Scan | null {
  switch (patternKind(pattern)) {
    case "o200k":
      return scanO200k;
    case "cl100k":
      return scanCl100k;
    case "gpt2":
      return scanGpt2;
    default:
      return regexScan(pattern);
  }
}
