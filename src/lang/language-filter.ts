/**
 * The language rules of normalize, read from the filter YAML next to the
 * heuristic rules:
 *
 *   languages: [en, de]      # keep documents whose top language is one of these
 *   lang_threshold: 0.65     # ... with a probability at least this (0: label every document, drop none)
 *   lid_model: lid.218e.bin  # another fastText model (default: the embedded lid.176.ftz); or --lid-model
 *   language_field: language # instead of a model: the dataset's own label, in the record or its meta
 *
 * `lang_id_v1` labels every document it sees with meta.language and
 * meta.language_score (the model's top label and its probability, as
 * `fasttext predict-prob` prints it) and drops by them; code documents (a
 * meta.language naming a programming language) are kept and left as they
 * are. `lang_field_v1` keeps documents whose field holds one of `languages`.
 */
import { dirname, isAbsolute, join } from "node:path";
import { ConfigError } from "../errors.ts";
import type { Doc } from "../pipeline.ts";
import { lidModelInfo, lidPredictor } from "./lid-model.ts";
import programming from "./programming-languages.json" with { type: "json" };

export type LanguageFilter =
  | { kind: "model"; model: string; sha256: string; path: string | null; languages: string[] | null; threshold: number }
  | { kind: "field"; field: string; languages: string[] };

export const LANGUAGE_KEYS = new Set(["languages", "lang_threshold", "language_field", "lid_model"]);
export const LANG_ID_RULE = "lang_id_v1";
export const LANG_FIELD_RULE = "lang_field_v1";

/**
 * The language rule a filter file asks for (null: none). `lidModel` is the
 * --lid-model flag, which wins over the file's `lid_model`.
 */
export function languageFilterOf(raw: Record<string, unknown>, spec: string, lidModel: string | null = null): LanguageFilter | null {
  const bad = (key: string, why: string): never => {
    throw new ConfigError(`--filters ${spec}: ${key}: ${why}`);
  };
  const languages = raw.languages === undefined || raw.languages === null ? null : raw.languages;
  if (
    languages !== null &&
    !(Array.isArray(languages) && languages.length > 0 && languages.every((l) => typeof l === "string" && l.length > 0))
  ) {
    bad("languages", `expected a non-empty list of language labels, e.g. [en, de], got ${JSON.stringify(raw.languages)}`);
  }
  const langs = (languages as string[] | null)?.map((l) => l.replace(/^__label__/, "")) ?? null;
  const threshold = raw.lang_threshold ?? null;
  if (threshold !== null && (typeof threshold !== "number" || !(threshold >= 0 && threshold <= 1)))
    bad("lang_threshold", `expected a probability from 0 to 1, got ${JSON.stringify(threshold)}`);
  const field = raw.language_field ?? null;
  const fileModel = raw.lid_model ?? null;
  if (fileModel !== null && (typeof fileModel !== "string" || fileModel.length === 0))
    bad("lid_model", `expected a path to a fastText model, got ${JSON.stringify(fileModel)}`);
  if (field !== null) {
    if (typeof field !== "string" || field.length === 0) bad("language_field", `expected a field name, got ${JSON.stringify(field)}`);
    if (langs === null) bad("language_field", "needs languages: the labels to keep, e.g. languages: [en]");
    if (threshold !== null || fileModel !== null || lidModel !== null) {
      bad(
        "language_field",
        "the dataset's own labels have no score: drop lang_threshold, lid_model and --lid-model, or drop language_field to identify languages with the model",
      );
    }
    return { kind: "field", field: field as string, languages: langs! };
  }
  if (langs === null && threshold === null) {
    if (fileModel !== null || lidModel !== null) {
      throw new ConfigError(
        `${lidModel !== null ? "--lid-model" : `--filters ${spec}: lid_model`} needs a language rule: set lang_threshold (0 labels every document and drops none) and/or languages in the --filters file`,
      );
    }
    return null;
  }
  const path =
    lidModel ??
    (fileModel === null ? null : isAbsolute(fileModel as string) ? (fileModel as string) : join(dirname(spec), fileModel as string));
  const info = lidModelInfo(path);
  const unknown = (langs ?? []).filter((l) => !info.labels.includes(l));
  if (unknown.length > 0) {
    bad(
      "languages",
      `${unknown.join(", ")} not among the labels of ${info.name} (${info.labels.slice(0, 12).join(", ")}, ... ${info.labels.length} in all)`,
    );
  }
  return { kind: "model", model: info.name, sha256: info.sha256, path, languages: langs, threshold: (threshold as number | null) ?? 0 };
}

