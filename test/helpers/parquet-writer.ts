/**
 * A minimal Parquet writer for tests only: flat schemas of string and int64
 * columns (required or optional), PLAIN encoding, data page v1, one page per
 * column chunk, any number of row groups, and the codecs UNCOMPRESSED,
 * SNAPPY (literal-only stream), GZIP, ZSTD, BROTLI and LZ4_RAW (literal-only
 * block). Written from the Parquet format spec (parquet.thrift) so the
 * reader under test is checked against an independent producer.
 */
import * as zlib from "node:zlib";

export type ColumnType = "string" | "int64";
/** "LZO" writes the data uncompressed but labels it LZO: only for testing the reader's refusal. */
export type Codec = "UNCOMPRESSED" | "SNAPPY" | "GZIP" | "ZSTD" | "BROTLI" | "LZ4_RAW" | "LZO";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  optional?: boolean;
}

export interface WriteParquetOptions {
  columns: ColumnSpec[];
  rows: Record<string, string | number | bigint | null | undefined>[];
  rowGroupSize?: number;
  codec?: Codec;
}

const CODEC_ID: Record<Codec, number> = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2, LZO: 3, BROTLI: 4, ZSTD: 6, LZ4_RAW: 7 };

// ---- thrift compact protocol ----
const T = { I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

class Thrift {
  bytes: number[] = [];
  private last: number[] = [0];

  private varint(n: bigint): void {
    let v = n;
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }
  private zigzag(n: bigint): void {
    this.varint(n >= 0n ? n << 1n : (-n << 1n) - 1n);
  }
  private header(id: number, type: number): void {
    const delta = id - this.last[this.last.length - 1];
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type);
    else {
      this.bytes.push(type);
      this.zigzag(BigInt(id));
    }
    this.last[this.last.length - 1] = id;
  }
  i32(id: number, v: number): this {
    this.header(id, T.I32);
    this.zigzag(BigInt(v));
    return this;
  }
  i64(id: number, v: number | bigint): this {
    this.header(id, T.I64);
    this.zigzag(BigInt(v));
    return this;
  }
  binary(id: number, v: string | Uint8Array): this {
    this.header(id, T.BINARY);
    this.rawBinary(v);
    return this;
  }
  private rawBinary(v: string | Uint8Array): void {
    const b = typeof v === "string" ? new TextEncoder().encode(v) : v;
    this.varint(BigInt(b.length));
    this.bytes.push(...b);
  }
  struct(id: number, body: (t: Thrift) => void): this {
    this.header(id, T.STRUCT);
    this.last.push(0);
    body(this);
    this.bytes.push(0);
    this.last.pop();
    return this;
  }
  private listHeader(id: number, n: number, elem: number): void {
    this.header(id, T.LIST);
    if (n < 15) this.bytes.push((n << 4) | elem);
    else {
      this.bytes.push(0xf0 | elem);
      this.varint(BigInt(n));
    }
  }
  listI32(id: number, vs: number[]): this {
    this.listHeader(id, vs.length, T.I32);
    for (const v of vs) this.zigzag(BigInt(v));
    return this;
  }
  listBinary(id: number, vs: string[]): this {
    this.listHeader(id, vs.length, T.BINARY);
    for (const v of vs) this.rawBinary(v);
    return this;
  }
  listStruct<X>(id: number, vs: X[], body: (t: Thrift, x: X) => void): this {
    this.listHeader(id, vs.length, T.STRUCT);
    for (const v of vs) {
      this.last.push(0);
      body(this, v);
      this.bytes.push(0);
      this.last.pop();
    }
    return this;
  }
  end(): Uint8Array {
    this.bytes.push(0);
    return Uint8Array.from(this.bytes);
  }
}

// ---- compression ----
function lengthVarint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** Snappy stream of literal elements only (valid per the snappy format description). */
function snappyLiterals(data: Uint8Array): Uint8Array {
  const out: number[] = lengthVarint(data.length);
  for (let i = 0; i < data.length; i += 60) {
    const chunk = data.subarray(i, Math.min(i + 60, data.length));
    out.push((chunk.length - 1) << 2);
    out.push(...chunk);
  }
  return Uint8Array.from(out);
}

/** LZ4 block holding one literal-only sequence. */
function lz4Literals(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  const n = data.length;
  out.push(Math.min(n, 15) << 4);
  if (n >= 15) {
    let rest = n - 15;
    while (rest >= 255) {
      out.push(255);
      rest -= 255;
    }
    out.push(rest);
  }
  out.push(...data);
  return Uint8Array.from(out);
}

