/**
 * Parquet files as a stream of raw records, read one row group at a time
 * with hyparquet: only the footer and the current row group's column chunks
 * are in memory, never the whole file. Local files are read by slices;
 * remote files (http/https) by resumable range requests.
 */
import { parquetMetadataAsync, parquetRead, type FileMetaData } from "hyparquet";
import { GammaError, InputError } from "../errors.ts";
import { parquetCompressors, SUPPORTED_CODECS } from "./parquet-codecs.ts";
import type { RawRecord } from "./raw-record.ts";
import { remoteAsyncBuffer, remoteSize, type AsyncBufferLike, type RemoteFileOptions } from "./remote-file.ts";

export interface ParquetInfo {
  numRows: number;
  rowGroups: number[];
  columns: string[];
  codecs: string[];
}

export interface ReadParquetOptions {
  /** Read only these top-level columns (all when absent). */
  columns?: string[];
  /** Location prefix in records (default: the path or URL, or "parquet" for a buffer). */
  label?: string;
  /** Headers, retries and error mapping for remote sources. */
  remote?: RemoteFileOptions;
  /** Called once the footer is read, before the first record. */
  onInfo?: (info: ParquetInfo) => void;
}

/** A local file as an AsyncBuffer: every slice is a fresh read of just those bytes. */
export function localAsyncBuffer(path: string, byteLength: number): AsyncBufferLike {
  const file = Bun.file(path);
  return {
    byteLength,
    slice: (start: number, end?: number) => file.slice(start, end ?? byteLength).arrayBuffer(),
  };
}

async function openSource(source: string | AsyncBufferLike, opts: ReadParquetOptions): Promise<{ file: AsyncBufferLike; label: string }> {
  if (typeof source !== "string") return { file: source, label: opts.label ?? "parquet" };
  const label = opts.label ?? source;
  if (/^https?:\/\//i.test(source)) {
    const size = await remoteSize(source, opts.remote);
    return { file: remoteAsyncBuffer(source, size, opts.remote), label };
  }
  const f = Bun.file(source);
  if (!(await f.exists())) throw new InputError(`${source}: no such file; check the --input path`, { code: "missing_input" });
  return { file: localAsyncBuffer(source, f.size), label };
}

/** Footer facts: row count, row-group sizes, top-level columns, codecs in use. */
export function parquetInfoOf(md: FileMetaData): ParquetInfo {
  const codecs = new Set<string>();
  for (const rg of md.row_groups) for (const c of rg.columns) if (c.meta_data) codecs.add(c.meta_data.codec);
  const top: string[] = [];
  let i = 1;
  while (i < md.schema.length) {
    top.push(md.schema[i].name);
    i += subtreeSize(md, i);
  }
  return {
    numRows: Number(md.num_rows),
    rowGroups: md.row_groups.map((g) => Number(g.num_rows)),
    columns: top,
    codecs: [...codecs].sort(),
  };
}

function subtreeSize(md: FileMetaData, i: number): number {
  let n = 1;
  const kids = md.schema[i].num_children ?? 0;
  let j = i + 1;
  for (let k = 0; k < kids; k++) {
    const s = subtreeSize(md, j);
    n += s;
    j += s;
  }
  return n;
}

/** bigint -> number (string when beyond 2^53), Date -> ISO string, recursively; so records serialize as JSON. */
export function plainValue(v: unknown): unknown {
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plainValue);
  if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plainValue(x);
    return o;
  }
  return v;
}

function readGroup(file: AsyncBufferLike, metadata: FileMetaData, rowStart: number, rowEnd: number, columns?: string[]) {
  return new Promise<Record<string, unknown>[]>((resolve, reject) => {
    parquetRead({
      file,
      metadata,
      rowStart,
      rowEnd,
      columns,
      rowFormat: "object",
      compressors: parquetCompressors,
      onComplete: (rows) => resolve(rows as Record<string, unknown>[]),
    }).catch(reject);
  });
}

/**
 * Yields one record per row, in file order. `location` is "<label>#row N"
 * with N the 0-based row index in the file.
 */
export async function* readParquetRecords(source: string | AsyncBufferLike, opts: ReadParquetOptions = {}): AsyncGenerator<RawRecord> {
  const { file, label } = await openSource(source, opts);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file, { initialFetchSize: 1 << 16 });
  } catch (e) {
    if (e instanceof GammaError) throw e;
    throw new InputError(`${label}: not a readable Parquet file (${e instanceof Error ? e.message : e})`, {
      cause: e,
      code: "bad_parquet",
    });
  }
  const info = parquetInfoOf(metadata);
  const missing = (opts.columns ?? []).filter((c) => !info.columns.includes(c));
  if (missing.length) {
    throw new InputError(`${label}: no column ${missing.map((c) => `"${c}"`).join(", ")} (the file has: ${info.columns.join(", ")})`, {
      code: "missing_column",
    });
  }
  const unsupported = info.codecs.filter((c) => !SUPPORTED_CODECS.includes(c));
  if (unsupported.length) {
    throw new InputError(
      `${label}: compression ${unsupported.join(", ")} is not supported (supported: ${SUPPORTED_CODECS.join(", ")}); rewrite the file with zstd or snappy`,
      { code: "parquet_codec" },
    );
  }
  opts.onInfo?.(info);
  let rowStart = 0;
  for (let g = 0; g < info.rowGroups.length; g++) {
    const n = info.rowGroups[g];
    if (n === 0) continue;
    let rows: Record<string, unknown>[];
    try {
      rows = await readGroup(file, metadata, rowStart, rowStart + n, opts.columns);
    } catch (e) {
      if (e instanceof GammaError) throw e;
      throw new InputError(
        `${label}: row group ${g} (rows ${rowStart}..${rowStart + n - 1}) cannot be decoded: ${e instanceof Error ? e.message : e}`,
        { cause: e, code: "bad_parquet" },
      );
    }
    for (let i = 0; i < rows.length; i++) {
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(rows[i])) fields[k] = plainValue(v);
      yield { fields, location: `${label}#row ${rowStart + i}` };
    }
    rowStart += n;
  }
}
