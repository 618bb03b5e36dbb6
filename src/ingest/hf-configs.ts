/**
 * A Hub dataset's configs (subsets) and splits, and the files behind them.
 * First choice is the dataset card's `configs:` YAML (returned as
 * `cardData.configs` by the revision endpoint), so the files come from the
 * pinned revision itself. Datasets without one fall back to the dataset
 * viewer's Parquet export, whose files live on the `refs/convert/parquet`
 * branch (which is then the revision that gets pinned).
 */
import { ConfigError, InputError } from "../errors.ts";
import { HfHubClient } from "./hf-hub.ts";
import { configMatchesLang, parseLangCode, type LangCode, type LangFilter } from "./lang-code.ts";
import { globBase, globToRegExp } from "./path-glob.ts";

export const PARQUET_EXPORT_REVISION = "refs/convert/parquet";

/** File kinds the HF driver can stream. */
export const STREAMABLE_FILE = /\.(parquet|jsonl|json|ndjson)(\.gz)?$/;

export interface HfConfig {
  name: string;
  splits: string[];
  /** split -> glob patterns of its files, relative to the repository root. */
  dataFiles: Record<string, string[]>;
  isDefault: boolean;
  /** The language code parsed from the name (null when it carries none). */
  code: LangCode | null;
  /** "card": files at the asked revision; "parquet-export": files on refs/convert/parquet. */
  origin: "card" | "parquet-export";
}

export interface HfFile {
  path: string;
  size: number;
  url: string;
  /** git blob id */
  oid?: string;
  /** sha256 of the content, from LFS metadata, when the Hub gives it */
  sha256?: string;
}

type CardDataFiles = string | string[] | { split?: string; path?: string | string[] }[];
interface CardConfig {
  config_name?: string;
  data_files?: CardDataFiles;
  data_dir?: string;
  default?: boolean;
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Configs declared in a dataset card's YAML (`configs:`), in card order. */
export function configsFromCardData(cardData: unknown): HfConfig[] {
  const raw = (cardData as { configs?: unknown } | undefined)?.configs;
  if (!Array.isArray(raw)) return [];
  const out: HfConfig[] = [];
  for (const c of raw as CardConfig[]) {
    const name = c?.config_name ?? "default";
    const dataFiles: Record<string, string[]> = {};
    const df = c?.data_files;
    if (typeof df === "string" || (Array.isArray(df) && df.every((x) => typeof x === "string"))) {
      dataFiles.train = asList(df as string | string[]);
    } else if (Array.isArray(df)) {
      for (const entry of df as { split?: string; path?: string | string[] }[]) {
        const split = entry?.split ?? "train";
        (dataFiles[split] ??= []).push(...asList(entry?.path));
      }
    } else if (c?.data_dir) {
      dataFiles.train = [`${c.data_dir.replace(/\/+$/, "")}/**`];
    }
    out.push({
      name,
      splits: Object.keys(dataFiles),
      dataFiles,
      isDefault: c?.default === true,
      code: parseLangCode(name),
      origin: "card",
    });
  }
  if (out.length > 0 && !out.some((c) => c.isDefault)) {
    const d = out.find((c) => c.name === "default");
    if (d) d.isDefault = true;
  }
  return out;
}

/** Configs from the Parquet export listing { config: { split: [url] } }. */
export function configsFromParquetExport(listing: Record<string, Record<string, string[]>>): HfConfig[] {
  return Object.keys(listing)
    .sort()
    .map((name) => {
      const splits = Object.keys(listing[name] ?? {}).sort();
      const dataFiles: Record<string, string[]> = {};
      for (const s of splits) dataFiles[s] = [`${name}/${s}/*.parquet`, `${name}/partial-${s}/*.parquet`];
      return { name, splits, dataFiles, isDefault: name === "default", code: parseLangCode(name), origin: "parquet-export" as const };
    });
}

export interface HfConfigsOptions extends LangFilter {
  revision?: string;
  client?: HfHubClient;
}

/**
 * Lists a dataset's configs, filtered by language and script on the parsed
 * `lang_Script` code (so `eng` never matches `asm_Beng`).
 */
export async function hfConfigs(datasetId: string, opts: HfConfigsOptions = {}): Promise<HfConfig[]> {
  const client = opts.client ?? new HfHubClient();
  const info = await client.datasetInfo(datasetId, opts.revision ?? "main");
  let configs = configsFromCardData(info.cardData);
  if (configs.length === 0) configs = configsFromParquetExport(await client.parquetExport(datasetId));
  return configs.filter((c) => configMatchesLang(c.name, opts));
}

/** The config called `name`, or a ConfigError that lists what exists (same language first). */
export function pickConfig(datasetId: string, configs: HfConfig[], name: string | undefined): HfConfig {
  if (name === undefined) {
    const d = configs.find((c) => c.isDefault) ?? (configs.length === 1 ? configs[0] : undefined);
    if (d) return d;
    throw new ConfigError(
      `dataset ${datasetId} has ${configs.length} configs and no default; pass --config-name (list them with gamma hf-configs --dataset ${datasetId})`,
      { code: "hf_config_required" },
    );
  }
  const hit = configs.find((c) => c.name === name);
  if (hit) return hit;
  const code = parseLangCode(name);
  const near = code ? configs.filter((c) => configMatchesLang(c.name, { lang: code.lang })).map((c) => c.name) : [];
  const hint = near.length
    ? `same language: ${near.slice(0, 10).join(", ")}`
    : `e.g. ${configs
        .slice(0, 10)
        .map((c) => c.name)
        .join(", ")}`;
  throw new ConfigError(
    `config "${name}" does not exist in dataset ${datasetId} (${configs.length} configs; ${hint}); list them with gamma hf-configs --dataset ${datasetId}`,
    { code: "hf_config_not_found" },
  );
}

/**
 * The streamable files matching `patterns` at `revision`, sorted by path,
 * each listed once. Lists each pattern's base directory once.
 */
export async function listDataFiles(client: HfHubClient, datasetId: string, revision: string, patterns: string[]): Promise<HfFile[]> {
  const byBase = new Map<string, RegExp[]>();
  for (const p of patterns) {
    const base = globBase(p);
    byBase.set(base, [...(byBase.get(base) ?? []), globToRegExp(p)]);
  }
  const files = new Map<string, HfFile>();
  let matchedOther = 0;
  for (const [base, res] of byBase) {
    try {
      for await (const e of client.listTree(datasetId, revision, base, true)) {
        if (e.type !== "file" || !res.some((r) => r.test(e.path))) continue;
        if (!STREAMABLE_FILE.test(e.path)) {
          matchedOther++;
          continue;
        }
        files.set(e.path, {
          path: e.path,
          size: e.lfs?.size ?? e.size,
          url: client.resolveUrl(datasetId, revision, e.path),
          oid: e.oid,
          sha256: e.lfs?.oid,
        });
      }
    } catch (e) {
      // a pattern whose directory does not exist matches nothing (e.g. no partial-train in the export)
      if (!(e instanceof InputError && e.code === "hf_not_found")) throw e;
    }
  }
  if (files.size === 0) {
    throw new InputError(
      `no ${matchedOther ? "streamable " : ""}data files match ${patterns.join(", ")} in ${datasetId}@${revision}${matchedOther ? ` (${matchedOther} files in other formats; gamma streams .parquet and .jsonl/.json[.gz])` : ""}`,
      { code: "hf_no_files" },
    );
  }
  return [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
