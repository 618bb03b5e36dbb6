/**
 * Counting pre-tokens on several threads. Batches of documents go to whichever worker has room
 * (two batches queued each); every worker keeps its own table of distinct pre-tokens, and at the
 * end the tables are added together. Counts are sums, so the result is the same for any thread
 * count and any split. threads = 1 counts in-process.
 *
 * For `bun build --compile`, src/tokenizer/train/count-worker.ts must be an extra entrypoint
 * (scripts/build.ts WORKER_ENTRYPOINTS); src/workers/worker-url.ts finds it inside the binary.
 */
import { GammaError } from "../../errors.ts";
import { startWorker } from "../../workers/start-worker.ts";
import { WordCounter, type PretokenizerName } from "./count-words.ts";
import { WordCountTable, type WordCountsData } from "./word-counts.ts";

const HINT = "in a compiled binary, src/tokenizer/train/count-worker.ts must be an extra entrypoint of bun build --compile";
/** Batches a worker holds at once: one being counted, one waiting. */
const QUEUED = 2;

export interface CountPool {
  /** Counts the pre-tokens of these texts; resolves once they are handed over (not counted). */
  count(texts: string[]): Promise<void>;
  /** Waits for every batch and returns all counts; the pool is closed after. */
  finish(): Promise<WordCountsData>;
  close(): void;
}

class CountWorker {
  queued = 0;
  private failed: Error | null = null;
  private onDone: (() => void) | null = null;
  private onTable: ((d: WordCountsData) => void) | null = null;

  private constructor(private readonly worker: Worker) {
    worker.onmessage = (ev: MessageEvent) => {
      const m = ev.data;
      if (m.type === "counted") {
        this.queued--;
        this.onDone?.();
      } else if (m.type === "table") this.onTable?.(m.data);
      else this.fail(new GammaError("tokenizer-worker", `counting worker failed: ${m.message}`));
    };
    worker.onerror = (ev: ErrorEvent) => this.fail(new GammaError("tokenizer-worker", `counting worker crashed: ${ev.message}`));
  }

  static async start(pretokenizer: PretokenizerName): Promise<CountWorker> {
    return new CountWorker(await startWorker("tokenizer/train/count-worker.ts", { pretokenizer }, "counting worker", HINT));
  }

  private fail(e: Error): void {
    this.failed = e;
    this.onDone?.();
    this.onTable?.(null as unknown as WordCountsData);
  }

  check(): void {
    if (this.failed) throw this.failed;
  }

  /** Resolves at the next finished batch (or failure). */
  next(): Promise<void> {
    return new Promise((r) => {
      this.onDone = () => {
        this.onDone = null;
        r();
      };
    });
  }

  send(texts: string[]): void {
    this.queued++;
    this.worker.postMessage({ type: "count", id: 0, texts });
  }

  table(): Promise<WordCountsData> {
    return new Promise((resolve, reject) => {
      this.onTable = (d) => (this.failed ? reject(this.failed) : resolve(d));
      this.worker.postMessage({ type: "finish" });
    });
  }

  close(): void {
    this.worker.terminate();
  }
}

export async function createCountPool(pretokenizer: PretokenizerName, threads: number): Promise<CountPool> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  if (threads === 1) {
    const counter = new WordCounter(pretokenizer, new WordCountTable());
    return {
      count: async (texts) => {
        for (const t of texts) counter.addText(t);
      },
      finish: async () => counter.table.data(),
      close: () => {},
    };
  }
  const started = await Promise.allSettled(Array.from({ length: threads }, () => CountWorker.start(pretokenizer)));
  const workers = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failure = started.find((r) => r.status === "rejected");
  if (failure) {
    for (const w of workers) w.close();
    throw failure.reason;
  }
  const close = () => {
    for (const w of workers) w.close();
  };
  const roomy = () => workers.reduce((best, w) => (w.queued < best.queued ? w : best));
  return {
    async count(texts) {
      let w = roomy();
      while (w.queued >= QUEUED) {
        await Promise.race(workers.map((x) => x.next()));
        for (const x of workers) x.check();
        w = roomy();
      }
      w.send(texts);
    },
    async finish() {
      try {
        // Tables are added in worker order; the sums do not depend on it.
        const merged = new WordCountTable();
        for (const w of workers) {
          while (w.queued > 0) {
            await w.next();
            w.check();
          }
          merged.merge(await w.table());
        }
        return merged.data();
      } finally {
        close();
      }
    },
    close,
  };
}
