import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/errors.ts";
import { localAsyncBuffer, readParquetRecords } from "../../src/ingest/parquet.ts";
import type { RawRecord } from "../../src/ingest/raw-record.ts";
import { CdnStandIn, fileAnswer } from "../helpers/cdn-stand-in.ts";
import { writeParquet, type Codec } from "../helpers/parquet-writer.ts";
import { sentences } from "./corpus-text.ts";

const dir = mkdtempSync(join(tmpdir(), "gamma-parquet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const texts = sentences(60, 100);
const rows = texts.map((text, i) => ({ id: `doc-${i}`, text: i % 9 === 4 ? null : text, token_count: BigInt(text.length) * 3n }));
const columns = [
  { name: "id", type: "string" as const },
  { name: "text", type: "string" as const, optional: true },
  { name: "token_count", type: "int64" as const },
];

function file(name: string, codec: Codec, rowGroupSize = 16): string {
  const p = join(dir, name);
  writeFileSync(p, writeParquet({ columns, rows, rowGroupSize, codec }));
  return p;
}

async function all(it: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe("readParquetRecords", () => {
  for (const codec of ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI", "LZ4_RAW"] as const) {
    test(`reads every row in file order from a ${codec} file with several row groups`, async () => {
      const p = file(`t-${codec}.parquet`, codec);
      const got = await all(readParquetRecords(p));
      expect(got.length).toBe(rows.length);
      got.forEach((r, i) => {
        expect(r.fields).toEqual({ id: `doc-${i}`, text: rows[i].text, token_count: Number(rows[i].token_count) });
        expect(r.location).toBe(`${p}#row ${i}`);
      });
    });
  }

  test("reads only the requested columns", async () => {
    const got = await all(readParquetRecords(file("cols.parquet", "ZSTD"), { columns: ["text"] }));
    expect(Object.keys(got[0].fields)).toEqual(["text"]);
    expect(got[1].fields.text).toBe(texts[1]);
  });

  test("fetches one row group at a time and yields its rows before reading the next", async () => {
    const p = file("groups.parquet", "ZSTD", 10);
    const size = Bun.file(p).size;
    const inner = localAsyncBuffer(p, size);
    const slices: [number, number][] = [];
    const spy = { byteLength: size, slice: (s: number, e?: number) => (slices.push([s, e ?? size]), inner.slice(s, e)) };
    let infoGroups: number[] = [];
    let slicesAtFirstRecord = -1;
    let n = 0;
    for await (const _ of readParquetRecords(spy, { onInfo: (i) => (infoGroups = i.rowGroups) })) {
      if (n++ === 0) slicesAtFirstRecord = slices.length;
    }
    expect(infoGroups).toEqual([10, 10, 10, 10, 10, 10]);
    // footer read, then one read for the first group only: later groups are not fetched yet
    expect(slicesAtFirstRecord).toBe(2);
    expect(slices.length).toBe(1 + infoGroups.length);
    const dataSlices = slices.slice(1);
    expect(Math.max(...dataSlices.map(([s, e]) => e - s))).toBeLessThan(size / 3);
  });

  test("reads a remote file through HTTP range requests", async () => {
    const bytes = writeParquet({ columns, rows, rowGroupSize: 20, codec: "SNAPPY" });
    const cdn = new CdnStandIn((req) => fileAnswer(req.range, bytes));
    try {
      const url = `${cdn.origin}/data/train-00000.parquet`;
      const got = await all(readParquetRecords(url, { columns: ["id"] }));
      expect(got.map((r) => r.fields.id)).toEqual(rows.map((r) => r.id));
      expect(got[5].location).toBe(`${url}#row 5`);
      const gets = cdn.log.filter((r) => r.method === "GET");
      expect(gets.length).toBeGreaterThan(1);
      for (const g of gets) expect(g.range).toMatch(/^bytes=\d+-\d+$/);
    } finally {
      cdn.stop();
    }
  });

  test("a missing column is an InputError naming the file and its columns", async () => {
    const p = file("missing.parquet", "UNCOMPRESSED");
    const err = await all(readParquetRecords(p, { columns: ["content"] })).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(p);
    expect(err.message).toContain('"content"');
    expect(err.message).toContain("id, text, token_count");
  });

  test("a file that is not Parquet is an InputError naming it", async () => {
    const p = join(dir, "not.parquet");
    writeFileSync(p, "id,text\n1,hello\n");
    const err = await all(readParquetRecords(p)).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(`${p}: not a readable Parquet file`);
  });

  test("an unsupported codec is refused with the list of supported ones", async () => {
    const p = file("lzo.parquet", "LZO");
    const err = await all(readParquetRecords(p)).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain("compression LZO is not supported");
    expect(err.message).toContain("ZSTD");
  });

  test("a missing file is an InputError", async () => {
    const err = await all(readParquetRecords(join(dir, "nope.parquet"))).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain("no such file");
  });
});
