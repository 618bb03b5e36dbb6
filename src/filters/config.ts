/** Reads `--filters default|none|FILE.yaml` into a validated FilterConfig. */
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { ConfigError } from "../errors.ts";
import { LANGUAGE_KEYS, languageFilterOf } from "../lang/language-filter.ts";
import { DEFAULT_FILTERS, NO_FILTERS, type FilterConfig } from "./rules.ts";
import { codeFilterConfig, readCodeFilterConfig } from "../code/config.ts";

const RATIOS = new Set(["min_alpha_ratio", "min_ascii_ratio", "max_boilerplate_line_fraction", "max_repeated_line_fraction"]);

/** `lidModel`: the --lid-model flag, for the file's language rule. */
export function loadFilterConfig(spec: string, lidModel: string | null = null): FilterConfig {
  if (spec === "default" || spec === "none" || spec === "code") {
    languageFilterOf({}, spec, lidModel); // --lid-model without a filter file is an error
    // Code rules replace the prose rules: none of those run under them.
    if (spec === "code") return { ...NO_FILTERS, code: codeFilterConfig() };
    return spec === "default" ? { ...DEFAULT_FILTERS } : { ...NO_FILTERS };
  }
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(spec, "utf8"));
  } catch (e) {
    throw new ConfigError(`--filters ${spec}: ${(e as Error).message}`, { cause: e });
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`--filters ${spec}: expected a mapping of filter settings, e.g. "min_chars: 200"`);
  }
  if ((raw as Record<string, unknown>).base === "code")
    return { ...NO_FILTERS, code: readCodeFilterConfig(raw as Record<string, unknown>, spec) };
  const base = (raw as Record<string, unknown>).base === "none" ? { ...NO_FILTERS } : { ...DEFAULT_FILTERS };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === "base") {
      if (value !== "none" && value !== "default") throw new ConfigError(`--filters ${spec}: base must be "default", "none" or "code"`);
      continue;
    }
    if (LANGUAGE_KEYS.has(key)) continue;
    if (!(key in DEFAULT_FILTERS)) {
      throw new ConfigError(
        `--filters ${spec}: unknown setting "${key}"; known: base, ${[...Object.keys(DEFAULT_FILTERS), ...LANGUAGE_KEYS].join(", ")}`,
      );
    }
    if (value === null || value === false) {
      (base as unknown as Record<string, number | null>)[key] = null;
      continue;
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`--filters ${spec}: ${key} must be a non-negative number or null (off), got ${JSON.stringify(value)}`);
    }
    if (RATIOS.has(key) && value > 1) throw new ConfigError(`--filters ${spec}: ${key} is a fraction from 0 to 1, got ${value}`);
    (base as unknown as Record<string, number | null>)[key] = value;
  }
  const language = languageFilterOf(raw as Record<string, unknown>, spec, lidModel);
  if (language !== null) base.language = language;
  return base;
}
