/**
 * Encoding batches of documents on several threads. threads = 1 encodes in-process; otherwise
 * `threads` Bun Workers each build the encoder once (gamma's tables are posted, not rebuilt),
 * and a batch is cut into contiguous chunks of about 128K characters that workers take in turn
 * (each with one more queued). Each result is put back at its text's index, so the output is identical for any thread
 * count.
 *
 * For `bun build --compile`, src/tokenizer/encode-worker.ts must be an extra entrypoint
 * (scripts/build.ts WORKER_ENTRYPOINTS); src/workers/worker-url.ts finds it inside the binary.
 */
import { GammaError } from "../errors.ts";
import { startWorker } from "../workers/start-worker.ts";
import { encoderSpecOf } from "./load.ts";
import type { EncodePool, Tokenizer } from "./types.ts";

const HINT = "in a compiled binary, src/tokenizer/encode-worker.ts must be an extra entrypoint of bun build --compile";

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

  static async start(spec: unknown): Promise<WorkerHandle> {
    return new WorkerHandle(await startWorker("tokenizer/encode-worker.ts", { spec }, "tokenizer worker", HINT));
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

/** Cuts texts into contiguous chunks of about `maxChars` characters (at least one text each). */
export function chunkByLength(texts: string[], maxChars: number): number[] {
  const cuts = [0];
  let acc = 0;
  for (let i = 0; i < texts.length; i++) {
    acc += texts[i].length + 16;
    if (acc >= maxChars && i + 1 < texts.length) {
      cuts.push(i + 1);
      acc = 0;
    }
  }
  if (texts.length > 0) cuts.push(texts.length);
  return cuts;
}

/** Characters per message: small enough that workers share a batch evenly, large enough to amortise messaging. */
export const CHUNK_CHARS = 128 * 1024;

export async function createEncodePool(tok: Tokenizer, threads: number): Promise<EncodePool> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  if (threads === 1) {
    return {
      encodeBatch: async (texts) => texts.map((t) => tok.encode(t)),
      close: async () => {},
    };
  }
  const spec = encoderSpecOf(tok);
  const started = await Promise.allSettled(Array.from({ length: threads }, () => WorkerHandle.start(spec)));
  const workers = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failure = started.find((r) => r.status === "rejected");
  if (failure) {
    for (const w of workers) w.close();
    throw failure.reason;
  }
  let closed = false;
  return {
    async encodeBatch(texts) {
      if (closed) throw new GammaError("tokenizer-worker", "encodeBatch after close");
      const cuts = chunkByLength(texts, CHUNK_CHARS);
      const out: Uint32Array[] = new Array(texts.length);
      let next = 0;
      // Two lanes per worker, so each has its next chunk queued while it encodes one.
      const drain = async (w: WorkerHandle) => {
        while (next < cuts.length - 1) {
          const k = next++;
          const r = await w.encode(texts.slice(cuts[k], cuts[k + 1]));
          for (let i = 0; i < cuts[k + 1] - cuts[k]; i++) out[cuts[k] + i] = r.ids.subarray(r.offsets[i], r.offsets[i + 1]);
        }
      };
      await Promise.all(workers.flatMap((w) => [drain(w), drain(w)]));
      return out;
    },
    async close() {
      closed = true;
      for (const w of workers) w.close();
    },
  };
}
