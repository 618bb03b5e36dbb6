/**
 * A fixed set of worker threads for the CPU twins. Each worker has a FIFO of jobs; callers pick
 * the worker (a batch is cut into one contiguous part per worker) or take the least loaded one.
 * With 0 threads the jobs run in-thread; the arithmetic is the same code either way.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GammaError } from "../errors.ts";
import { runJob, type Job, type JobResult } from "./cpu-jobs.ts";

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Lane {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Where the worker script is. From source, next to this file. In a `bun build --compile` binary
 * every entrypoint is embedded under the common root of the entrypoints (src/ when they are
 * src/cli.ts and src/kernels/cpu-worker.ts), with a .js name, while import.meta.url names the
 * binary itself; so look for the embedded file.
 */
export function workerUrl(): string {
  const here = import.meta.url;
  if (here.includes("$bunfs") || here.includes("~BUN")) {
    for (const rel of ["./kernels/cpu-worker.js", "./src/kernels/cpu-worker.js", "./cpu-worker.js"]) {
      const url = new URL(rel, here);
      if (existsSync(fileURLToPath(url))) return url.href;
    }
    throw new GammaError(
      "build",
      "this gamma binary was built without its CPU worker: scripts/build.ts must pass src/kernels/cpu-worker.ts " +
        "as an extra entrypoint to `bun build --compile` (next to src/cli.ts). Meanwhile --cpu-threads 0 runs in-thread.",
    );
  }
  return new URL("./cpu-worker.ts", here).href;
}

export class CpuPool {
  private readonly lanes: Lane[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`cpu threads must be >= 0, got ${threads}`);
    if (threads > 0) {
      const url = workerUrl();
      for (let i = 0; i < threads; i++) this.lanes.push(this.spawn(url, i));
    }
  }

  /** How many parts to cut a batch into: one per worker, or 1 in-thread. */
  get width(): number {
    return Math.max(1, this.lanes.length);
  }

  private spawn(url: string, index: number): Lane {
    const worker = new Worker(url, { name: `gamma-cpu-${index}` } as WorkerOptions);
    const lane: Lane = { worker, pending: new Map() };
    worker.unref();
    worker.onmessage = (event: MessageEvent<{ id: number; ok: boolean; result?: unknown; error?: string }>) => {
      const msg = event.data;
      const p = lane.pending.get(msg.id);
      if (p === undefined) return;
      lane.pending.delete(msg.id);
      if (lane.pending.size === 0) worker.unref();
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new GammaError("worker", `CPU worker ${index} failed: ${msg.error}`));
    };
    worker.onerror = (event: ErrorEvent) => {
      const err = new GammaError("worker", `CPU worker ${index} crashed: ${event.message}`);
      for (const p of lane.pending.values()) p.reject(err);
      lane.pending.clear();
    };
    return lane;
  }

  /** Runs `job` on worker `lane` (mod the pool size); in-thread when the pool has no workers. */
  run<J extends Job>(job: J, lane: number, transfer: ArrayBuffer[] = []): Promise<JobResult<J>> {
    if (this.closed) return Promise.reject(new GammaError("worker", "CPU pool used after dispose()"));
    if (this.lanes.length === 0) {
      return new Promise((resolve, reject) => {
        // Yield first so in-thread callers still overlap their own work the way workers would.
        queueMicrotask(() => {
          try {
            resolve(runJob(job) as JobResult<J>);
          } catch (e) {
            reject(e);
          }
        });
      });
    }
    const l = this.lanes[lane % this.lanes.length];
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (l.pending.size === 0) l.worker.ref();
      l.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      l.worker.postMessage({ id, job }, transfer);
    });
  }

  dispose(): void {
    this.closed = true;
    for (const l of this.lanes) {
      l.worker.terminate();
      const err = new GammaError("worker", "CPU pool disposed with work pending");
      for (const p of l.pending.values()) p.reject(err);
      l.pending.clear();
    }
    this.lanes.length = 0;
  }
}
