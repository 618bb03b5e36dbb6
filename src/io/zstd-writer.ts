/**
 * Writes a zstd-compressed text file as one zstd frame (readable by the zstd
 * CLI and by Python's zstandard stream_reader without read_across_frames),
 * under a temporary name that finish() renames into place.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import zlib from "node:zlib";
import { commitTemp, discardTemp, tempPathFor } from "./atomic.ts";

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

export class ZstdTextWriter {
  readonly path: string;
  private readonly tmp: string;
  private readonly file: WriteStream;
  private readonly z: zlib.ZstdCompress;
  private pending: string[] = [];
  private pendingChars = 0;
  private done: Promise<void>;
  private failed: Error | null = null;
  bytesIn = 0;

  constructor(path: string, level = zstdLevel()) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = tempPathFor(path);
    this.file = createWriteStream(this.tmp);
    this.z = zlib.createZstdCompress({ params: { [zlib.constants.ZSTD_c_compressionLevel]: level } });
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

  /** Appends text (callers add their own newlines). */
  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_BYTES) await this.flushPending();
  }

  private async flushPending(): Promise<void> {
    if (this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.join(""), "utf8");
    this.pending = [];
    this.pendingChars = 0;
    this.bytesIn += buf.length;
    if (this.failed) throw this.failed;
    if (!this.z.write(buf)) await new Promise<void>((r) => this.z.once("drain", () => r()));
  }

  async finish(): Promise<void> {
    await this.flushPending();
    this.z.end();
    await this.done;
    commitTemp(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    this.z.destroy();
    this.file.destroy();
    discardTemp(this.tmp);
  }
}
