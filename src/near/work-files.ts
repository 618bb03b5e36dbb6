/**
 * The near engine's on-disk hand-off: signatures, band keys and (for --verify exact) shingle
 * sets are appended to files in a private directory under the work dir while documents stream
 * in, then memory-mapped for the band and verification phases. Nothing here grows with the text.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.ts";
import { writeFully } from "../io/fd-io.ts";

/** Appends smaller than a quarter of this are gathered before they are written (one per document's set). */
const STAGE_BYTES = 1 << 20;

/** Appends u32 rows to a file; small appends are gathered into one write (call close() before reading the file). */
export class AppendFile {
  private fd: number | null;
  private bytes = 0;
  private readonly stage = new Uint8Array(STAGE_BYTES);
  private staged = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  append(data: Uint32Array): void {
    if (this.fd === null) throw new Error(`${this.path}: append after close`);
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (view.length >= this.stage.length >>> 2) {
      // Big: written as it is, after what is staged.
      this.flush();
      writeFully(this.fd, view);
    } else {
      if (this.staged + view.length > this.stage.length) this.flush();
      this.stage.set(view, this.staged);
      this.staged += view.length;
    }
    this.bytes += view.length;
  }

  get size(): number {
    return this.bytes;
  }

  close(): void {
    if (this.fd === null) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private flush(): void {
    if (this.staged === 0) return;
    writeFully(this.fd!, this.stage.subarray(0, this.staged));
    this.staged = 0;
  }
}

/** The whole file as u32s, memory-mapped read-only (an empty file gives an empty array). */
export function mapU32(path: string, bytes: number): Uint32Array {
  if (bytes === 0) return new Uint32Array(0);
  const m = Bun.mmap(path, { shared: false });
  return new Uint32Array(m.buffer, m.byteOffset, m.byteLength >>> 2);
}

export class WorkDir {
  private constructor(readonly path: string) {}

  static create(parent: string): WorkDir {
    try {
      mkdirSync(parent, { recursive: true });
      return new WorkDir(mkdtempSync(join(parent, "near-")));
    } catch (e) {
      throw new InputError(`near dedup: cannot create a work directory under ${parent}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  file(name: string): string {
    return join(this.path, name);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** A typed array that doubles when full (per-document columns: lengths, counts, groups, ...). */
export class Column<T extends Uint32Array | Float64Array | Int32Array> {
  private data: T;
  length = 0;

  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data as never);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  /** The filled part (a view; valid until the next push). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}
