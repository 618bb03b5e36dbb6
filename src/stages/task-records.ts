/**
 * What a task of `gamma tokenize` or `gamma pack` hands to the merge: one record per item of its
 * share, in order — a JSON line (TASK.jsonl.zst) and the item's token ids, if any, appended to
 * TASK.ids as little-endian uint32. The merge reads them back in place of encoding.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync } from "node:fs";
import { discardTemp, tempPathFor } from "../io/atomic.ts";
import { readFully, writeFully } from "../io/fd-io.ts";
import { readLines } from "../io/read-lines.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";

/** A record as read back (its JSON line also holds `n`: how many ids it has in the .ids file, -1 for none). */
export interface TaskRecord<M> {
  meta: M;
  ids: Uint32Array | null;
}

const FLUSH_BYTES = 1 << 20;

export function recordPaths(base: string): { meta: string; ids: string } {
  return { meta: `${base}.jsonl.zst`, ids: `${base}.ids` };
}

export function recordsExist(base: string): boolean {
  const p = recordPaths(base);
  return existsSync(p.meta) && existsSync(p.ids);
}

export function removeRecords(base: string): void {
  const p = recordPaths(base);
  rmSync(p.meta, { force: true });
  rmSync(p.ids, { force: true });
}

export class RecordWriter<M extends object> {
  private readonly meta: ZstdTextWriter;
  private readonly idsPath: string;
  private readonly tmp: string;
  private readonly fd: number;
  private buf = new Uint8Array(FLUSH_BYTES);
  private used = 0;

  constructor(base: string) {
    const p = recordPaths(base);
    this.meta = new ZstdTextWriter(p.meta);
    this.idsPath = p.ids;
    this.tmp = tempPathFor(p.ids);
    this.fd = openSync(this.tmp, "w");
  }

  async add(meta: M, ids: Uint32Array | null): Promise<void> {
    await this.meta.write(JSON.stringify({ ...meta, n: ids === null ? -1 : ids.length }) + "\n");
    if (ids === null) return;
    const bytes = new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength);
    if (this.used + bytes.length > this.buf.length) this.flush();
    if (bytes.length > this.buf.length) writeFully(this.fd, bytes);
    else {
      this.buf.set(bytes, this.used);
      this.used += bytes.length;
    }
  }

  private flush(): void {
    writeFully(this.fd, this.buf.subarray(0, this.used));
    this.used = 0;
  }

  async finish(): Promise<void> {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.idsPath);
    await this.meta.finish();
  }

  async abort(): Promise<void> {
    try {
      closeSync(this.fd);
    } catch {}
    discardTemp(this.tmp);
    await this.meta.abort();
  }
}

/** The records of `base` in order. */
export async function* readRecords<M>(base: string): AsyncGenerator<TaskRecord<M>> {
  const p = recordPaths(base);
  const fd = openSync(p.ids, "r");
  let pos = 0;
  try {
    for await (const lines of readLines(p.meta)) {
      for (const l of lines) {
        const { n, ...meta } = JSON.parse(l.text) as { n: number } & M;
        if (n < 0) {
          yield { meta: meta as M, ids: null };
          continue;
        }
        const ids = new Uint32Array(n);
        const bytes = new Uint8Array(ids.buffer);
        if (readFully(fd, bytes, pos) !== bytes.length) throw new Error(`${p.ids} ends before the ids of ${p.meta}:${l.lineNo}`);
        pos += bytes.length;
        yield { meta: meta as M, ids };
      }
    }
  } finally {
    closeSync(fd);
  }
}
