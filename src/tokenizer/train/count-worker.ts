/**
 * Worker entrypoint of the counting pool (count-pool.ts). It must be listed as an extra
 * entrypoint of `bun build --compile` (scripts/build.ts WORKER_ENTRYPOINTS). Messages:
 *   in:  { type: "init", pretokenizer }      out: { type: "ready" } | { type: "error", message }
 *   in:  { type: "count", id, texts }        out: { type: "counted", id }
 *   in:  { type: "finish" }                  out: { type: "table", data } (buffers transferred)
 */
import { WordCounter, type PretokenizerName } from "./count-words.ts";
import { WordCountTable } from "./word-counts.ts";

declare const self: Worker;

let counter: WordCounter | null = null;

self.onmessage = (ev: MessageEvent) => {
  const m = ev.data;
  try {
    if (m.type === "init") {
      counter = new WordCounter(m.pretokenizer as PretokenizerName, new WordCountTable());
      self.postMessage({ type: "ready" });
    } else if (m.type === "count") {
      for (const t of m.texts as string[]) counter!.addText(t);
      self.postMessage({ type: "counted", id: m.id });
    } else if (m.type === "finish") {
      const data = counter!.table.data();
      counter = null;
      self.postMessage(
        { type: "table", data },
        { transfer: [data.bytes.buffer, data.starts.buffer, data.lens.buffer, data.hashes.buffer, data.counts.buffer] as ArrayBuffer[] },
      );
    }
  } catch (e) {
    self.postMessage({ type: "error", id: m.id, message: (e as Error).message });
  }
};
