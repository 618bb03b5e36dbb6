/**
 * Worker entrypoint of the encode pool. It must be listed as an extra entrypoint of
 * `bun build --compile` (see encode-pool.ts). Messages:
 *   in:  { type: "init", spec }                 out: { type: "ready" } | { type: "error", message }
 *   in:  { type: "encode", id, texts }          out: { type: "done", id, ids, offsets } (buffers transferred)
 */
import { buildEncoder, type Encoder } from "./encoder-spec.ts";
import { GammaBpe } from "./fast-encoder.ts";
import { SpmUnigram } from "./spm/unigram-encoder.ts";

declare const self: Worker;

let encoder: Encoder | null = null;
let ids = new Uint32Array(1 << 16); // reused across messages; only the exact result is sent

function encodeAll(texts: string[]): { ids: Uint32Array; offsets: Uint32Array } {
  const offsets = new Uint32Array(texts.length + 1);
  let n = 0;
  for (let i = 0; i < texts.length; i++) {
    let count: number;
    let src: Uint32Array;
    if (encoder instanceof GammaBpe || encoder instanceof SpmUnigram) {
      count = encoder.encodeToScratch(texts[i]);
      src = encoder.scratch;
    } else {
      src = encoder!.encode(texts[i]);
      count = src.length;
    }
    if (n + count > ids.length) {
      let cap = ids.length * 2;
      while (cap < n + count) cap *= 2;
      const next = new Uint32Array(cap);
      next.set(ids.subarray(0, n));
      ids = next;
    }
    ids.set(src.subarray(0, count), n);
    n += count;
    offsets[i + 1] = n;
  }
  return { ids: ids.slice(0, n), offsets };
}

self.onmessage = (ev: MessageEvent) => {
  const m = ev.data;
  try {
    if (m.type === "init") {
      encoder = buildEncoder(m.spec);
      self.postMessage({ type: "ready" });
    } else if (m.type === "encode") {
      const { ids, offsets } = encodeAll(m.texts);
      self.postMessage({ type: "done", id: m.id, ids, offsets }, { transfer: [ids.buffer as ArrayBuffer, offsets.buffer as ArrayBuffer] });
    }
  } catch (e) {
    self.postMessage({ type: "error", id: m.id, message: e instanceof Error ? e.message : String(e) });
  }
};
