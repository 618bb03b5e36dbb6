/**
 * `gamma dedup`: exact (hash of whitespace-collapsed, lower-cased text),
 * near (MinHash LSH on WebGPU or its CPU twin), or both (exact first, then
 * near among the survivors). Two passes over the input: the first decides
 * (one shard per worker thread at a time with --cpu-threads > 1), the second
 * writes deduped.jsonl.zst (kept docs in input order, lines copied without
 * parsing them again) and decisions.jsonl.zst (one line per input doc, same
 * order).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readDocBatches, readItemLines } from "../io/doc-reader.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File, type FileDigest } from "../io/hash.ts";
import { createdAt } from "../io/timestamp.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";
import { info, Progress } from "../log.ts";
import { bump, countsAddUp, emptyCounts, sortedCounts, type StageCounts } from "../pipeline.ts";
import { GAMMA_VERSION } from "../version.ts";
import type { NearSettings, NearOutcome } from "./dedup-near.ts";
import { FileWorkers } from "./file-pool.ts";

export type DedupMode = "exact" | "near" | "both";

export interface DedupOptions {
  inputs: string[];
  outDir: string;
  mode: DedupMode;
  scope: "global" | "per-source";
  near: NearSettings;
}

export const DEDUP_MANIFEST = "dedup.manifest.json";

/**
 * Whitespace that collapsing changes: runs of two or more, and single
 * whitespace characters other than a space. Replacing these with a space
 * gives what replacing every run would, with far fewer matches.
 */
const FOLDED_WHITESPACE = /\s{2,}|[^\S ]/g;

/** The exact-duplicate key: whitespace runs collapsed to one space, trimmed, lower-cased. */
export function exactKey(text: string): string {
  const folded = text.replace(FOLDED_WHITESPACE, " ").trim().toLowerCase();
  return new Bun.CryptoHasher("sha256").update(folded).digest("base64").slice(0, 22);
}

interface DocInfo {
  docId: string;
  group: string;
  bucket: string;
}

/** What pass 1 learns of each item of a shard, in line order; `key` is null when not asked for. */
export type ItemFacts = (DocInfo & { key: string | null }) | { location: string; bad: string };

export interface ShardFacts {
  items: ItemFacts[];
  /** Characters of text, for the progress log. */
  chars: number;
}

/** Pass 1 over one shard: ids, groups, source/domain buckets and exact keys. */
export async function shardFacts(file: string, perSource: boolean, withKeys: boolean): Promise<ShardFacts> {
  const items: ItemFacts[] = [];
  let chars = 0;
  for await (const batch of readDocBatches([file])) {
    for (const item of batch) {
      if ("bad" in item) {
        items.push({ location: item.location, bad: item.bad });
        continue;
      }
      const d = item.doc;
      chars += d.text.length;
      const group = perSource ? d.source : "";
      items.push({ docId: d.doc_id, group, bucket: `${d.source}/${d.domain}`, key: withKeys ? `${group}\u0000${exactKey(d.text)}` : null });
    }
  }
  return { items, chars };
}

