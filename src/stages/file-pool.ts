/**
 * Worker threads (file-worker.ts) that each take one input file at a
 * time: a shard to normalize, or a shard for exact dedup's first pass. A
 * task's result depends only on its own file, so the outputs are the same
 * bytes whatever the number of workers.
 */
import { reviveError } from "../errors.ts";
import { workerUrl } from "../workers/worker-url.ts";
import type { WorkerReply, WorkerTask } from "./file-worker.ts";

export class FileWorkers {
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; task: WorkerTask }[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: (r: unknown) => void; reject: (e: Error) => void; onProgress?: (docs: number, bytes: number) => void }
  >();
  private readonly all: Worker[] = [];
  private nextId = 0;

  /** Starts the threads now, so they load while the caller prepares the tasks. */
  constructor(threads: number) {
    const url = workerUrl("stages/file-worker.ts");
    for (let i = 0; i < threads; i++) {
      const w = new Worker(url);
      w.onmessage = (ev: MessageEvent<WorkerReply>) => this.reply(w, ev.data);
      w.onerror = (e) => this.crash(new Error(`gamma worker thread crashed: ${e.message}`));
      this.all.push(w);
      this.idle.push(w);
    }
  }

  /** Queues a task; onProgress gets the running totals of documents and text bytes. */
  run<R>(task: WorkerTask, onProgress?: (docs: number, bytes: number) => void): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (r: unknown) => void, reject, onProgress });
      this.queue.push({ id, task });
      this.dispatch();
    });
  }

  close(): void {
    for (const w of this.all) w.terminate();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) this.idle.pop()!.postMessage(this.queue.shift()!);
  }

  private reply(w: Worker, m: WorkerReply): void {
    const p = this.waiting.get(m.id);
    if (p === undefined) return;
    if ("progress" in m) {
      p.onProgress?.(m.progress.docs, m.progress.bytes);
      return;
    }
    this.waiting.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(reviveError(m.error));
    this.idle.push(w);
    this.dispatch();
  }

  private crash(e: Error): void {
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }
}
