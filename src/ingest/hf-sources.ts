/**
 * The built-in Hub sources: which dataset a name means, which of its fields
 * hold the text, the id and the date, which domain and licence tag its
 * documents get. Field names are the datasets' own columns; licences are
 * those of the dataset cards.
 */
import { ConfigError } from "../errors.ts";

export interface HfSource {
  name: string;
  datasetId: string;
  textField: string;
  /** Field holding a stable document id; null when the dataset has none (derive one from the content). */
  idField: string | null;
  urlField?: string;
  createdAtField?: string;
  domain: string;
  /** Licence of the dataset as a whole. */
  licenseTag: string;
  /** Field with a per-record licence list, when the dataset has one. */
  licenseField?: string;
  /** Config used when none is given. */
  defaultConfig?: string;
  /** The dataset cannot be read without choosing a config. */
  needsConfig: boolean;
  /** Datasets laid out as one directory per subset instead of card configs: config -> file patterns. */
  dataDir?: (config: string) => string[];
  /** Needs HF_TOKEN of an account that accepted the terms. */
  gated: boolean;
  notes?: string;
}

export const HF_SOURCES: Readonly<Record<string, HfSource>> = {
  fineweb: {
    name: "fineweb",
    datasetId: "HuggingFaceFW/fineweb",
    textField: "text",
    idField: "id",
    urlField: "url",
    createdAtField: "date",
    domain: "web",
    licenseTag: "ODC-By-1.0",
    defaultConfig: "default",
    needsConfig: false,
    gated: false,
    notes: "configs: default (all dumps), CC-MAIN-YYYY-WW, sample-10BT/100BT/350BT",
  },
  "fineweb-edu": {
    name: "fineweb-edu",
    datasetId: "HuggingFaceFW/fineweb-edu",
    textField: "text",
    idField: "id",
    urlField: "url",
    domain: "web_edu",
    licenseTag: "ODC-By-1.0",
    defaultConfig: "default",
    needsConfig: false,
    gated: false,
    notes: "columns also include score and int_score (educational value)",
  },
  fineweb2: {
    name: "fineweb2",
    datasetId: "HuggingFaceFW/fineweb-2",
    textField: "text",
    idField: "id",
    urlField: "url",
    createdAtField: "date",
    domain: "web_multilingual",
    licenseTag: "ODC-By-1.0",
    defaultConfig: "eng_Latn",
    needsConfig: true,
    gated: false,
    notes: "configs are lang_Script (e.g. deu_Latn) plus lang_Script_removed; FineWeb-2 is FineWeb's non-English complement",
  },
  wikipedia: {
    name: "wikipedia",
    datasetId: "wikimedia/wikipedia",
    textField: "text",
    idField: "id",
    urlField: "url",
    domain: "encyclopedia",
    licenseTag: "CC-BY-SA-3.0 OR GFDL",
    defaultConfig: "20231101.en",
    needsConfig: true,
    gated: false,
    notes: "configs are DUMPDATE.wikicode; columns id, url, title, text",
  },
  c4: {
    name: "c4",
    datasetId: "allenai/c4",
    textField: "text",
    idField: null,
    urlField: "url",
    createdAtField: "timestamp",
    domain: "web",
    licenseTag: "ODC-By-1.0",
    defaultConfig: "en",
    needsConfig: true,
    gated: false,
    notes: "files are .json.gz; no id column (use a content hash)",
  },
  starcoderdata: {
    name: "starcoderdata",
    datasetId: "bigcode/starcoderdata",
    textField: "content",
    idField: "id",
    domain: "code",
    licenseTag: "permissive-per-file (The Stack terms of use)",
    defaultConfig: "python",
    needsConfig: true,
    dataDir: (config) => [`${config}/*.parquet`],
    gated: true,
    notes: "one directory per language (config = directory, e.g. python); gated",
  },
  "the-stack-dedup": {
    name: "the-stack-dedup",
    datasetId: "bigcode/the-stack-dedup",
    textField: "content",
    idField: "hexsha",
    domain: "code",
    licenseTag: "permissive-per-file (The Stack terms of use)",
    licenseField: "max_stars_repo_licenses",
    defaultConfig: "python",
    needsConfig: true,
    dataDir: (config) => [`data/${config}/*.parquet`],
    gated: true,
    notes: "one directory per language under data/ (config = language, e.g. python); gated",
  },
};

/** The source called `name`, or a ConfigError listing the known names. */
export function hfSource(name: string): HfSource {
  const s = HF_SOURCES[name];
  if (!s) {
    throw new ConfigError(`unknown source "${name}"; built-in sources: ${Object.keys(HF_SOURCES).join(", ")} (or pass --dataset ID)`, {
      code: "unknown_source",
    });
  }
  return s;
}

/** The config to read: the one given (--config-name applies to every source), else the source's default. */
export function sourceConfig(source: HfSource, given?: string): string | undefined {
  return given ?? source.defaultConfig;
}
