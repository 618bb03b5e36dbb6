/**
 * What `gamma ingest-manifest` does for each source of a Stage A manifest,
 * read from the entry's own keys (StageASource.extra):
 *
 *   source: fineweb-edu            # a built-in Hub source (gamma hf-stream --help lists them)
 *   hf:                            # a Hub dataset; with source:, its keys override the built-in ones
 *     dataset: HuggingFaceFW/fineweb-edu
 *     config: default
 *     split: train
 *     revision: main               # branch, tag or sha; resolved once and pinned
 *     text_field: text
 *     id_field: id
 *     domain: web_edu
 *     license_tag: ODC-By-1.0
 *     limit: 100000
 *     filters: default             # default | none | FILE.yaml
 *   local:                         # files on disk
 *     input: [raw/mine/*.jsonl.zst]   # paths or globs, relative to the manifest's folder
 *     format: jsonl                # jsonl | parquet | wikipedia | stackexchange
 *     text_field: text
 *     id_field: id
 *     domain: web
 *     license_tag: CC-BY-4.0
 *     filters: default
 *     min_score: 1                 # stackexchange only
 *     site: cooking.stackexchange.com   # stackexchange only
 *
 * An entry with none of these has nothing to ingest (its shards already
 * exist). Errors name the field path: sources[2].local.format (wiki).
 */
import { isAbsolute, join } from "node:path";
import { ConfigError } from "../errors.ts";
import { loadFilterConfig } from "../filters/config.ts";
import type { FilterConfig } from "../filters/rules.ts";
import type { HfPlanRequest } from "../stages/hf-plan.ts";
import type { StageASource } from "./stage-a.ts";

export const LOCAL_FORMATS = ["jsonl", "parquet", "wikipedia", "stackexchange"] as const;
export type LocalFormat = (typeof LOCAL_FORMATS)[number];

export interface HfIngestSpec {
  kind: "hf";
  name: string;
  request: HfPlanRequest;
  limit: number | undefined;
  filters: FilterConfig;
}

export interface LocalIngestSpec {
  kind: "local";
  name: string;
  format: LocalFormat;
  /** Absolute paths or globs. */
  inputs: string[];
  /** As the manifest gives them (relative to its folder), for the inventory. */
  inputsAsWritten: string[];
  textField: string;
  idField: string | null;
  domain: string;
  licenseTag: string | null;
  filters: FilterConfig;
  minScore: number | null;
  site: string | null;
}

export type IngestSpec = HfIngestSpec | LocalIngestSpec | { kind: "none"; name: string };

const HF_KEYS = ["dataset", "config", "split", "revision", "text_field", "id_field", "domain", "license_tag", "limit", "filters"];
const LOCAL_KEYS = ["input", "format", "text_field", "id_field", "domain", "license_tag", "filters", "min_score", "site"];
const DEFAULT_DOMAIN: Partial<Record<LocalFormat, string>> = { wikipedia: "encyclopedia", stackexchange: "qa" };
const DEFAULT_LICENSE: Partial<Record<LocalFormat, string>> = { wikipedia: "CC-BY-SA-4.0" };

