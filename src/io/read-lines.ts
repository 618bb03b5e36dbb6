/**
 * Streams the lines of a text file, decompressing .gz and .zst by extension.
 * Lines are decoded as UTF-8; a line with invalid UTF-8 is decoded with U+FFFD
 * replacements and flagged so the caller can count it. A corrupt or truncated
 * archive throws an InputError naming the file.
 */
import { createReadStream } from "node:fs";
import zlib from "node:zlib";
import { InputError } from "../errors.ts";
import { ZstdFrameWalker } from "./zstd-frames.ts";

export interface Line {
  text: string;
  /** 1-based line number in the decompressed file. */
  lineNo: number;
  invalidUtf8: boolean;
}

export type Compression = "zst" | "gz" | "none";

export function compressionOf(path: string): Compression {
  if (path.endsWith(".zst") || path.endsWith(".zstd")) return "zst";
  if (path.endsWith(".gz")) return "gz";
  return "none";
}

/**
 * Decompressed chunks of this size: the streams' default (16 KiB) makes the
 * per-chunk overhead cost more than the decompression itself.
 */
const CHUNK = 1 << 18;

/** Decompressed byte chunks of a file. */
export async function* readBytes(path: string): AsyncGenerator<Uint8Array> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const kind = compressionOf(path);
  const stream =
    kind === "zst" ? raw.pipe(zlib.createZstdDecompress({ chunkSize: CHUNK })) : kind === "gz" ? raw.pipe(zlib.createGunzip({ chunkSize: CHUNK })) : raw;
  if (stream !== raw) raw.on("error", (e) => stream.destroy(e));
  const walker = kind === "zst" ? new ZstdFrameWalker() : null;
  if (walker) raw.on("data", (c) => walker.push(c as Uint8Array));
  let produced = 0;
  try {
    for await (const chunk of stream) {
      produced += (chunk as Uint8Array).length;
      yield chunk as Uint8Array;
    }
    const problem = walker?.finish() ?? null;
    if (problem !== null) throw new Error(problem);
    if (walker && walker.contentSizes.every((s) => s !== null)) {
      const expected = walker.contentSizes.reduce((a, s) => a! + s!, 0)!;
      if (expected !== produced) throw new Error(`decoded ${produced} bytes but the frame headers promise ${expected}`);
    }
  } catch (e) {
    const what = kind === "none" ? "read" : `decompress (${kind})`;
    throw new InputError(`cannot ${what} ${path}: ${(e as Error).message}. The file is corrupt or truncated; re-download or re-create it.`, { cause: e });
  }
}

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * The decompressed bytes of a file in blocks of whole lines: each block is one
 * or more lines without the "\n" after the last of them; a last line without
 * a "\n" comes as a block of its own. A line longer than a chunk is carried
 * over until its end arrives.
 */
export async function* lineBlocks(path: string): AsyncGenerator<Uint8Array> {
  let carry: Uint8Array | null = null;
  for await (const chunk of readBytes(path)) {
    let buf: Uint8Array = chunk;
    if (carry) {
      const joined = new Uint8Array(carry.length + chunk.length);
      joined.set(carry, 0);
      joined.set(chunk, carry.length);
      buf = joined;
      carry = null;
    }
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      carry = buf;
      continue;
    }
    carry = last + 1 < buf.length ? buf.slice(last + 1) : null;
    yield buf.subarray(0, last);
  }
  if (carry && carry.length > 0) yield carry;
}

/**
 * Lines of a file. Blocks are decoded many lines at a time; only a block that
 * fails strict decoding is re-decoded line by line to find the bad lines.
 */
export async function* readLines(path: string): AsyncGenerator<Line[]> {
  let lineNo = 0;
  for await (const block of lineBlocks(path)) {
    const out: Line[] = [];
    lineNo = splitLines(block, lineNo, out);
    yield out;
  }
}

function splitLines(bytes: Uint8Array, lineNo: number, out: Line[]): number {
  let text: string | null = null;
  try {
    text = fatal.decode(bytes);
  } catch {
    text = null;
  }
  if (text !== null) {
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      const end = nl < 0 ? text.length : nl;
      let s = text.slice(start, end);
      if (s.endsWith("\r")) s = s.slice(0, -1);
      out.push({ text: s, lineNo: ++lineNo, invalidUtf8: false });
      if (nl < 0) break;
      start = nl + 1;
    }
    return lineNo;
  }
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(10, start);
    const end = nl < 0 ? bytes.length : nl;
    const part = bytes.subarray(start, end);
    let s: string;
    let bad = false;
    try {
      s = fatal.decode(part);
    } catch {
      s = lossy.decode(part);
      bad = true;
    }
    if (s.endsWith("\r")) s = s.slice(0, -1);
    out.push({ text: s, lineNo: ++lineNo, invalidUtf8: bad });
    if (nl < 0) break;
    start = nl + 1;
  }
  return lineNo;
}
