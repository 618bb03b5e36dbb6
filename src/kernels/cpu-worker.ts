/**
 * Worker-thread entry for the CPU twins (and the shingler). In a compiled binary this file must be
 * an extra `bun build --compile` entrypoint (see cpu-pool.ts, workerUrl()).
 */
import { runJob, transferables, type Job } from "./cpu-jobs.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ id: number; job: Job }>) => {
  const { id, job } = event.data;
  try {
    const result = runJob(job);
    self.postMessage({ id, ok: true, result }, transferables(result));
  } catch (e) {
    self.postMessage({ id, ok: false, error: e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e) });
  }
};