export function ingestSpecOf(manifestPath: string, manifestDir: string, s: StageASource, index: number): IngestSpec {
  const at = (field: string) => `sources[${index}].${field} (${s.name})`;
  const bad = (field: string, why: string): never => {
    throw new ConfigError(`--manifest ${manifestPath}: ${at(field)}: ${why}`);
  };
  const abs = (p: string) => (isAbsolute(p) ? p : join(manifestDir, p));
  const block = (key: string, allowed: string[]): Record<string, unknown> | undefined => {
    const v = s.extra[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) bad(key, "expected a mapping");
    for (const k of Object.keys(v as object)) if (!allowed.includes(k)) bad(`${key}.${k}`, `unknown key; known: ${allowed.join(", ")}`);
    return v as Record<string, unknown>;
  };
  const str = (b: Record<string, unknown>, key: string, field: string): string | undefined => {
    const v = b[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || v.length === 0) bad(field, `expected a non-empty string, got ${JSON.stringify(v)}`);
    return v as string;
  };
  const filtersOf = (b: Record<string, unknown>, field: string): FilterConfig => {
    const spec = str(b, "filters", field) ?? "default";
    try {
      return loadFilterConfig(spec === "default" || spec === "none" ? spec : abs(spec));
    } catch (e) {
      return bad(field, (e as Error).message);
    }
  };

  const hf = block("hf", HF_KEYS);
  const local = block("local", LOCAL_KEYS);
  const registry = s.extra.source;
  if (registry !== undefined && typeof registry !== "string") bad("source", "expected the name of a built-in Hub source, e.g. fineweb-edu");
  if (local && (hf || registry !== undefined)) bad("local", "a source is either local files or a Hub dataset (hf:/source:), not both");

  if (hf || registry !== undefined) {
    const b = hf ?? {};
    const field = (k: string) => `hf.${k}`;
    const limit = b.limit;
    if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && (limit as number) >= 0))
      bad(field("limit"), `expected a whole number >= 0, got ${JSON.stringify(limit)}`);
    const request: HfPlanRequest = {
      source: registry as string | undefined,
      dataset: str(b, "dataset", field("dataset")),
      name: s.name,
      config: str(b, "config", field("config")),
      split: str(b, "split", field("split")),
      revision: str(b, "revision", field("revision")),
      textField: str(b, "text_field", field("text_field")),
      idField: str(b, "id_field", field("id_field")),
      domain: str(b, "domain", field("domain")),
      licenseTag: str(b, "license_tag", field("license_tag")),
    };
    if (request.source === undefined && request.dataset === undefined)
      bad("hf.dataset", "required (or name a built-in source with source:)");
    return {
      kind: "hf",
      name: s.name,
      request,
      limit: (limit as number | null | undefined) ?? undefined,
      filters: filtersOf(b, field("filters")),
    };
  }

  if (local) {
    const field = (k: string) => `local.${k}`;
    const raw = local.input;
    const inputs =
      typeof raw === "string"
        ? [raw]
        : Array.isArray(raw) && raw.length > 0 && raw.every((x) => typeof x === "string" && x.length > 0)
          ? (raw as string[])
          : bad(field("input"), "expected a path or glob, or a non-empty list of them");
    const format = (local.format ?? "jsonl") as LocalFormat;
    if (!LOCAL_FORMATS.includes(format))
      bad(field("format"), `expected one of ${LOCAL_FORMATS.join(", ")}, got ${JSON.stringify(local.format)}`);
    const domain =
      str(local, "domain", field("domain")) ??
      DEFAULT_DOMAIN[format] ??
      bad(field("domain"), `required for format ${format} (the folder and field every document gets, e.g. web)`);
    const minScore = local.min_score;
    if (minScore !== undefined && minScore !== null && !Number.isInteger(minScore))
      bad(field("min_score"), `expected an integer, got ${JSON.stringify(minScore)}`);
    if (format !== "stackexchange" && (local.min_score !== undefined || local.site !== undefined))
      bad(field(local.site !== undefined ? "site" : "min_score"), "only applies to format stackexchange");
    if (format === "wikipedia" || format === "stackexchange") {
      if (local.text_field !== undefined || local.id_field !== undefined)
        bad(field(local.text_field !== undefined ? "text_field" : "id_field"), `format ${format} has its own fields (text, id)`);
    }
    return {
      kind: "local",
      name: s.name,
      format,
      inputs: inputs.map(abs),
      inputsAsWritten: inputs,
      textField: str(local, "text_field", field("text_field")) ?? "text",
      idField: str(local, "id_field", field("id_field")) ?? (format === "wikipedia" || format === "stackexchange" ? "id" : null),
      domain,
      licenseTag: str(local, "license_tag", field("license_tag")) ?? DEFAULT_LICENSE[format] ?? null,
      filters: filtersOf(local, field("filters")),
      minScore: (minScore as number | null | undefined) ?? null,
      site: str(local, "site", field("site")) ?? null,
    };
  }
  return { kind: "none", name: s.name };
}
