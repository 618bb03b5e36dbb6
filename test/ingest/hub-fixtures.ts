/** Datasets for the Hub stand-in, shaped like the real ones (paths, card configs, columns), filled with real text. */
import { gzipSync } from "node:zlib";
import type { StandInDataset } from "../helpers/hub-stand-in.ts";
import { writeParquet } from "../helpers/parquet-writer.ts";
import { sentences } from "./corpus-text.ts";

export interface Doc {
  id: string;
  text: string;
}

export function docs(n: number, from: number, tag: string): Doc[] {
  return sentences(n, from).map((text, i) => ({ id: `<urn:uuid:${tag}-${i}>`, text }));
}

export function parquetOf(rows: Doc[], rowGroupSize = 8): Uint8Array {
  return writeParquet({
    columns: [
      { name: "text", type: "string" },
      { name: "id", type: "string" },
      { name: "language", type: "string" },
    ],
    rows: rows.map((r) => ({ ...r, language: "deu" })),
    rowGroupSize,
    codec: "ZSTD",
  });
}

export const FW2 = "HuggingFaceFW/fineweb-2";
export const deuTrain0 = docs(30, 0, "deu0");
export const deuTrain1 = docs(12, 30, "deu1");
export const deuTest = docs(5, 42, "deut");
export const asm = docs(4, 47, "asm");
export const deuOld = docs(6, 51, "old");

const fw2Card = (langs: string[]) =>
  langs.flatMap((l) => [
    {
      config_name: l,
      data_files: [
        { split: "train", path: `data/${l}/train/*` },
        { split: "test", path: `data/${l}/test/*` },
      ],
    },
    { config_name: `${l}_removed`, data_files: [{ split: "train", path: `data/${l}_removed/train/*` }] },
  ]);

export const fineweb2: StandInDataset = {
  id: FW2,
  refs: { main: "c2", "v2.0.0": "c1" },
  commits: {
    c1: {
      files: { "README.md": "---\nlicense: odc-by\n---\n", "data/deu_Latn/train/000_00000.parquet": parquetOf(deuOld) },
      cardConfigs: fw2Card(["deu_Latn"]),
    },
    c2: {
      files: {
        "README.md": "---\nlicense: odc-by\n---\n",
        "data/deu_Latn/train/000_00000.parquet": parquetOf(deuTrain0),
        "data/deu_Latn/train/000_00001.parquet": parquetOf(deuTrain1),
        "data/deu_Latn/test/000_00000.parquet": parquetOf(deuTest),
        "data/deu_Latn_removed/train/000_00000.parquet": parquetOf(docs(3, 60, "rm")),
        "data/asm_Beng/train/000_00000.parquet": parquetOf(asm),
        "data/asm_Beng/test/000_00000.parquet": parquetOf(docs(2, 70, "asmt")),
      },
      cardConfigs: [
        ...fw2Card(["deu_Latn", "asm_Beng"]),
        { config_name: "fra_Latn", data_files: [{ split: "train", path: "data/fra_Latn/train/*" }] },
      ],
    },
  },
};

export const c4Rows = sentences(25, 200).map((text, i) => ({
  text,
  timestamp: `2019-04-${String(10 + (i % 9)).padStart(2, "0")}T12:00:00Z`,
  url: `https://example.org/${i}`,
}));
export const c4: StandInDataset = {
  id: "allenai/c4",
  refs: { main: "k1" },
  commits: {
    k1: {
      files: {
        "en/c4-train.00000-of-00002.json.gz": gzipSync(
          c4Rows
            .slice(0, 15)
            .map((r) => JSON.stringify(r))
            .join("\n") + "\n",
        ),
        "en/c4-train.00001-of-00002.json.gz": gzipSync(
          c4Rows
            .slice(15)
            .map((r) => JSON.stringify(r))
            .join("\n") + "\n{not json\n",
        ),
        "en/c4-validation.00000-of-00001.json.gz": gzipSync(JSON.stringify(c4Rows[0]) + "\n"),
      },
      cardConfigs: [
        {
          config_name: "en",
          data_files: [
            { split: "train", path: "en/c4-train.*.json.gz" },
            { split: "validation", path: "en/c4-validation.*.json.gz" },
          ],
        },
      ],
    },
  },
};

export const stackRows = docs(9, 300, "py");
export const theStack: StandInDataset = {
  id: "bigcode/the-stack-dedup",
  refs: { main: "s1" },
  gated: true,
  commits: {
    s1: {
      files: {
        "data/python/data-00000-of-00001.parquet": writeParquet({
          columns: [
            { name: "hexsha", type: "string" },
            { name: "content", type: "string" },
          ],
          rows: stackRows.map((d, i) => ({ hexsha: `h${i}`, content: d.text })),
          codec: "SNAPPY",
        }),
        "data/rust/data-00000-of-00001.parquet": writeParquet({
          columns: [
            { name: "hexsha", type: "string" },
            { name: "content", type: "string" },
          ],
          rows: [{ hexsha: "r0", content: "fn main() {}" }],
        }),
      },
    },
  },
};

export const exportRows = docs(7, 400, "exp");
export const noCard: StandInDataset = {
  id: "someone/plain-csv",
  refs: { main: "m1", "refs/convert/parquet": "p1" },
  commits: {
    m1: { files: { "train.csv": "text\nhello\n" } },
    p1: {
      files: {
        "default/train/0000.parquet": parquetOf(exportRows.slice(0, 4)),
        "default/train/0001.parquet": parquetOf(exportRows.slice(4)),
        "default/test/0000.parquet": parquetOf(docs(1, 420, "ext")),
      },
    },
  },
};

export const ALL = [fineweb2, c4, theStack, noCard];
export const TOKEN = "hf_standin_granted_0123456789";
export const UNGRANTED = "hf_standin_ungranted_9876543210";
