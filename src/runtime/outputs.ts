/**
 * A stage's outputs, committed or discarded together: each is written under a temporary name
 * (`<path>.tmp-<pid>`) and renamed into place only when the whole stage succeeded, so a failed or
 * killed run never leaves a file that looks finished. Temporaries a dead gamma process left are
 * removed by the next run in the same folder (removeStaleTemps).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempPathFor } from "../io/atomic.ts";
import { type NpyDtype, NpyWriter } from "../io/npy.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";
import { info } from "../log.ts";

/** Something written under a temporary name until commit. */
export interface PendingOutput {
  commit(): unknown | Promise<unknown>;
  discard(): unknown | Promise<unknown>;
}

/** A plain file: write `tmp` as you like; commit renames it to `path`. */
export class TempFile implements PendingOutput {
  readonly tmp: string;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = tempPathFor(path);
  }
  commit(): void {
    renameSync(this.tmp, this.path);
  }
  discard(): void {
    rmSync(this.tmp, { force: true });
  }
}

export class Outputs {
  private readonly pending: PendingOutput[] = [];
  private settled = false;

  /** Registers an output; it is committed (in registration order) or discarded with the others. */
  add<T extends PendingOutput>(o: T): T {
    this.pending.push(o);
    return o;
  }

  /** A zstd text output (one frame; bytes independent of `threads`). */
  zst(path: string, threads = 1): ZstdTextWriter {
    const w = new ZstdTextWriter(path, undefined, threads);
    this.add({ commit: () => w.finish(), discard: () => w.abort() });
    return w;
  }

  /** A .npy array written as it grows (`cols`: rows of that many items). */
  npy(path: string, dtype: NpyDtype, cols: number | null = null): NpyWriter {
    const w = new NpyWriter(path, dtype, cols);
    this.add({ commit: () => w.finish(), discard: () => w.abort() });
    return w;
  }

  /** A plain file written through its `tmp` path. */
  file(path: string): TempFile {
    return this.add(new TempFile(path));
  }

  /** A small file whose bytes are known now (JSON with 2-space indent and a newline for objects). */
  text(path: string, data: string | Uint8Array): TempFile {
    const f = this.file(path);
    writeFileSync(f.tmp, data);
    return f;
  }

  json(path: string, value: unknown): TempFile {
    return this.text(path, JSON.stringify(value, null, 2) + "\n");
  }

  async commit(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    try {
      for (const o of this.pending) await o.commit();
    } catch (e) {
      for (const o of this.pending) await Promise.resolve(o.discard()).catch(() => undefined);
      throw e;
    }
  }

  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    for (const o of this.pending) await Promise.resolve(o.discard()).catch(() => undefined);
  }

  /** Runs `body` with a fresh set of outputs: committed when it returns, discarded when it throws. */
  static async within<T>(body: (outs: Outputs) => Promise<T>): Promise<T> {
    const outs = new Outputs();
    try {
      const r = await body(outs);
      await outs.commit();
      return r;
    } catch (e) {
      await outs.discard();
      throw e;
    }
  }
}

const TEMP_NAME = /\.tmp-(\d+)$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes `*.tmp-<pid>` files (names gamma writes) whose process is gone, under `dir` and its
 * subfolders (`depth` levels), and logs each one. Returns the removed paths.
 */
export function removeStaleTemps(dir: string, depth = 3): string[] {
  const removed: string[] = [];
  const walk = (d: string, left: number) => {
    if (!existsSync(d)) return;
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      const m = TEMP_NAME.exec(e.name);
      if (m !== null && !alive(Number(m[1]))) {
        rmSync(p, { recursive: true, force: true });
        removed.push(p);
      } else if (e.isDirectory() && left > 0) walk(p, left - 1);
    }
  };
  walk(dir, depth);
  for (const p of removed) info(`removed ${p}, left by a gamma run that is no longer running`);
  return removed;
}
