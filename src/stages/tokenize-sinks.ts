/**
 * Where `gamma tokenize` puts one split's documents: a Megatron .bin/.idx pair
 * (one sequence per document), or .npy arrays (tokens + document offsets).
 */
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sha256File, type FileDigest } from "../io/hash.ts";
import { NpyWriter } from "../io/npy.ts";
import { MegatronWriter, openMegatron, binPath, idxPath } from "../megatron/index.ts";

export type TokenFormat = "megatron" | "npy";
export type SinkDtype = "int32" | "uint16";

export interface SplitSink {
  add(ids: Uint32Array): void;
  /** Closes the files; returns them with their digests. */
  finish(): Promise<FileDigest[]>;
  abort(): void;
}

export function openSink(format: TokenFormat, dir: string, dtype: SinkDtype): SplitSink {
  return format === "megatron" ? megatronSink(join(dir, "tokens"), dtype) : npySink(dir, dtype);
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
