/**
 * Starting a Bun Worker from a script under src/ (found by workerUrl, so it also works inside
 * the compiled binary): posts `{ type: "init", ...init }` and resolves once the worker answers
 * `{ type: "ready" }`; any other answer or a crash rejects with a GammaError naming `what`.
 */
import { GammaError } from "../errors.ts";
import { workerUrl } from "./worker-url.ts";

export function startWorker(srcRel: string, init: Record<string, unknown>, what: string, hint: string): Promise<Worker> {
  const worker = new Worker(workerUrl(srcRel));
  return new Promise((resolve, reject) => {
    worker.onmessage = (ev: MessageEvent) => {
      if (ev.data.type === "ready") resolve(worker);
      else {
        worker.terminate();
        reject(new GammaError("tokenizer-worker", `${what} could not start: ${ev.data.message}`));
      }
    };
    worker.onerror = (ev: ErrorEvent) => {
      worker.terminate();
      reject(new GammaError("tokenizer-worker", `${what} could not start: ${ev.message} (${hint})`));
    };
    worker.postMessage({ type: "init", ...init });
  });
}
