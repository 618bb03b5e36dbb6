/**
 * Worker thread for the per-file work of normalize (one input file becomes
 * one shard) and of dedup's first pass (one shard's ids and keys, and on the
 * CPU backend its near-dedup signatures). One task per message; see file-pool.ts.
 */
import { itemsFor } from "./normalize-io.ts";
import { normalizeStream, type NormalizeParams, type ShardTarget } from "./normalize-core.ts";
import { shardFacts } from "../dedup/facts.ts";
import type { SignRequest } from "../near/shard-signer.ts";
import { configureLog } from "../log.ts";
import { fileItems, type FileChunk } from "../code/file-tree.ts";

declare const self: Worker;

export type WorkerTask =
  | {
      kind: "normalize";
      file: string;
      chunk?: FileChunk;
      target: ShardTarget;
      params: NormalizeParams;
      zstdLevel: string | undefined;
      sourceDateEpoch: string | undefined;
    }
  | { kind: "dedup-facts"; file: string; perSource: boolean; withKeys: boolean; sign: SignRequest | null };

type SentError = { name: string; message: string; code?: string; exitCode?: number; reason?: string };

export type WorkerReply =
  | { id: number; progress: { docs: number; bytes: number } }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: SentError };

async function runTask(id: number, t: WorkerTask): Promise<unknown> {
  if (t.kind === "dedup-facts") return shardFacts(t.file, t.perSource, t.withKeys, t.sign);
  if (t.zstdLevel !== undefined) process.env.GAMMA_ZSTD_LEVEL = t.zstdLevel;
  if (t.sourceDateEpoch !== undefined) process.env.SOURCE_DATE_EPOCH = t.sourceDateEpoch;
  const progress = (docs: number, bytes: number) => self.postMessage({ id, progress: { docs, bytes } } satisfies WorkerReply);
  return normalizeStream(t.chunk ? fileItems(t.chunk) : itemsFor(t.file), t.target, t.params, progress);
}

self.onmessage = async (ev: MessageEvent<{ id: number; task: WorkerTask }>) => {
  const { id, task } = ev.data;
  configureLog({ logEvery: 0 });
  try {
    self.postMessage({ id, ok: true, result: await runTask(id, task) } satisfies WorkerReply);
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number; reason?: string };
    self.postMessage({
      id,
      ok: false,
      error: { name: err.name, message: err.message, code: err.code, exitCode: err.exitCode, reason: err.reason },
    } satisfies WorkerReply);
  }
};
