/**
 * Datasets served by the Hub stand-in for the CLI tests, laid out like the
 * real ones: FineWeb-Edu (card configs default and CC-MAIN-2024-10), FineWeb
 * (CC-MAIN-2024-10), a dataset whose configs carry lang_Script codes, plus
 * the reader tests' FineWeb-2, C4 and gated the-stack-dedup.
 */
import type { StandInDataset } from "../helpers/hub-stand-in.ts";
import { writeParquet } from "../helpers/parquet-writer.ts";
import { brownParagraphs } from "../ingest/corpus-text.ts";
import { ALL } from "../ingest/hub-fixtures.ts";

export { FW2, TOKEN, UNGRANTED, c4Rows, deuTrain0, deuTrain1, stackRows } from "../ingest/hub-fixtures.ts";

export type EduRow = {
  text: string;
  id: string;
  url: string;
  score: number;
};

/** Real paragraphs long enough to pass the default filters. */
function paragraphs(files: string[]): string[] {
  return files.flatMap((f) => brownParagraphs(f)).filter((p) => p.length > 400 && p.split(/\s+/).length > 60);
}

const paras = paragraphs(["ca01", "ca02", "cb01", "cc01", "cd01", "ce01"]);

export function eduRows(from: number, n: number, tag: string): EduRow[] {
  return paras
    .slice(from, from + n)
    .map((text, i) => ({ text, id: `<urn:uuid:${tag}-${i}>`, url: `https://example.edu/${tag}/${i}`, score: 3 + (i % 3) }));
}

export function eduParquet(rows: EduRow[]): Uint8Array {
  return writeParquet({
    columns: [
      { name: "text", type: "string" },
      { name: "id", type: "string" },
      { name: "url", type: "string" },
      { name: "score", type: "int64" },
    ],
    rows,
    rowGroupSize: 4,
    codec: "ZSTD",
  });
}

export const EDU = "HuggingFaceFW/fineweb-edu";
export const edu0 = eduRows(0, 9, "e0");
export const edu1 = eduRows(9, 6, "e1");
export const eduOld = eduRows(15, 3, "old");
export const eduCC = [...edu0, ...edu1];

const eduCard = [
  { config_name: "default", data_files: [{ split: "train", path: "data/*/*" }] },
  { config_name: "CC-MAIN-2024-10", data_files: [{ split: "train", path: "data/CC-MAIN-2024-10/*" }] },
];

export const fineweb_edu: StandInDataset = {
  id: EDU,
  refs: { main: "e2", "v1.0.0": "e1" },
  commits: {
    e1: { files: { "data/CC-MAIN-2024-10/train-00000-of-00001.parquet": eduParquet(eduOld) }, cardConfigs: eduCard },
    e2: {
      files: {
        "README.md": "---\nlicense: odc-by\n---\n",
        "data/CC-MAIN-2024-10/train-00000-of-00002.parquet": eduParquet(edu0),
        "data/CC-MAIN-2024-10/train-00001-of-00002.parquet": eduParquet(edu1),
      },
      cardConfigs: eduCard,
    },
  },
};

export const FW = "HuggingFaceFW/fineweb";
export const fwRows = eduRows(18, 4, "fw");
export const fineweb: StandInDataset = {
  id: FW,
  refs: { main: "f1" },
  commits: {
    f1: {
      files: { "data/CC-MAIN-2024-10/000_00000.parquet": eduParquet(fwRows) },
      cardConfigs: [
        { config_name: "default", data_files: [{ split: "train", path: "data/*/*" }] },
        { config_name: "CC-MAIN-2024-10", data_files: [{ split: "train", path: "data/CC-MAIN-2024-10/*" }] },
      ],
    },
  },
};

export const LANGS = "someone/langs";
const langConfigs = ["eng_Latn", "eng_Latn_removed", "asm_Beng", "asm_Beng_removed", "deu_Latn", "ben_Beng"];
export const langs: StandInDataset = {
  id: LANGS,
  refs: { main: "l1" },
  commits: {
    l1: {
      files: Object.fromEntries(langConfigs.map((c) => [`data/${c}/train/000.parquet`, eduParquet(eduRows(0, 1, c))])),
      cardConfigs: langConfigs.map((c) => ({
        config_name: c,
        data_files: [
          { split: "train", path: `data/${c}/train/*` },
          ...(c === "eng_Latn" ? [{ split: "test", path: `data/${c}/test/*` }] : []),
        ],
      })),
    },
  },
};

export const DATASETS: StandInDataset[] = [...ALL, fineweb_edu, fineweb, langs];
