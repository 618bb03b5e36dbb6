/**
 * Streams the lines of a text file, decompressing .gz and .zst by extension.
 * Lines are decoded as UTF-8; a line with invalid UTF-8 is decoded with U+FFFD
 * replacements and flagged so the caller can count it. A corrupt or truncated
 * archive throws an InputError naming the file.
 */
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import zlib from "node:zlib";
import { InputError } from "../errors.ts";
import { ZstdFrameWalker } from "./zstd-frames.ts";
import { ZlibHandle } from "./zlib-handle.ts";

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

/** Compressed bytes read per system call, and the first size of a line-block buffer. */
const READ = 1 << 20;

/**
 * Fills buffers with a file's decompressed bytes: `fill(into, at)` writes some bytes at
 * `into[at...]` and says how many (0 at the end of the data).
 */
interface ByteSource {
  fill(into: Uint8Array, at: number): number | Promise<number>;
  /** Throws when the data ended early or failed a check; call after fill() returned 0. */
  end(): void;
  close(): void;
}

/** An uncompressed file: read straight into the caller's buffer. */
class PlainSource implements ByteSource {
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, "r");
  }
  fill(into: Uint8Array, at: number): number {
    return readSync(this.fd, into, at, into.length - at, null);
  }
  end(): void {}
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * A .zst file decompressed on the calling thread by the zstd binding behind
 * zlib.createZstdDecompress, into the caller's buffer: no buffer per chunk (on this machine
 * fresh memory costs a page fault per 4 KiB, more than the copies it would save). The frame
 * walker sees every compressed byte, to tell a complete stream from a truncated one.
 */
class ZstdSource implements ByteSource {
  private readonly fd: number;
  private readonly input = new Uint8Array(READ);
  private inOff = 0;
  private inLen = 0;
  private eof = false;
  private produced = 0;
  private readonly walker = new ZstdFrameWalker();

  private constructor(
    path: string,
    private readonly codec: ZlibHandle,
  ) {
    try {
      this.fd = openSync(path, "r");
    } catch (e) {
      codec.close();
      throw e;
    }
  }

  /** Null when this runtime's zstd stream lacks the handle (then the stream path reads the file). */
  static open(path: string): ZstdSource | null {
    if (!inPlace) return null;
    const codec = ZlibHandle.of(zlib.createZstdDecompress());
    return codec === null ? null : new ZstdSource(path, codec);
  }

  fill(into: Uint8Array, at: number): number {
    const room = into.length - at;
    for (;;) {
      if (this.inLen === 0 && !this.eof) {
        this.inLen = readSync(this.fd, this.input, 0, this.input.length, null);
        this.inOff = 0;
        if (this.inLen === 0) this.eof = true;
        else this.walker.push(this.input.subarray(0, this.inLen));
      }
      // With no input left this flushes what the decoder still holds.
      const made = this.codec.run(0, this.input, this.inOff, this.inLen, into, at, room);
      this.inOff += this.inLen - this.codec.left;
      this.inLen = this.codec.left;
      this.produced += made;
      if (made > 0) return made;
      if (this.eof && this.inLen === 0) return 0;
    }
  }

  end(): void {
    checkFrames(this.walker, this.produced);
  }

  close(): void {
    closeSync(this.fd);
    this.codec.close();
  }
}

/** Throws unless the frames the walker saw ended cleanly and promise the bytes that came out. */
function checkFrames(walker: ZstdFrameWalker, produced: number): void {
  const problem = walker.finish();
  if (problem !== null) throw new Error(problem);
  if (walker.contentSizes.every((s) => s !== null)) {
    const expected = walker.contentSizes.reduce((a, s) => a! + s!, 0)!;
    if (expected !== produced) throw new Error(`decoded ${produced} bytes but the frame headers promise ${expected}`);
  }
}

/** Decompressed chunks of this size: the streams' default (16 KiB) costs more per chunk than it decodes. */
const CHUNK = 1 << 18;