function compress(codec: Codec, data: Uint8Array): Uint8Array {
  switch (codec) {
    case "UNCOMPRESSED":
    case "LZO":
      return data;
    case "SNAPPY":
      return snappyLiterals(data);
    case "GZIP":
      return new Uint8Array(zlib.gzipSync(data));
    case "ZSTD":
      return new Uint8Array(zlib.zstdCompressSync(data));
    case "BROTLI":
      return new Uint8Array(zlib.brotliCompressSync(data));
    case "LZ4_RAW":
      return lz4Literals(data);
  }
}

// ---- encodings ----
function u32le(n: number): number[] {
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
}

/** Definition levels (bit width 1) as RLE runs, prefixed by their byte length (data page v1). */
function defLevels(defined: boolean[]): number[] {
  const runs: number[] = [];
  let i = 0;
  while (i < defined.length) {
    let j = i;
    while (j < defined.length && defined[j] === defined[i]) j++;
    runs.push(...lengthVarint((j - i) << 1), defined[i] ? 1 : 0);
    i = j;
  }
  return [...u32le(runs.length), ...runs];
}

function plainValues(col: ColumnSpec, values: (string | number | bigint)[]): number[] {
  const out: number[] = [];
  for (const v of values) {
    if (col.type === "string") {
      const b = new TextEncoder().encode(String(v));
      out.push(...u32le(b.length), ...b);
    } else {
      const dv = new DataView(new ArrayBuffer(8));
      dv.setBigInt64(0, BigInt(v), true);
      out.push(...new Uint8Array(dv.buffer));
    }
  }
  return out;
}

/** The bytes of a Parquet file holding `rows`. */
export function writeParquet(opts: WriteParquetOptions): Uint8Array {
  const codec = opts.codec ?? "UNCOMPRESSED";
  const groupSize = opts.rowGroupSize ?? Math.max(1, opts.rows.length);
  const body: number[] = [..."PAR1"].map((c) => c.charCodeAt(0));
  const groups: { chunks: { offset: number; comp: number; raw: number; n: number; col: ColumnSpec }[]; rows: number }[] = [];
  for (let g = 0; g < opts.rows.length; g += groupSize) {
    const rows = opts.rows.slice(g, g + groupSize);
    const chunks = [];
    for (const col of opts.columns) {
      const vals = rows.map((r) => r[col.name]);
      const defined = vals.map((v) => v !== null && v !== undefined);
      if (!col.optional && defined.includes(false)) throw new Error(`required column ${col.name} has a null`);
      const present = vals.filter((_v, i) => defined[i]) as (string | number | bigint)[];
      const page = Uint8Array.from([...(col.optional ? defLevels(defined) : []), ...plainValues(col, present)]);
      const comp = compress(codec, page);
      const header = new Thrift()
        .i32(1, 0) // DATA_PAGE
        .i32(2, page.length)
        .i32(3, comp.length)
        .struct(5, (t) => t.i32(1, rows.length).i32(2, 0).i32(3, 3).i32(4, 3)) // PLAIN, RLE, RLE
        .end();
      const offset = body.length;
      body.push(...header, ...comp);
      chunks.push({ offset, comp: header.length + comp.length, raw: header.length + page.length, n: rows.length, col });
    }
    groups.push({ chunks, rows: rows.length });
  }
  const meta = new Thrift()
    .i32(1, 1)
    .listStruct(2, [null, ...opts.columns], (t, c) => {
      if (c === null) t.binary(4, "schema").i32(5, opts.columns.length);
      else {
        t.i32(1, c.type === "string" ? 6 : 2)
          .i32(3, c.optional ? 1 : 0)
          .binary(4, c.name);
        if (c.type === "string") t.i32(6, 0); // converted type UTF8
      }
    })
    .i64(3, opts.rows.length)
    .listStruct(4, groups, (t, g) => {
      t.listStruct(1, g.chunks, (u, ch) => {
        u.i64(2, ch.offset).struct(3, (m) =>
          m
            .i32(1, ch.col.type === "string" ? 6 : 2)
            .listI32(2, ch.col.optional ? [0, 3] : [0])
            .listBinary(3, [ch.col.name])
            .i32(4, CODEC_ID[codec])
            .i64(5, ch.n)
            .i64(6, ch.raw)
            .i64(7, ch.comp)
            .i64(9, ch.offset),
        );
      });
      t.i64(
        2,
        g.chunks.reduce((s, c) => s + c.raw, 0),
      ).i64(3, g.rows);
    })
    .binary(6, "gamma test parquet writer")
    .end();
  body.push(...meta, ...u32le(meta.length), ..."PAR1".split("").map((c) => c.charCodeAt(0)));
  return Uint8Array.from(body);
}
