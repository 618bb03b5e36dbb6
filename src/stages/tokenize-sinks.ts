/**
 * Where `gamma tokenize` puts one split's documents: a Megatron .bin/.idx pair
 * (one sequence per document), or .npy arrays (tokens + document offsets).
 */
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sha256File, type FileDigest } from "../io/hash.ts";
import { NpyWriter } from "../io/npy.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";
import { parquetShard } from "./tokenize-parquet.ts";
import { MegatronWriter, openMegatron, binPath, idxPath } from "../megatron/index.ts";

export type TokenFormat = "megatron" | "npy" | "jsonl" | "parquet";
export type SinkDtype = "int32" | "uint16";

/** Samples per .jsonl.zst or .parquet shard. */
export const SAMPLES_PER_SHARD = 10_000;

export interface SplitSink {
  /** One sample (a chunk of a document's sequence) and the document's language. */
  add(ids: Uint32Array, language: string | null): void;
  /** Closes the files; returns them with their digests. */
  finish(): Promise<FileDigest[]>;
  abort(): void;
}

export function openSink(format: TokenFormat, dir: string, dtype: SinkDtype, samplesPerShard = SAMPLES_PER_SHARD): SplitSink {
  if (format === "megatron") return megatronSink(join(dir, "tokens"), dtype);
  if (format === "npy") return npySink(dir, dtype);
  if (format === "jsonl") return shardedSink(dir, samplesPerShard, jsonlShard);
  return shardedSink(dir, samplesPerShard, parquetShard);
}

/** The name of shard i: part-00000.jsonl.zst, part-00001.parquet, ... */
export function shardName(i: number, ext: string): string {
  return `part-${String(i).padStart(5, "0")}.${ext}`;
}

interface Shard {
  add(ids: Uint32Array, language: string | null): void;
  finish(): Promise<FileDigest>;
  abort(): void | Promise<void>;
}

/** Samples in shards of `per` each, opened as the first sample of each arrives. */
function shardedSink(dir: string, per: number, open: (dir: string, i: number) => Shard): SplitSink {
  const done: FileDigest[] = [];
  let cur: Shard | null = null;
  let inCur = 0;
  let pending: Promise<void> = Promise.resolve();
  return {
    add(ids, language) {
      if (cur === null) cur = open(dir, done.length + (inCur = 0));
      cur.add(ids, language);
      if (++inCur === per) {
        const full = cur;
        cur = null;
        // Each finished shard is committed in order; its digest is kept in the same order.
        const slot = done.length;
        done.push({ path: "", sha256: "", bytes: 0 });
        pending = pending.then(async () => {
          done[slot] = await full.finish();
        });
      }
    },
    async finish() {
      if (cur !== null) {
        const last = cur;
        cur = null;
        const slot = done.length;
        done.push({ path: "", sha256: "", bytes: 0 });
        pending = pending.then(async () => {
          done[slot] = await last.finish();
        });
      }
      await pending;
      return done;
    },
    abort() {
      void cur?.abort();
      for (const d of done) if (d.path !== "") rmSync(d.path, { force: true });
    },
  };
}

function jsonlShard(dir: string, i: number): Shard {
  const w = new ZstdTextWriter(join(dir, shardName(i, "jsonl.zst")));
  return {
    add(ids, language) {
      void w.write(`{"input_ids":[${ids.join(",")}],"language":${JSON.stringify(language)},"length":${ids.length}}\n`);
    },
    async finish() {
      await w.finish();
      return w.digest();
    },
    abort: () => w.abort(),
  };
}

function megatronSink(prefix: string, dtype: SinkDtype): SplitSink {
  const w = new MegatronWriter(prefix, dtype);
  return {
    add: (ids) => w.add(ids),
    async finish() {
      await w.finish();
      return [await sha256File(binPath(prefix)), await sha256File(idxPath(prefix))];
    },
    abort: () => w.abort(),
  };
}

function npySink(dir: string, dtype: SinkDtype): SplitSink {
  const tokens = new NpyWriter(join(dir, "tokens.npy"), dtype === "int32" ? "<i4" : "<u2");
  const offsets = new NpyWriter(join(dir, "doc_offsets.npy"), "<i8");
  offsets.append(new BigInt64Array([0n]));
  let total = 0;
  return {
    add(ids) {
      if (dtype === "int32") tokens.append(new Int32Array(ids.buffer, ids.byteOffset, ids.length));
      else tokens.append(Uint16Array.from(ids));
      total += ids.length;
      offsets.append(new BigInt64Array([BigInt(total)]));
    },
    async finish() {
      tokens.finish();
      offsets.finish();
      return [await sha256File(tokens.path), await sha256File(offsets.path)];
    },
    abort() {
      tokens.abort();
      offsets.abort();
    },
  };
}

/** Rewrites an int32 split as uint16 (for --dtype auto when every id fits). */
export async function narrowToUint16(format: TokenFormat, dir: string): Promise<FileDigest[]> {
  if (format === "megatron") {
    const prefix = join(dir, "tokens");
    const src = await openMegatron(prefix);
    const tmpPrefix = join(dir, "tokens.u16-tmp");
    const w = new MegatronWriter(tmpPrefix, "uint16");
    try {
      for (let i = 0; i < src.sequenceCount; i++) w.add(Uint32Array.from(src.get(i) as Int32Array));
      await w.finish();
    } catch (e) {
      w.abort();
      throw e;
    } finally {
      src.close();
    }
    renameSync(binPath(tmpPrefix), binPath(prefix));
    renameSync(idxPath(tmpPrefix), idxPath(prefix));
    return [await sha256File(binPath(prefix)), await sha256File(idxPath(prefix))];
  }
  const path = join(dir, "tokens.npy");
  const data = new Int32Array((await Bun.file(path).arrayBuffer()).slice(128));
  const w = new NpyWriter(path + ".u16", "<u2");
  w.append(Uint16Array.from(data));
  w.finish();
  rmSync(path);
  renameSync(path + ".u16", path);
  return [await sha256File(path), await sha256File(join(dir, "doc_offsets.npy"))];
}