/** A .gz file (or a .zst one where the zstd handle is missing) through a zlib stream, chunk by chunk. */
class StreamSource implements ByteSource {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private readonly raw: ReturnType<typeof createReadStream>;
  private readonly walker: ZstdFrameWalker | null;
  private pending: Uint8Array | null = null;
  private produced = 0;

  constructor(path: string, kind: "zst" | "gz") {
    this.raw = createReadStream(path, { highWaterMark: READ });
    const stream = this.raw.pipe(
      kind === "zst" ? zlib.createZstdDecompress({ chunkSize: CHUNK }) : zlib.createGunzip({ chunkSize: CHUNK }),
    );
    this.raw.on("error", (e) => stream.destroy(e));
    this.walker = kind === "zst" ? new ZstdFrameWalker() : null;
    if (this.walker) this.raw.on("data", (c) => this.walker!.push(c as Uint8Array));
    this.chunks = (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  }

  async fill(into: Uint8Array, at: number): Promise<number> {
    if (this.pending === null) {
      const next = await this.chunks.next();
      if (next.done) return 0;
      this.pending = next.value;
      this.produced += next.value.length;
    }
    const n = Math.min(this.pending.length, into.length - at);
    into.set(this.pending.subarray(0, n), at);
    this.pending = n < this.pending.length ? this.pending.subarray(n) : null;
    return n;
  }

  end(): void {
    if (this.walker) checkFrames(this.walker, this.produced);
  }

  close(): void {
    this.raw.destroy();
  }
}

function openSource(path: string): ByteSource {
  const kind = compressionOf(path);
  if (kind === "none") return new PlainSource(path);
  if (kind === "zst") return ZstdSource.open(path) ?? new StreamSource(path, kind);
  return new StreamSource(path, kind);
}

let inPlace = true;

/** Decodes .zst through a zlib stream (false) instead of in place, on this thread: for tests of that path. */
export function useZstdInPlace(on: boolean): void {
  inPlace = on;
}

/** Whether .zst files are decoded into reused buffers here (else through a stream); for tests. */
export function zstdDecodesInPlace(): boolean {
  if (!inPlace) return false;
  const codec = ZlibHandle.of(zlib.createZstdDecompress());
  codec?.close();
  return codec !== null;
}

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * The decompressed bytes of a file in blocks of whole lines: each block is one
 * or more lines without the "\n" after the last of them; a last line without
 * a "\n" comes as a block of its own. A block is a view of a buffer the next
 * one reuses: use it (or copy it) before asking for the next. A line longer
 * than the buffer grows it. A corrupt or truncated archive throws an
 * InputError naming the file.
 */
export async function* lineBlocks(path: string): AsyncGenerator<Uint8Array> {
  const kind = compressionOf(path);
  let source: ByteSource;
  try {
    source = openSource(path);
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  let buf = new Uint8Array(READ);
  let have = 0; // bytes in buf: the carried partial line, then what fill() added
  try {
    for (;;) {
      let n: number;
      try {
        n = await source.fill(buf, have);
        if (n === 0) source.end();
      } catch (e) {
        const what = kind === "none" ? "read" : `decompress (${kind})`;
        throw new InputError(
          `cannot ${what} ${path}: ${(e as Error).message}. The file is corrupt or truncated; re-download or re-create it.`,
          { cause: e },
        );
      }
      if (n === 0) break;
      const scanFrom = have;
      have += n;
      const last = buf.lastIndexOf(10, have - 1);
      if (last < scanFrom) {
        // No line ends in the new bytes: keep filling, growing a full buffer.
        if (have === buf.length) {
          const bigger = new Uint8Array(buf.length * 2);
          bigger.set(buf);
          buf = bigger;
        }
        continue;
      }
      yield buf.subarray(0, last);
      buf.copyWithin(0, last + 1, have);
      have -= last + 1;
    }
    if (have > 0) yield buf.subarray(0, have);
  } finally {
    source.close();
  }
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
