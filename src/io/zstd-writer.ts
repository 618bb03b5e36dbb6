/**
 * Writes a zstd-compressed text file as one zstd frame (readable by the zstd
 * CLI and by Python's zstandard stream_reader without read_across_frames),
 * under a temporary name that finish() renames into place.
 *
 * The frame is made by zstd's multi-threaded compressor (ZSTD_c_nbWorkers >= 1):
 * the text is cut into jobs that zstd's own threads compress while the caller
 * goes on, and the jobs make blocks of one frame. Its bytes depend on the level
 * and the text only, not on the number of compressing threads (1 or more; a
 * test holds them equal), so every writer uses that mode and outputs stay the
 * same whatever --cpu-threads is.
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import zlib from "node:zlib";
import { commitTemp, discardTemp, tempPathFor } from "./atomic.ts";
import type { FileDigest } from "./hash.ts";
import { InputError } from "../errors.ts";
import { ZlibHandle } from "./zlib-handle.ts";
import { writeFully } from "./fd-io.ts";
import { gammaEnv } from "../runtime/env.ts";

/** GAMMA_ZSTD_LEVEL, checked before any work starts (src/runtime/env.ts). */
export function zstdLevel(): number {
  return gammaEnv().zstdLevel;
}

/** Text is gathered into a buffer of this size before it goes to the compressor. */
const BUFFER_BYTES = 3 << 20;
/** Compressed bytes are taken from the compressor, and written, this many at a time at most. */
const OUT_BYTES = 1 << 20;

export class ZstdTextWriter {
  /** The most writeWith() takes at once. */
  static readonly BUFFER_BYTES = BUFFER_BYTES;
  readonly path: string;
  private readonly tmp: string;
  private fd: number | null;
  /** The native compressor, driven on this thread. */
  private readonly codec: ZlibHandle;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private readonly out = Buffer.allocUnsafe(OUT_BYTES);
  private readonly hash = new Bun.CryptoHasher("sha256");
  bytesIn = 0;
  private bytesOut = 0;
  private sha256 = "";

  /**
   * `threads` zstd threads compress (at least 1; the bytes are the same for any number). They
   * work beside the caller, so a writer adds that much CPU while the caller writes.
   */
  constructor(path: string, level = zstdLevel(), threads = 1) {
    this.path = path;
    this.tmp = tempPathFor(path);
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(this.tmp, "w");
    } catch (e) {
      throw new InputError(`cannot write ${path}: ${(e as Error).message}`, { cause: e });
    }
    const C = zlib.constants as unknown as Record<string, number>;
    const codec = ZlibHandle.of(
      zlib.createZstdCompress({ params: { [C.ZSTD_c_compressionLevel!]: level, [C.ZSTD_c_nbWorkers!]: Math.max(1, Math.floor(threads)) } }),
    );
    if (codec === null) {
      this.abandon();
      throw new Error("zstd: this runtime's zlib has no synchronous zstd handle (gamma needs Bun's node:zlib)");
    }
    this.codec = codec;
  }

  /** Appends text (callers add their own newlines; each piece is encoded alone, so never split a surrogate pair). */
  async write(text: string): Promise<void> {
    const most = 3 * text.length;
    if (most > BUFFER_BYTES) return this.writeBytes(Buffer.from(text, "utf8"));
    if (this.used + most > this.buf.length) this.flush(false);
    this.used += this.buf.write(text, this.used, "utf8");
  }

  /** Appends UTF-8 bytes as they are (the caller vouches for them); they are copied before this returns. */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      if (this.used === this.buf.length) this.flush(false);
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
    if (this.used + most > this.buf.length) this.flush(false);
    const end = fill(this.buf, this.used);
    if (end < this.used || end > this.buf.length) throw new RangeError(`${this.path}: writeWith: the end ${end} is outside the buffer`);
    this.used = end;
  }

  /**
   * Hands the gathered text to the compressor and writes what comes out; with `end`, also ends
   * the frame. The compressor takes the text into its jobs and returns (it waits only when its
   * threads are behind); ending waits for every job.
   */
  private flush(end: boolean): void {
    if (this.fd === null) throw new Error(`${this.path}: write after finish or abort`);
    const C = zlib.constants as unknown as Record<string, number>;
    const mode = end ? C.ZSTD_e_end! : C.ZSTD_e_continue!;
    let off = 0;
    let left = this.used;
    this.bytesIn += this.used;
    let idle = 0;
    for (;;) {
      let made: number;
      try {
        made = this.codec.run(mode, this.buf, off, left, this.out, 0, OUT_BYTES);
      } catch (e) {
        throw new Error(`zstd: ${this.path}: ${(e as Error).message}`, { cause: e });
      }
      const took = left - this.codec.left;
      off += took;
      left = this.codec.left;
      // zstd blocks rather than return empty-handed; a run of empty returns would be a bug, not a wait.
      idle = made === 0 && took === 0 ? idle + 1 : 0;
      if (idle > 1000) throw new Error(`zstd: ${this.path}: the compressor stopped making progress`);
      if (made > 0) {
        const chunk = this.out.subarray(0, made);
        this.hash.update(chunk);
        writeFully(this.fd, chunk);
        this.bytesOut += made;
      }
      // More to come while input is left or the output filled up (ending: until the frame is done).
      if (left === 0 && made < OUT_BYTES) break;
    }
    this.used = 0;
  }

  async finish(): Promise<void> {
    this.flush(true);
    closeSync(this.fd!);
    this.fd = null;
    this.codec.close();
    this.sha256 = this.hash.digest("hex");
    commitTemp(this.tmp, this.path);
  }

  /** The finished file's size and sha256, hashed on the way out (as sha256File would find them). */
  digest(): FileDigest {
    if (this.sha256 === "") throw new Error(`${this.path}: digest() before finish()`);
    return { path: this.path, sha256: this.sha256, bytes: this.bytesOut };
  }

  async abort(): Promise<void> {
    this.codec.close();
    this.abandon();
  }

  private abandon(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    discardTemp(this.tmp);
  }
}