export async function runDedup(o: DedupOptions): Promise<{ counts: StageCounts; manifestPath: string }> {
  const files = expandInputs(o.inputs, { what: "normalized shards" });
  mkdirSync(o.outDir, { recursive: true });
  // --cpu-threads comes in the near settings; pass 1 uses it too.
  const threads = Math.min(o.near.cpuThreads ?? 1, files.length);
  // Started before the inputs are hashed, so the threads load meanwhile.
  const workers = threads > 1 ? new FileWorkers(threads) : null;
  const inputs: FileDigest[] = [];
  // By input position: what pass 1 read, and the decision.
  const infos: DocInfo[] = [];
  const badLines = new Map<number, string>();
  const state: number[] = []; // -1 kept, else index of the doc it duplicates
  const kind: number[] = []; // 0 kept, 1 exact, 2 near, 3 rejected
  const similarity: number[] = [];

  const dedupedPath = join(o.outDir, "deduped.jsonl.zst");
  const decisionsPath = join(o.outDir, "decisions.jsonl.zst");
  const out = new ZstdTextWriter(dedupedPath);
  const dec = new ZstdTextWriter(decisionsPath);
  const counts = emptyCounts();
  const bySource: Record<string, StageCounts> = {};
  let near: NearOutcome | null = null;

  // Pass 2 for one shard: its kept docs and decisions, in input order. Its
  // items are the positions first, first + 1, ... of pass 1.
  const writeShard = async (file: string, first: number) => {
    const nearReason = near ? `minhash_lsh_v1 (${near.describe})` : "";
    let i = first;
    for await (const lines of readItemLines([file])) {
      for (const stored of lines) {
        const info_ = infos[i]!;
        const k = kind[i]!;
        counts.in++;
        const b = (bySource[info_.bucket || "(unreadable)"] ??= emptyCounts());
        b.in++;
        let line: Record<string, unknown>;
        if (k === 3) {
          bump(counts.rejected, "invalid_record");
          bump(b.rejected, "invalid_record");
          line = { doc_id: info_.docId, decision: "rejected", dup_of: null, similarity: null, reason: badLines.get(i) };
        } else if (k === 0) {
          counts.kept++;
          b.kept++;
          await out.write(stored + "\n");
          line = { doc_id: info_.docId, decision: "kept", dup_of: null, similarity: null, reason: "unique" };
        } else {
          const target = resolveRoot(state, i);
          const reason = k === 1 ? "exact_dup" : "near_dup";
          bump(counts.dropped, reason);
          bump(b.dropped, reason);
          line = {
            doc_id: info_.docId,
            decision: reason,
            dup_of: infos[target]!.docId,
            similarity: k === 1 ? 1 : roundSim(similarity[i]!),
            reason: k === 1 ? "exact_hash_v1 (whitespace-collapsed, lower-cased text, sha256)" : nearReason,
          };
        }
        await dec.write(JSON.stringify(line) + "\n");
        i++;
      }
    }
  };

  try {
    const firstOf: number[] = []; // position of each shard's first item
    try {
      for (const f of files) inputs.push(await sha256File(f));

      // Pass 1: ids, exact keys; shards are read in parallel and taken in order.
      const perSource = o.scope === "per-source";
      const withKeys = o.mode !== "near";
      const facts = files.map((file) => (workers ? workers.run<ShardFacts>({ kind: "dedup-facts", file, perSource, withKeys }) : null));
      const firstByKey = new Map<string, number>();
      const progress = new Progress(`dedup (${o.mode}) pass 1`);
      for (let f = 0; f < files.length; f++) {
        const shard = await (facts[f] ?? shardFacts(files[f]!, perSource, withKeys));
        firstOf.push(infos.length);
        for (const item of shard.items) {
          const idx = infos.length;
          state.push(-1);
          kind.push(0);
          similarity.push(Number.NaN);
          if ("bad" in item) {
            badLines.set(idx, `${item.location}: ${item.bad}`);
            infos.push({ docId: `${item.location}`, group: "", bucket: "" });
            kind[idx] = 3;
            continue;
          }
          infos.push({ docId: item.docId, group: item.group, bucket: item.bucket });
          if (item.key === null) continue;
          const first = firstByKey.get(item.key);
          if (first === undefined) firstByKey.set(item.key, idx);
          else {
            state[idx] = first;
            kind[idx] = 1;
            similarity[idx] = 1;
          }
        }
        progress.add(shard.items.length, shard.chars);
        // Exact dedup only: a duplicate's first copy comes before it, so this
        // shard's decisions are final and it can be written while later shards are read.
        if (o.mode === "exact") await writeShard(files[f]!, firstOf[f]!);
      }
      progress.done();
    } finally {
      workers?.close();
    }

    if (o.mode !== "exact") {
      const workDir = join(o.outDir, ".near-work");
      const { runNear } = await import("./dedup-near.ts");
      near = await runNear(files, Uint8Array.from(kind), infos.map((i) => i.group), o.near, workDir);
      rmSync(workDir, { recursive: true, force: true });
      for (let i = 0; i < infos.length; i++) {
        const t = near.dupOf[i]!;
        if (t >= 0) {
          state[i] = t;
          kind[i] = 2;
          similarity[i] = near.similarity[i]!;
        }
      }
      for (let f = 0; f < files.length; f++) await writeShard(files[f]!, firstOf[f]!);
    }
    await out.finish();
    await dec.finish();
  } catch (e) {
    await out.abort();
    await dec.abort();
    throw e;
  }
  if (counts.in !== infos.length || !countsAddUp(counts)) throw new Error("dedup: internal error: counts do not add up");
  const manifestPath = join(o.outDir, DEDUP_MANIFEST);
  writeJsonAtomic(manifestPath, {
    kind: "gamma.dedup/v1",
    stage: "dedup",
    gamma_version: GAMMA_VERSION,
    created_at: createdAt(),
    params: { mode: o.mode, scope: o.scope, ...(o.mode === "exact" ? {} : { near: o.near.describe() }) },
    inputs,
    outputs: { deduped: { ...out.digest(), path: "deduped.jsonl.zst" }, decisions: { ...dec.digest(), path: "decisions.jsonl.zst" } },
    counts: sortedCounts(counts),
    by_source: Object.fromEntries(Object.entries(bySource).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortedCounts(v)])),
    ...(near ? { near: near.stats } : {}),
  });
  info(`dedup: ${counts.in} docs in, ${counts.kept} kept, ${counts.dropped.exact_dup ?? 0} exact duplicates, ${counts.dropped.near_dup ?? 0} near duplicates -> ${o.outDir}`);
  return { counts, manifestPath };
}

/** Follows dup_of links to the document that was kept. */
function resolveRoot(state: number[], i: number): number {
  let t = state[i]!;
  let guard = 0;
  while (state[t]! >= 0 && guard++ < 1_000_000) t = state[t]!;
  return t;
}

function roundSim(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function parseMode(v: string): DedupMode {
  if (v === "exact" || v === "near" || v === "both") return v;
  throw new ConfigError(`--mode must be exact, near or both, got ${JSON.stringify(v)}`);
}
