/** Worker thread for `gamma normalize`: turns one input file into one shard per message. */
import { itemsFor } from "./normalize-io.ts";
import { normalizeStream, type NormalizeParams, type ShardTarget } from "./normalize-core.ts";
import { configureLog } from "../log.ts";

declare const self: Worker;

export interface NormalizeTask {
  id: number;
  file: string;
  target: ShardTarget;
  params: NormalizeParams;
  zstdLevel: string | undefined;
  sourceDateEpoch: string | undefined;
}

self.onmessage = async (ev: MessageEvent<NormalizeTask>) => {
  const t = ev.data;
  configureLog({ logEvery: 0 });
  if (t.zstdLevel !== undefined) process.env.GAMMA_ZSTD_LEVEL = t.zstdLevel;
  if (t.sourceDateEpoch !== undefined) process.env.SOURCE_DATE_EPOCH = t.sourceDateEpoch;
  try {
    const r = await normalizeStream(itemsFor(t.file), t.target, t.params, (docs, bytes) => self.postMessage({ id: t.id, progress: { docs, bytes } }));
    self.postMessage({ id: t.id, ok: true, result: r });
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number; reason?: string };
    self.postMessage({ id: t.id, ok: false, error: { name: err.name, message: err.message, code: err.code, exitCode: err.exitCode, reason: err.reason } });
  }
};
