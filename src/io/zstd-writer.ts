/**
 * Writes a zstd-compressed text file as one zstd frame (readable by the zstd
 * CLI and by Python's zstandard stream_reader without read_across_frames),
 * under a temporary name that finish() renames into place.
 */
import { createWriteStream, mkdirSync, openSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import zlib from "node:zlib";
import { commitTemp, discardTemp, tempPathFor } from "./atomic.ts";
import type { FileDigest } from "./hash.ts";

export function zstdLevel(): number {
  const raw = process.env.GAMMA_ZSTD_LEVEL;
  if (raw === undefined || raw === "") return 3;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 22) {
    throw new Error(`GAMMA_ZSTD_LEVEL must be an integer from 1 to 22, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Text is gathered into buffers of this size before it goes to the compressor. */
const BUFFER_BYTES = 3 << 20;
/** Compressed output comes in chunks of this size (the stream default, 16 KiB, makes one write per 16 KiB). */
const OUT_CHUNK = 1 << 18;
/**
 * Encoded text handed to the compressor but not yet compressed, at most: the
 * caller goes on producing text while Bun's thread pool compresses.
 */
const IN_FLIGHT = 4 << 20;

export class ZstdTextWriter {
  /** The most writeWith() takes at once. */
  static readonly BUFFER_BYTES = BUFFER_BYTES;
  readonly path: string;
  private readonly tmp: string;
  private readonly file: WriteStream;
  private readonly z: zlib.ZstdCompress;
  /**
   * The buffer being filled, and buffers the compressor is done with. A full one goes to the
   * compressor and comes back when it has been read: the same few buffers carry the whole file
   * (fresh memory costs a page fault per 4 KiB).
   */
  private buf: Buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private readonly spare: Buffer[] = [];
  private done: Promise<void>;
  private failed: Error | null = null;
  /** Settles when the compressor has taken in everything written so far. */
  private lastWrite: Promise<void> = Promise.resolve();
  private readonly hash = new Bun.CryptoHasher("sha256");
  bytesIn = 0;
  private bytesOut = 0;
  private sha256 = "";

  constructor(path: string, level = zstdLevel()) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = tempPathFor(path);
    // Opened here, not by the stream later: abort() then always finds the file it removes.
    this.file = createWriteStream(this.tmp, { fd: openSync(this.tmp, "w") });
    // highWaterMark is a stream option, passed through to the Transform (not in the zlib typings).
    const options = { chunkSize: OUT_CHUNK, highWaterMark: IN_FLIGHT, params: { [zlib.constants.ZSTD_c_compressionLevel]: level } };
    this.z = zlib.createZstdCompress(options);
    this.z.on("data", (chunk: Buffer) => {
      this.hash.update(chunk);
      this.bytesOut += chunk.length;
    });
    this.z.pipe(this.file);
    this.done = new Promise((resolve, reject) => {
      this.file.on("close", resolve);
      const fail = (e: Error) => {
        this.failed = e;
        reject(e);
      };
      this.file.on("error", fail);
      this.z.on("error", fail);
    });
    this.done.catch(() => {});
  }

  /** Appends text (callers add their own newlines; each piece is encoded alone, so never split a surrogate pair). */
  async write(text: string): Promise<void> {
    const most = 3 * text.length;
    if (most > BUFFER_BYTES) return this.writeBytes(Buffer.from(text, "utf8"));
    await this.room(most);
    this.used += this.buf.write(text, this.used, "utf8");
  }

  /** Appends UTF-8 bytes as they are (the caller vouches for them); they are copied before this returns. */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      if (this.used === this.buf.length) await this.flush();
      const n = Math.min(bytes.length - at, this.buf.length - this.used);
      this.buf.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
    }
  }

  /**
   * Appends what `fill` writes: it gets a buffer with at least `most` bytes free from `at`,
   * writes UTF-8 there and returns where its bytes end. `most` over the buffer size is refused
   * (use writeBytes).
   */
  async writeWith(most: number, fill: (buf: Buffer, at: number) => number): Promise<void> {
    if (most > BUFFER_BYTES) throw new RangeError(`${this.path}: writeWith(${most}) is over ${BUFFER_BYTES} bytes`);
    await this.room(most);
    const end = fill(this.buf, this.used);
    if (end < this.used || end > this.buf.length) throw new RangeError(`${this.path}: writeWith: the end ${end} is outside the buffer`);
    this.used = end;
  }

  /** Flushes unless `most` more bytes fit. */
  private async room(most: number): Promise<void> {
    if (this.used + most > this.buf.length) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    if (this.failed) throw this.failed;
    const full = this.buf;
    const chunk = full.subarray(0, this.used);
    this.bytesIn += this.used;
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(BUFFER_BYTES);
    this.used = 0;
    let room = true;
    this.lastWrite = new Promise<void>((resolve) => {
      room = this.z.write(chunk, () => {
        this.spare.push(full);
        resolve();
      });
    });
    if (!room) await new Promise<void>((r) => this.z.once("drain", () => r()));
  }

  async finish(): Promise<void> {
    await this.flush();
    // End the frame only once all text is compressed: the bytes are then the
    // same however far the compressor lagged behind.
    await Promise.race([this.lastWrite, this.done]);
    this.z.end();
    await this.done;
    this.sha256 = this.hash.digest("hex");
    commitTemp(this.tmp, this.path);
  }

  /** The finished file's size and sha256, hashed on the way out (as sha256File would find them). */
  digest(): FileDigest {
    if (this.sha256 === "") throw new Error(`${this.path}: digest() before finish()`);
    return { path: this.path, sha256: this.sha256, bytes: this.bytesOut };
  }

  async abort(): Promise<void> {
    this.z.destroy();
    this.file.destroy();
    discardTemp(this.tmp);
  }
}
