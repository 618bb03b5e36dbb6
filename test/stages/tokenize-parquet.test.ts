import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import zlib from "node:zlib";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { parquetShard } from "../../src/stages/tokenize-parquet.ts";
import { Prng } from "../../src/util/prng.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("Parquet shards", () => {
  test("a shard past one row group reads back row for row, every group zstd, nulls kept", async () => {
    const dir = tempDir();
    const rng = new Prng(4, 0);
    const rows = Array.from({ length: 4500 }, (_, i) => ({
      ids: Uint32Array.from({ length: 1 + Math.floor(rng.nextFloat() * 40) }, () => Math.floor(rng.nextFloat() * 200_000)),
      language: i % 7 === 0 ? null : i % 2 ? "python" : "rust",
    }));
    const shard = parquetShard(dir, 3);
    for (const r of rows) shard.add(r.ids, r.language);
    const d = await shard.finish();
    expect(d.path).toEndWith("part-00003.parquet");
    const buf = readFileSync(d.path);
    expect(new Bun.CryptoHasher("sha256").update(buf).digest("hex")).toBe(d.sha256);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const meta = parquetMetadata(file);
    expect(meta.row_groups.length).toBe(3);
    expect(Number(meta.num_rows)).toBe(4500);
    const back = (await parquetReadObjects({
      file,
      compressors: { ZSTD: (b: Uint8Array) => new Uint8Array(zlib.zstdDecompressSync(b)) },
    })) as { input_ids: number[]; language: string | null; length: number }[];
    expect(back.map((r) => [Array.from(r.input_ids), r.language, r.length])).toEqual(
      rows.map((r) => [Array.from(r.ids), r.language, r.ids.length]),
    );
  });
});
