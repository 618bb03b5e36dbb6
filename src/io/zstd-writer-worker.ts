/**
 * Worker-thread entry of ZstdWriterThread (./zstd-writer-thread.ts): one ZstdTextWriter, fed the
 * byte chunks the owner posts, in order. In a compiled binary this file must be an extra
 * `bun build --compile` entrypoint (scripts/build.ts WORKER_ENTRYPOINTS).
 */
import { ZstdTextWriter } from "./zstd-writer.ts";
import type { ToWriter, FromWriter } from "./zstd-writer-thread.ts";

declare const self: Worker;

let writer: ZstdTextWriter | null = null;
let failed = false;
// Messages are handled one after another: a chunk's write may wait for the compressor.
let queue: Promise<void> = Promise.resolve();

const reply = (m: FromWriter) => self.postMessage(m);

async function handle(m: ToWriter): Promise<void> {
  if (failed) return;
  try {
    switch (m.kind) {
      case "open":
        writer = new ZstdTextWriter(m.path, m.level);
        return;
      case "data":
        await writer!.writeBytes(m.bytes);
        reply({ kind: "ack" });
        return;
      case "finish":
        await writer!.finish();
        reply({ kind: "done", digest: writer!.digest(), bytesIn: writer!.bytesIn });
        return;
      case "abort":
        await writer?.abort();
        reply({ kind: "aborted" });
        return;
    }
  } catch (e) {
    failed = true;
    await writer?.abort().catch(() => undefined);
    reply({ kind: "error", message: (e as Error).message });
  }
}

self.onmessage = (ev: MessageEvent<ToWriter>) => {
  const m = ev.data;
  queue = queue.then(() => handle(m));
};
