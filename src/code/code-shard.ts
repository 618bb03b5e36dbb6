/**
 * The code side of normalizing one shard: each record's path, stars and
 * language (an input language field wins over detection), the code rules'
 * verdict, and the per-language counts written to the shard manifest as
 * `by_language`.
 */
import { bump } from "../pipeline.ts";
import { detectLanguage, languageFromField, UNKNOWN } from "./language.ts";
import { CodeRules, type CodeFilterConfig, type Verdict } from "./rules.ts";

/** Which input fields hold a record's path, stars and language: the first present wins. */
export interface CodeInputs {
  pathFields: string[];
  starsFields: string[];
  languageFields: string[];
  seed: number;
}

/** Stack-style records: `max_stars_repo_path`/`path`, `max_stars_count`/`stars`, `lang`/`language`. */
export const STACK_FIELDS = {
  pathFields: ["max_stars_repo_path", "path"],
  starsFields: ["max_stars_count", "stars"],
  languageFields: ["lang", "language"],
};

export interface LanguageCounts {
  docs: number;
  bytes: number;
  kept: number;
  dropped: Record<string, number>;
}

function firstString(f: Record<string, unknown>, keys: string[]): string | null {
  for (const k of keys) {
    const v = f[k];
    if (typeof v === "string" && v.length > 0) return v;
  }
  return null;
}

function firstNumber(f: Record<string, unknown>, keys: string[]): number | null {
  for (const k of keys) {
    const v = f[k];
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  }
  return null;
}

export class CodeShard {
  private readonly rules: CodeRules;
  private readonly counts = new Map<string, LanguageCounts>();

  constructor(
    config: CodeFilterConfig,
    private readonly inputs: CodeInputs,
  ) {
    this.rules = new CodeRules(config, inputs.seed);
  }

  /** The document's language slug and the rules' verdict (null: kept); counted per language. */
  async decide(
    f: Record<string, unknown>,
    text: string,
    docId: string,
    bytes: number,
  ): Promise<{ language: string; verdict: Verdict | null }> {
    const path = firstString(f, this.inputs.pathFields) ?? "";
    const given = firstString(f, this.inputs.languageFields);
    const language =
      given !== null ? languageFromField(given) : path !== "" || text.startsWith("#!") ? detectLanguage(path, text).language : UNKNOWN;
    const verdict = await this.rules.judge(text, { docId, path, language, stars: firstNumber(f, this.inputs.starsFields) });
    let c = this.counts.get(language);
    if (c === undefined) this.counts.set(language, (c = { docs: 0, bytes: 0, kept: 0, dropped: {} }));
    c.docs++;
    c.bytes += bytes;
    if (verdict === null) c.kept++;
    else bump(c.dropped, verdict.reason);
    return { language, verdict };
  }

  /** Counts per language, languages and reasons sorted, for the manifest. */
  byLanguage(): Record<string, LanguageCounts> {
    return sortLanguageCounts(Object.fromEntries(this.counts));
  }
}

export function sortLanguageCounts(r: Record<string, LanguageCounts>): Record<string, LanguageCounts> {
  const keys = Object.keys(r).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    keys.map((k) => {
      const c = r[k]!;
      const dropped = Object.fromEntries(Object.entries(c.dropped).sort(([a], [b]) => (a < b ? -1 : 1)));
      return [k, { docs: c.docs, bytes: c.bytes, kept: c.kept, dropped }];
    }),
  );
}

/** Adds `from` into `into` (the report's totals). */
export function mergeLanguageCounts(into: Record<string, LanguageCounts>, from: Record<string, LanguageCounts>): void {
  for (const [lang, c] of Object.entries(from)) {
    const t = (into[lang] ??= { docs: 0, bytes: 0, kept: 0, dropped: {} });
    t.docs += c.docs;
    t.bytes += c.bytes;
    t.kept += c.kept;
    for (const [k, v] of Object.entries(c.dropped)) bump(t.dropped, k, v);
  }
}