/** What manifests record of the rule (no file paths: the model by name and sha256). */
export function languageFilterRecord(f: LanguageFilter): Record<string, unknown> {
  if (f.kind === "field") return { kind: "field", rule: LANG_FIELD_RULE, field: f.field, languages: f.languages };
  return { kind: "model", rule: LANG_ID_RULE, model: f.model, sha256: f.sha256, languages: f.languages, threshold: f.threshold };
}

/** A FilterConfig as manifests record it: the heuristic settings, and the language rule apart. */
export function filterParams(filters: { language?: LanguageFilter }): Record<string, unknown> {
  const { language, ...rest } = filters;
  return language === undefined ? { filters: rest } : { filters: rest, language_filter: languageFilterRecord(language) };
}

const ENGLISH = new Set(["en", "eng", "eng_Latn", "english", "English"]);

/** True when the rule keeps English documents only. */
export function keepsEnglishOnly(f: LanguageFilter | undefined | null): boolean {
  return f?.languages?.every((l) => ENGLISH.has(l)) ?? false;
}

const CODE_NAMES = new Set(programming.names);
const CODE_LOWER = new Set(programming.lowercase);

/**
 * Decides each document's language rule in normalize: `judge` before the
 * document is written (null keeps it), then `stamp` adds the label to the
 * kept document's meta.
 */
export class LanguageGate {
  private last: { language: string | null; score: number } | null = null;
  private readonly labels: Set<string>;

  constructor(private readonly f: LanguageFilter) {
    this.labels = new Set(f.kind === "model" ? lidPredictor(f.path).labels : []);
  }

  judge(fields: Record<string, unknown>, text: string): { reason: string; detail: string } | null {
    this.last = null;
    const f = this.f;
    if (f.kind === "field") {
      const v = fieldOf(fields, f.field);
      if (typeof v === "string" && f.languages.includes(v)) return null;
      const got = v === undefined ? "missing" : JSON.stringify(v);
      return { reason: LANG_FIELD_RULE, detail: `field "${f.field}" is ${got}, not one of ${f.languages.join(", ")}` };
    }
    if (this.isCode(fieldOf(fields, "language"))) return null;
    const top = lidPredictor(f.path).predict(text, 1)[0];
    const language = top?.label ?? null;
    const prob = top?.prob ?? 0;
    this.last = { language, score: Number(prob.toPrecision(6)) };
    if (f.languages !== null && (language === null || !f.languages.includes(language))) {
      return { reason: LANG_ID_RULE, detail: `top language ${language} (${this.last.score}) is not one of ${f.languages.join(", ")}` };
    }
    if (prob < f.threshold) return { reason: LANG_ID_RULE, detail: `language ${language} scored ${this.last.score} < ${f.threshold}` };
    return null;
  }

  /** Sets meta.language and meta.language_score on the document just judged and kept. */
  stamp(doc: Doc): void {
    if (this.last === null) return;
    doc.meta = { ...(doc.meta ?? {}), language: this.last.language, language_score: this.last.score };
  }

  /** A programming language by Linguist's exact name, or by a name or alias that is not also one of the model's labels (io is Ido, Io is code). */
  private isCode(v: unknown): boolean {
    if (typeof v !== "string") return false;
    if (CODE_NAMES.has(v)) return true;
    const lower = v.toLowerCase();
    return CODE_LOWER.has(lower) && !this.labels.has(lower) && !this.labels.has(v);
  }
}

/** A record's field as normalize writes it: a top-level field, else the input meta's. */
function fieldOf(fields: Record<string, unknown>, key: string): unknown {
  if (key !== "meta" && fields[key] !== undefined) return fields[key];
  const meta = fields.meta;
  if (meta !== null && typeof meta === "object" && !Array.isArray(meta) && key in (meta as object))
    return (meta as Record<string, unknown>)[key];
  return fields[key];
}
