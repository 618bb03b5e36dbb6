/**
 * Writes a zstd-compressed text file as one zstd frame (readable by the zstd
 * CLI and by Python's zstandard stream_reader without read_across_frames),
 * under a temporary name that finish() renames into place.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
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

const FLUSH_BYTES = 1 << 20;
/** Compressed output comes in chunks of this size (the stream default, 16 KiB, makes one write per 16 KiB). */
const OUT_CHUNK = 1 << 18;
/**
 * Encoded text handed to the compressor but not yet compressed, at most: the
 * caller goes on producing text while Bun's thread pool compresses.
 */
const IN_FLIGHT = 4 << 20;

export class ZstdTextWriter {
  readonly path: string;
  private readonly tmp: string;
  private readonly file: WriteStream;
  private readonly z: zlib.ZstdCompress;
  private pending: (string | Uint8Array)[] = [];
  /** Upper bound of the pending pieces' UTF-8 bytes (3 per UTF-16 unit of a string). */
  private pendingBytes = 0;
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
    this.file = createWriteStream(this.tmp);
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
    this.pending.push(text);
    this.pendingBytes += text.length * 3;
    if (this.pendingBytes >= 3 * FLUSH_BYTES) await this.flushPending();
  }

  /**
   * Appends UTF-8 bytes as they are (the caller vouches for them). They are held by reference until
   * the next flush copies them: the caller must not change them afterwards.
   */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= 3 * FLUSH_BYTES) await this.flushPending();
  }

  private async flushPending(): Promise<void> {
    if (this.pending.length === 0) return;
    // Encoded piece by piece into one buffer: no joined copy of the text first.
    const whole = Buffer.allocUnsafe(this.pendingBytes);
    let n = 0;
    for (const s of this.pending) {
      if (typeof s === "string") n += whole.write(s, n, "utf8");
      else {
        whole.set(s, n);
        n += s.length;
      }
    }
    const buf = whole.subarray(0, n);
    this.pending = [];
    this.pendingBytes = 0;
    this.bytesIn += n;
    if (this.failed) throw this.failed;
    let room = true;
    this.lastWrite = new Promise<void>((resolve) => {
      room = this.z.write(buf, () => resolve());
    });
    if (!room) await new Promise<void>((r) => this.z.once("drain", () => r()));
  }

  async finish(): Promise<void> {
    await this.flushPending();
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
