/**
 * Normalizes input files in parallel, one file per worker at a time. Each
 * shard depends only on its own input, so the outputs are the same bytes
 * whatever the number of workers.
 */
import { reviveError } from "../errors.ts";
import { workerUrl } from "../workers/worker-url.ts";
import type { NormalizeParams, ShardResult, ShardTarget } from "./normalize-core.ts";
import type { NormalizeTask } from "./normalize-worker.ts";

export async function runInWorkers(
  todo: { file: string; target: ShardTarget }[],
  params: NormalizeParams,
  threads: number,
  onProgress: (docs: number, bytes: number) => void,
): Promise<ShardResult[]> {
  const url = workerUrl("stages/normalize-worker.ts");
  const results: ShardResult[] = new Array(todo.length);
  let next = 0;
  const workers: Worker[] = [];
  const lane = (w: Worker) =>
    new Promise<void>((resolve, reject) => {
      let seen = { docs: 0, bytes: 0 };
      const start = () => {
        if (next >= todo.length) return resolve();
        const id = next++;
        seen = { docs: 0, bytes: 0 };
        const t = todo[id]!;
        const task: NormalizeTask = { id, file: t.file, target: t.target, params, zstdLevel: process.env.GAMMA_ZSTD_LEVEL, sourceDateEpoch: process.env.SOURCE_DATE_EPOCH };
        w.postMessage(task);
      };
      w.onmessage = (ev: MessageEvent) => {
        const m = ev.data as { id: number; ok?: boolean; progress?: { docs: number; bytes: number }; result?: ShardResult; error?: Parameters<typeof reviveError>[0] };
        if (m.progress) {
          onProgress(m.progress.docs - seen.docs, m.progress.bytes - seen.bytes);
          seen = m.progress;
          return;
        }
        if (!m.ok) return reject(reviveError(m.error!));
        results[m.id] = m.result!;
        start();
      };
      w.onerror = (e) => reject(new Error(`normalize worker crashed: ${e.message}`));
      start();
    });
  try {
    for (let i = 0; i < threads; i++) workers.push(new Worker(url));
    await Promise.all(workers.map(lane));
  } finally {
    for (const w of workers) w.terminate();
  }
  return results;
}
