/**
 * What to stream for one Hub source: a built-in registry name (fineweb-edu,
 * fineweb2, ...) or a bare dataset id, with the user's overrides applied.
 * Shared by `gamma hf-stream` and the `hf:` entries of `gamma ingest-manifest`.
 */
import { ConfigError } from "../errors.ts";
import { checkDatasetId } from "../ingest/hf-hub.ts";
import { hfSource, sourceConfig, type HfSource } from "../ingest/hf-sources.ts";

export interface HfPlanRequest {
  /** A registry name (`--source`). */
  source?: string;
  /** A dataset id (`--dataset`); overrides the registry's when both are given. */
  dataset?: string;
  /** Shard source name (default: the registry name, or the dataset id with "/" as "__"). */
  name?: string;
  config?: string;
  split?: string;
  revision?: string;
  textField?: string;
  idField?: string;
  domain?: string;
  licenseTag?: string;
}

export interface HfPlan {
  registry: HfSource | null;
  datasetId: string;
  sourceName: string;
  /** The config to read (null: the dataset's default). */
  config: string | null;
  /** True when `config` is the registry's default rather than one the user gave. */
  configIsDefault: boolean;
  split: string;
  revision: string | undefined;
  textField: string;
  idField: string | null;
  domain: string;
  licenseTag: string | null;
  createdAtField: string | undefined;
  /** File patterns for datasets laid out as one folder per subset (the-stack-dedup, starcoderdata). */
  dataFiles: string[] | undefined;
}

/** Domain for `--dataset` sources when --domain is not given. */
export const DEFAULT_HF_DOMAIN = "web";

export function datasetSourceName(datasetId: string): string {
  return datasetId.replace(/\//g, "__");
}

export function planHfSource(r: HfPlanRequest): HfPlan {
  const registry = r.source !== undefined ? hfSource(r.source) : null;
  const datasetId = r.dataset ?? registry?.datasetId;
  if (datasetId === undefined) throw new ConfigError("hf-stream: give --source NAME or --dataset ID", { code: "hf_no_source" });
  checkDatasetId(datasetId);
  const config = registry ? (sourceConfig(registry, r.config) ?? null) : (r.config ?? null);
  return {
    registry,
    datasetId,
    sourceName: r.name ?? registry?.name ?? datasetSourceName(datasetId),
    config,
    configIsDefault: r.config === undefined && config !== null,
    split: r.split ?? "train",
    revision: r.revision,
    textField: r.textField ?? registry?.textField ?? "text",
    idField: r.idField ?? registry?.idField ?? null,
    domain: r.domain ?? registry?.domain ?? DEFAULT_HF_DOMAIN,
    licenseTag: r.licenseTag ?? registry?.licenseTag ?? null,
    createdAtField: registry?.createdAtField,
    dataFiles: registry?.dataDir && config !== null ? registry.dataDir(config) : undefined,
  };
}
