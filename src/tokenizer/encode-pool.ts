/**
 * Encoding batches of documents on several threads. threads = 1 encodes in-process; otherwise
 * `threads` Bun Workers each build the encoder once (gamma's tables are posted, not rebuilt),
 * and a batch is cut into contiguous, size-balanced slices, one per worker. Results are put back
 * in input order, so they are identical for any thread count.
 *
 * For `bun build --compile`, pass ./src/tokenizer/encode-worker.ts as an extra entrypoint
 * (after the main one); Bun then resolves the `new URL("./encode-worker.ts", import.meta.url)`
 * below inside the binary.
 */
import { GammaError } from "../errors.ts";
import { encoderSpecOf } from "./load.ts";
import type { EncodePool, Tokenizer } from "./types.ts";

interface Pending {
  resolve: (r: { ids: Uint32Array; offsets: Uint32Array }) => void;
  reject: (e: Error) => void;
}

class WorkerHandle {
  private pending = new Map<number, Pending>();
  private nextId = 0;
  private failed: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.onmessage = (ev: MessageEvent) => {
      const m = ev.data;
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      if (m.type === "done") p.resolve({ ids: m.ids, offsets: m.offsets });
      else p.reject(new GammaError("tokenizer-worker", `tokenizer worker failed: ${m.message}`));
    };
    worker.onerror = (ev: ErrorEvent) => this.fail(new GammaError("tokenizer-worker", `tokenizer worker crashed: ${ev.message}`));
  }

  static start(spec: unknown): Promise<WorkerHandle> {
    const worker = new Worker(new URL("./encode-worker.ts", import.meta.url));
    return new Promise((resolve, reject) => {
      worker.onmessage = (ev: MessageEvent) => {
        if (ev.data.type === "ready") resolve(new WorkerHandle(worker));
        else {
          worker.terminate();
          reject(new GammaError("tokenizer-worker", `tokenizer worker could not start: ${ev.data.message}`));
        }
      };
      worker.onerror = (ev: ErrorEvent) => {
        worker.terminate();
        reject(new GammaError("tokenizer-worker", `tokenizer worker could not start: ${ev.message}`));
      };
      worker.postMessage({ type: "init", spec });
    });
  }

  private fail(e: Error): void {
    this.failed = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  encode(texts: string[]): Promise<{ ids: Uint32Array; offsets: Uint32Array }> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: "encode", id, texts });
    });
  }

  close(): void {
    this.fail(new GammaError("tokenizer-worker", "the encode pool was closed"));
    this.worker.terminate();
  }
}

/** Cuts [0, n) into `parts` contiguous ranges of about equal total text length. */
export function sliceByLength(texts: string[], parts: number): number[] {
  let total = 0;
  for (const t of texts) total += t.length + 16;
  const cuts = [0];
  let acc = 0;
  let k = 1;
  for (let i = 0; i < texts.length && k < parts; i++) {
    acc += texts[i].length + 16;
    if (acc >= (total * k) / parts) {
      cuts.push(i + 1);
      k++;
    }
  }
  while (cuts.length < parts) cuts.push(texts.length);
  cuts.push(texts.length);
  return cuts;
}

export async function createEncodePool(tok: Tokenizer, threads: number): Promise<EncodePool> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  if (threads === 1) {
    return {
      encodeBatch: async (texts) => texts.map((t) => tok.encode(t)),
      close: async () => {},
    };
  }
  const spec = encoderSpecOf(tok);
  const workers = await Promise.all(Array.from({ length: threads }, () => WorkerHandle.start(spec)));
  let closed = false;
  return {
    async encodeBatch(texts) {
      if (closed) throw new GammaError("tokenizer-worker", "encodeBatch after close");
      const cuts = sliceByLength(texts, workers.length);
      const results = await Promise.all(workers.map((w, k) => w.encode(texts.slice(cuts[k], cuts[k + 1]))));
      const out: Uint32Array[] = new Array(texts.length);
      results.forEach((r, k) => {
        for (let i = 0; i < cuts[k + 1] - cuts[k]; i++) out[cuts[k] + i] = r.ids.subarray(r.offsets[i], r.offsets[i + 1]);
      });
      return out;
    },
    async close() {
      closed = true;
      for (const w of workers) w.close();
    },
  };
}
