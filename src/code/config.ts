/** The code rules' settings from a filter file with `base: code` (README, normalize). */
import { ConfigError } from "../errors.ts";
import { CODE_FILTERS, type CodeFilterConfig } from "./rules.ts";

const FRACTIONS = new Set([
  "max_minified_line_share",
  "max_encoded_fraction",
  "min_alnum_space_fraction",
  "max_comment_line_fraction",
  "test_file_keep",
  "stars_keep_mid",
  "stars_keep_low",
]);
/** Settings that cannot be turned off (they only shape another rule). */
const REQUIRED = new Set(["stars_high", "stars_mid", "stars_keep_mid"]);

export function codeFilterConfig(): CodeFilterConfig {
  return { ...CODE_FILTERS, syntax_error_languages: [...CODE_FILTERS.syntax_error_languages!] };
}

/** `raw` is the parsed YAML mapping; `spec` names the file in messages. */
export function readCodeFilterConfig(raw: Record<string, unknown>, spec: string): CodeFilterConfig {
  const c = codeFilterConfig() as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw)) {
    if (key === "base") continue;
    if (!(key in CODE_FILTERS)) {
      throw new ConfigError(`--filters ${spec}: unknown code setting "${key}"; known: base, ${Object.keys(CODE_FILTERS).join(", ")}`);
    }
    if (value === null || value === false) {
      if (REQUIRED.has(key))
        throw new ConfigError(`--filters ${spec}: ${key} cannot be off; turn the star tiers off with stars_keep_low: null`);
      c[key] = null;
      continue;
    }
    if (key === "syntax_error_languages") {
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
        throw new ConfigError(`--filters ${spec}: syntax_error_languages must be a list of language names (e.g. [python, go]) or null`);
      }
      c[key] = [...value].sort();
      continue;
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`--filters ${spec}: ${key} must be a non-negative number or null (off), got ${JSON.stringify(value)}`);
    }
    if (FRACTIONS.has(key) && value > 1) throw new ConfigError(`--filters ${spec}: ${key} is a fraction from 0 to 1, got ${value}`);
    c[key] = value;
  }
  return c as unknown as CodeFilterConfig;
}
