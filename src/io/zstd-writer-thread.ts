/**
 * A ZstdTextWriter on a thread of its own: the caller hands it UTF-8 bytes, which go over in
 * 4 MiB chunks (transferred, not copied), and goes on reading while the worker compresses. The
 * file is the same bytes ZstdTextWriter writes (one zstd frame; the compressor's output does not
 * depend on how its input is cut), under a temporary name until finish(). At most a few chunks
 * are in flight: a caller faster than the compressor waits.
 *
 * Worth it for a big output whose producer has work of its own (dedup's deduplicated copy:
 * reading and splitting the shards while the single frame is compressed); the worker costs a
 * thread start.
 */
import type { FileDigest } from "./hash.ts";
import { workerUrl } from "../workers/worker-url.ts";
import { zstdLevel } from "./zstd-writer.ts";

export type ToWriter =
  | { kind: "open"; path: string; level: number }
  | { kind: "data"; bytes: Uint8Array }
  | { kind: "finish" }
  | { kind: "abort" };
export type FromWriter =
  | { kind: "ack" }
  | { kind: "done"; digest: FileDigest; bytesIn: number }
  | { kind: "aborted" }
  | { kind: "error"; message: string };

const CHUNK = 4 << 20;
const IN_FLIGHT = 4;

export class ZstdWriterThread {
  private readonly worker: Worker;
  private chunk = new Uint8Array(CHUNK);
  private used = 0;
  private inFlight = 0;
  private error: Error | null = null;
  private waiting: (() => void)[] = [];
  private ended: ((m: FromWriter) => void) | null = null;
  private result: FileDigest | null = null;

  constructor(readonly path: string, level = zstdLevel()) {
    this.worker = new Worker(workerUrl("io/zstd-writer-worker.ts"));
    this.worker.onmessage = (ev: MessageEvent<FromWriter>) => this.receive(ev.data);
    this.worker.onerror = (e) => this.fail(new Error(`zstd writer thread crashed: ${e.message}`));
    this.post({ kind: "open", path, level });
  }

  private post(m: ToWriter, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private receive(m: FromWriter): void {
    if (m.kind === "ack") {
      this.inFlight--;
      this.waiting.shift()?.();
    } else if (m.kind === "error") {
      this.fail(new Error(`${this.path}: ${m.message}`));
    } else {
      this.ended?.(m);
    }
  }

  private fail(e: Error): void {
    this.error ??= e;
    for (const w of this.waiting.splice(0)) w();
    this.ended?.({ kind: "error", message: e.message });
  }

  /** Appends UTF-8 bytes (copied: the caller may reuse its buffer). */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, CHUNK - this.used);
      this.chunk.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
      if (this.used === CHUNK) await this.send();
    }
  }

  private async send(): Promise<void> {
    if (this.error) throw this.error;
    if (this.used === 0) return;
    const bytes = this.used === this.chunk.length ? this.chunk : this.chunk.slice(0, this.used);
    this.post({ kind: "data", bytes }, [bytes.buffer as ArrayBuffer]);
    this.inFlight++;
    this.chunk = new Uint8Array(CHUNK);
    this.used = 0;
    while (this.inFlight >= IN_FLIGHT && !this.error) await new Promise<void>((r) => this.waiting.push(r));
    if (this.error) throw this.error;
  }

  async finish(): Promise<void> {
    try {
      await this.send();
      const m = await this.end({ kind: "finish" });
      if (m.kind !== "done") throw this.error ?? new Error(`${this.path}: the writer thread ended without finishing`);
      this.result = m.digest;
    } finally {
      this.worker.terminate();
    }
  }

  /** The finished file's size and sha256. */
  digest(): FileDigest {
    if (this.result === null) throw new Error(`${this.path}: digest() before finish()`);
    return this.result;
  }

  /** Drops what was written (no file is left) and stops the thread. */
  async abort(): Promise<void> {
    try {
      if (!this.error) await this.end({ kind: "abort" });
    } finally {
      this.worker.terminate();
    }
  }

  private end(m: ToWriter): Promise<FromWriter> {
    return new Promise((resolve) => {
      this.ended = resolve;
      if (this.error) resolve({ kind: "error", message: this.error.message });
      else this.post(m);
    });
  }
}
