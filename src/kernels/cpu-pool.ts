/**
 * A fixed set of worker threads for the CPU twins and the shingler. Each worker has a FIFO of
 * jobs; callers pick the worker (a batch is cut into one contiguous part per worker).
 * threads <= 1 runs the jobs in-process (gamma's --cpu-threads convention); the arithmetic is the
 * same code either way. In a compiled binary src/kernels/cpu-worker.ts must be an extra
 * `bun build --compile` entrypoint (scripts/build.ts WORKER_ENTRYPOINTS). Workers start on their
 * first job, so a pool that ends up unused (a run too small to cut) costs nothing.
 */
import { GammaError } from "../errors.ts";
import { workerUrl } from "../workers/worker-url.ts";
import { runJob, type Job, type JobResult } from "./cpu-jobs.ts";

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Lane {
  worker: Worker;
  pending: Map<number, Pending>;
}

export class CpuPool {
  /** Workers by lane, started on first use. */
  private readonly lanes: (Lane | undefined)[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`cpu threads must be >= 0, got ${threads}`);
  }

  /** Whether jobs run on the calling thread (no workers). */
  get inProcess(): boolean {
    return this.threads <= 1;
  }

  /** How many parts to cut a batch into: one per worker, or 1 in-thread. */
  get width(): number {
    return this.inProcess ? 1 : this.threads;
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
    if (this.inProcess) {
      return new Promise((resolve, reject) => {
        // Run after the caller's synchronous code, as a worker's reply would arrive.
        queueMicrotask(() => {
          try {
            resolve(runJob(job) as JobResult<J>);
          } catch (e) {
            reject(e);
          }
        });
      });
    }
    const i = lane % this.threads;
    const l = (this.lanes[i] ??= this.spawn(workerUrl("kernels/cpu-worker.ts"), i));
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
      if (l === undefined) continue;
      l.worker.terminate();
      const err = new GammaError("worker", "CPU pool disposed with work pending");
      for (const p of l.pending.values()) p.reject(err);
      l.pending.clear();
    }
    this.lanes.length = 0;
  }
}
