/**
 * One Parquet shard of `gamma tokenize --format parquet`: columns input_ids (list<int32>),
 * language (string, null when the document has none) and length (int32), zstd-compressed, with
 * the Hugging Face `datasets` features in the file's key-value metadata (key "huggingface"), so
 * `datasets.load_dataset("parquet", ...)` reads it as is. Written with hyparquet-writer into a
 * temporary file renamed into place by finish().
 */
import { writeFileSync } from "node:fs";
import zlib from "node:zlib";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { commitTemp, discardTemp, tempPathFor } from "../io/atomic.ts";
import { sha256Hex, type FileDigest } from "../io/hash.ts";
import { zstdLevel } from "../io/zstd-writer.ts";
import { GAMMA_VERSION } from "../version.ts";

const SCHEMA = [
  { name: "schema", num_children: 3 },
  { name: "input_ids", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  { name: "element", type: "INT32", repetition_type: "OPTIONAL" },
  { name: "language", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  { name: "length", type: "INT32", repetition_type: "OPTIONAL" },
] as const;

/** What `datasets` reads back as the features (Sequence(int32), string, int32). */
export const HF_FEATURES = {
  info: {
    features: {
      input_ids: { feature: { dtype: "int32", _type: "Value" }, _type: "Sequence" },
      language: { dtype: "string", _type: "Value" },
      length: { dtype: "int32", _type: "Value" },
    },
  },
};

/** Rows per row group: about 10-40 MB of ids at code-length samples. */
const ROW_GROUP = 2_000;

export function parquetShard(dir: string, i: number) {
  const path = `${dir}/part-${String(i).padStart(5, "0")}.parquet`;
  const level = zstdLevel();
  const writer = new ByteWriter();
  // Row groups are encoded as they fill, so at most ROW_GROUP samples are held as JS arrays.
  const pq = new ParquetWriter({
    writer,
    schema: SCHEMA as never,
    codec: "ZSTD",
    compressors: {
      ZSTD: (b: Uint8Array) => new Uint8Array(zlib.zstdCompressSync(b, { params: { [zlib.constants.ZSTD_c_compressionLevel]: level } })),
    },
    statistics: false,
    kvMetadata: [{ key: "huggingface", value: JSON.stringify(HF_FEATURES) }],
    createdBy: `gamma ${GAMMA_VERSION}`,
  });
  let ids: number[][] = [];
  let languages: (string | null)[] = [];
  let lengths: number[] = [];
  const flush = () => {
    if (ids.length === 0) return;
    pq.write({
      columnData: [
        { name: "input_ids", data: ids },
        { name: "language", data: languages },
        { name: "length", data: lengths },
      ],
      rowGroupSize: ROW_GROUP,
    });
    ids = [];
    languages = [];
    lengths = [];
  };
  let tmp: string | null = null;
  return {
    add(sample: Uint32Array, language: string | null) {
      ids.push(Array.from(sample));
      languages.push(language);
      lengths.push(sample.length);
      if (ids.length === ROW_GROUP) flush();
    },
    async finish(): Promise<FileDigest> {
      flush();
      pq.finish();
      const bytes = new Uint8Array(writer.getBuffer());
      tmp = tempPathFor(path);
      writeFileSync(tmp, bytes);
      commitTemp(tmp, path);
      tmp = null;
      return { path, sha256: sha256Hex(bytes), bytes: bytes.length };
    },
    abort() {
      if (tmp !== null) discardTemp(tmp);
    },
  };
}
