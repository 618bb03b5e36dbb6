/**
 * `gamma dedup`: exact (hash of whitespace-collapsed, lower-cased text),
 * near (MinHash LSH on WebGPU or its CPU twin), or both (exact first, then
 * near among the survivors). Pass 1 decides exact duplicates (one shard per
 * worker thread at a time with --cpu-threads > 1); on the CPU backend the same
 * threads shingle and sign each document for the near engine as they read it.
 * The near engine then runs on the signatures (on the GPU backend it reads the
 * shards again and the kernel signs). The last pass writes deduped.jsonl.zst
 * (kept docs in input order, lines copied without parsing them again) and
 * decisions.jsonl.zst (one line per input doc, same order).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, InputError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readDocBatches, readItemLineBytes } from "../io/doc-reader.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File, type FileDigest } from "../io/hash.ts";
import { createdAt } from "../io/timestamp.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";
import { info, Progress } from "../log.ts";
import { bump, countsAddUp, emptyCounts, sortedCounts, type StageCounts } from "../pipeline.ts";
import { GAMMA_VERSION } from "../version.ts";
import { selectBackend, type Backend } from "../gpu/device.ts";
import { exactKey } from "./exact-key.ts";
import { ShardSigner, type SignedShard, type SignRequest } from "../near/shard-signer.ts";
import type { NearInput, NearSettings, NearOutcome } from "./dedup-near.ts";
import { FileWorkers } from "./file-pool.ts";
import { Names } from "../util/names.ts";

export type DedupMode = "exact" | "near" | "both";

export interface DedupOptions {
  inputs: string[];
  outDir: string;
  mode: DedupMode;
  scope: "global" | "per-source";
  near: NearSettings;
  /** Write only the decisions and the manifest, not deduped.jsonl.zst (the shards are read once). */
  decisionsOnly?: boolean;
}

export const DEDUP_MANIFEST = "dedup.manifest.json";

const NEWLINE = new Uint8Array([10]);

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
  /** With a sign request: every document's signing, in order. */
  signed: SignedShard | null;
}

/** Pass 1 over one shard: ids, groups, source/domain buckets and exact keys; signatures when asked. */
export async function shardFacts(file: string, perSource: boolean, withKeys: boolean, sign: SignRequest | null = null): Promise<ShardFacts> {
  const items: ItemFacts[] = [];
  let chars = 0;
  const signer = sign ? new ShardSigner(sign) : null;
  try {
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
        signer?.add(d.text);
      }
    }
  } catch (e) {
    signer?.abort();
    throw e;
  }
  return { items, chars, signed: signer?.finish() ?? null };
}

export async function runDedup(o: DedupOptions): Promise<{ counts: StageCounts; manifestPath: string }> {
  const files = expandInputs(o.inputs, { what: "normalized shards" });
  // The near backend is chosen first, before any thread starts or output is opened (a device
  // error leaves nothing behind): on the CPU, pass 1 signs as it reads (when there are shards
  // enough to keep every thread busy; one big file is better read again by the engine's own pool).
  let backend: Backend | null = null;
  if (o.mode !== "exact") {
    backend = await selectBackend({ device: o.near.device, adapterName: o.near.adapterName });
    const name = backend.adapter ? ` (${backend.adapter.description || backend.adapter.device})` : "";
    info(`dedup: near-duplicate kernels on ${backend.kind}${name}: ${backend.reason}`);
  }
  mkdirSync(o.outDir, { recursive: true });
  // --cpu-threads comes in the near settings; pass 1 uses it too.
  const threads = Math.min(o.near.cpuThreads ?? 1, files.length);
  // Started before the inputs are hashed, so the threads load meanwhile.
  const workers = threads > 1 ? new FileWorkers(threads) : null;
  const inputs: FileDigest[] = [];
  // By input position: what pass 1 read, and the decision. Groups and source/domain buckets are
  // numbered (a million documents share a handful of them).
  const docIds: string[] = [];
  const groupOf: number[] = [];
  const bucketOf: number[] = [];
  const groupNames = new Names();
  const bucketNames = new Names();
  const badLines = new Map<number, string>();
  const state: number[] = []; // -1 kept, else index of the doc it duplicates
  const kind: number[] = []; // 0 kept, 1 exact, 2 near, 3 rejected
  const similarity: number[] = [];

  const dedupedPath = join(o.outDir, "deduped.jsonl.zst");
  const decisionsPath = join(o.outDir, "decisions.jsonl.zst");
  // The deduplicated copy is compressed by zstd threads, as many as --cpu-threads, while this
  // thread reads the shards back (the bytes are the same for any number of them).
  const out = o.decisionsOnly ? null : new ZstdTextWriter(dedupedPath, undefined, o.near.cpuThreads ?? 1);
  let dec: ZstdTextWriter;
  try {
    dec = new ZstdTextWriter(decisionsPath);
  } catch (e) {
    await out?.abort(); // no half-opened output left behind
    throw e;
  }
  const counts = emptyCounts();
  const bySource: Record<string, StageCounts> = {};
  let near: NearOutcome | null = null;
  const workDir = join(o.outDir, ".near-work");
  const signInPass1 = backend?.kind === "cpu" && files.length >= Math.max(1, o.near.cpuThreads ?? 1);
  const { signRequest } = signInPass1 ? await import("./dedup-near.ts") : { signRequest: null };
  const signedShards: { signed: SignedShard; positions: number[] }[] = [];

  // The last pass for shard f: its kept docs (read again, copied as stored) and its decisions,
  // in input order. Its items are the positions firstOf[f], firstOf[f] + 1, ... of pass 1.
  const writeShard = async (f: number) => {
    const first = firstOf[f]!;
    const end = firstOf[f + 1] ?? docIds.length;
    if (out !== null) {
      let i = first;
      for await (const lines of readItemLineBytes(files[f]!)) {
        for (const stored of lines) {
          if (i < end && kind[i] === 0) {
            await out.writeBytes(stored);
            await out.writeBytes(NEWLINE);
          }
          i++;
        }
      }
      if (i !== end) throw new InputError(`dedup: ${files[f]} changed while dedup ran (${end - first} documents at first, ${i - first} now)`);
    }
    const nearTail = reasonTail(JSON.stringify(near ? `minhash_lsh_v1 (${near.describe})` : ""));
    for (let i = first; i < end; i++) {
      const k = kind[i]!;
      counts.in++;
      const b = (bySource[bucketNames.name(bucketOf[i]!) || "(unreadable)"] ??= emptyCounts());
      b.in++;
      if (k === 3) {
        bump(counts.rejected, "invalid_record");
        bump(b.rejected, "invalid_record");
        await writeDecision(dec, docIds[i]!, "rejected", null, null, reasonTail(JSON.stringify(badLines.get(i))));
      } else if (k === 0) {
        counts.kept++;
        b.kept++;
        await writeDecision(dec, docIds[i]!, "kept", null, null, UNIQUE_TAIL);
      } else {
        const target = resolveRoot(state, i);
        const reason = k === 1 ? "exact_dup" : "near_dup";
        bump(counts.dropped, reason);
        bump(b.dropped, reason);
        await writeDecision(dec, docIds[i]!, reason, docIds[target]!, k === 1 ? 1 : roundSim(similarity[i]!), k === 1 ? EXACT_TAIL : nearTail);
      }
    }
  };

  const firstOf: number[] = []; // position of each shard's first item
  try {
    try {
      // Pass 1: ids, exact keys; shards are read in parallel and taken in order.
      const perSource = o.scope === "per-source";
      const withKeys = o.mode !== "near";
      if (signRequest) mkdirSync(workDir, { recursive: true });
      const sign = (f: number) => (signRequest ? signRequest(o.near, workDir, `pass1-${f}`) : null);
      const facts = files.map((file, f) => (workers ? workers.run<ShardFacts>({ kind: "dedup-facts", file, perSource, withKeys, sign: sign(f) }) : null));
      // Hashed while the workers read (with no workers, before: the loop below reads in this thread).
      for (const f of files) inputs.push(await sha256File(f));
      const firstByKey = new Map<string, number>();
      const progress = new Progress(`dedup (${o.mode}) pass 1`);
      for (let f = 0; f < files.length; f++) {
        const shard = await (facts[f] ?? shardFacts(files[f]!, perSource, withKeys, sign(f)));
        firstOf.push(docIds.length);
        const positions: number[] = [];
        if (shard.signed) signedShards.push({ signed: shard.signed, positions });
        for (const item of shard.items) {
          const idx = docIds.length;
          state.push(-1);
          kind.push(0);
          similarity.push(Number.NaN);
          if ("bad" in item) {
            badLines.set(idx, `${item.location}: ${item.bad}`);
            docIds.push(item.location);
            groupOf.push(groupNames.id(""));
            bucketOf.push(bucketNames.id(""));
            kind[idx] = 3;
            continue;
          }
          docIds.push(item.docId);
          groupOf.push(groupNames.id(item.group));
          bucketOf.push(bucketNames.id(item.bucket));
          positions.push(idx);
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
        if (o.mode === "exact") await writeShard(f);
      }
      progress.done();
    } finally {
      workers?.close();
    }

    if (backend !== null) {
      const { runNear } = await import("./dedup-near.ts");
      const input: NearInput = signInPass1 ? { kind: "signed", shards: signedShards } : { kind: "read", files };
      near = await runNear(input, Uint8Array.from(kind), docIds, groupOf.map((g) => groupNames.name(g)), o.near, backend, workDir);
      rmSync(workDir, { recursive: true, force: true });
      for (let i = 0; i < docIds.length; i++) {
        const t = near.dupOf[i]!;
        if (t >= 0) {
          state[i] = t;
          kind[i] = 2;
          similarity[i] = near.similarity[i]!;
        }
      }
      for (let f = 0; f < files.length; f++) await writeShard(f);
    }
    await out?.finish();
    await dec.finish();
  } catch (e) {
    await out?.abort();
    await dec.abort();
    rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
  if (counts.in !== docIds.length || !countsAddUp(counts)) throw new Error("dedup: internal error: counts do not add up");
  const manifestPath = join(o.outDir, DEDUP_MANIFEST);
  writeJsonAtomic(manifestPath, {
    kind: "gamma.dedup/v1",
    stage: "dedup",
    gamma_version: GAMMA_VERSION,
    created_at: createdAt(),
    params: { mode: o.mode, scope: o.scope, decisions_only: o.decisionsOnly === true, ...(o.mode === "exact" ? {} : { near: o.near.describe() }) },
    inputs,
    outputs: {
      ...(out ? { deduped: { ...out.digest(), path: "deduped.jsonl.zst" } } : {}),
      decisions: { ...dec.digest(), path: "decisions.jsonl.zst" },
    },
    counts: sortedCounts(counts),
    by_source: Object.fromEntries(Object.entries(bySource).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortedCounts(v)])),
    ...(near ? { near: untimed(near.stats) } : {}),
  });
  // Timings differ from run to run: beside the manifest, never in it (later stages hash it).
  if (near) writeJsonAtomic(join(o.outDir, DEDUP_TIMINGS), { kernelMs: near.stats.kernelMs, phaseMs: near.stats.phaseMs });
  info(`dedup: ${counts.in} docs in, ${counts.kept} kept, ${counts.dropped.exact_dup ?? 0} exact duplicates, ${counts.dropped.near_dup ?? 0} near duplicates -> ${o.outDir}`);
  return { counts, manifestPath };
}

/** Near dedup's kernel and phase times of the last run, in milliseconds. */
export const DEDUP_TIMINGS = "dedup.timings.json";

function untimed<T extends { kernelMs: number; phaseMs: unknown }>(stats: T): Omit<T, "kernelMs" | "phaseMs"> {
  const { kernelMs: _k, phaseMs: _p, ...rest } = stats;
  return rest;
}

const DECISION_HEAD = '{"doc_id":';

/** What follows the similarity in a decisions line: the reason (JSON text; undefined: no key) and the end. */
export function reasonTail(reason: string | undefined): string {
  return reason === undefined ? "}\n" : `,"reason":${reason}}\n`;
}

const UNIQUE_TAIL = reasonTail(JSON.stringify("unique"));
const EXACT_TAIL = reasonTail(JSON.stringify("exact_hash_v1 (whitespace-collapsed, lower-cased text, sha256)"));
/** `,"decision":"<decision>","dup_of":` for each decision, made once. */
const DECISION_MIDDLE = new Map(["kept", "exact_dup", "near_dup", "rejected"].map((d) => [d, `,"decision":${JSON.stringify(d)},"dup_of":`]));

/** A decisions line: JSON.stringify({doc_id, decision, dup_of, similarity, reason}) + "\n" (the definition writeDecision follows). */
export function decisionLine(docId: string, decision: string, dupOf: string | null, similarity: number | null, reason: string | undefined): string {
  return JSON.stringify({ doc_id: docId, decision, dup_of: dupOf, similarity, reason }) + "\n";
}

/**
 * Appends decisionLine(docId, decision, dupOf, similarity, reason) with `tail` = reasonTail(reason),
 * piece by piece into the writer's buffer: no line string, only the JSON of the ids and of the
 * similarity (a million lines made as strings were ~0.7 GB of RSS before they were collected).
 */
export async function writeDecision(out: ZstdTextWriter, docId: string, decision: string, dupOf: string | null, similarity: number | null, tail: string): Promise<void> {
  const id = JSON.stringify(docId);
  const middle = DECISION_MIDDLE.get(decision) ?? `,"decision":${JSON.stringify(decision)},"dup_of":`;
  const dup = dupOf === null ? "null" : JSON.stringify(dupOf);
  const sim = JSON.stringify(similarity);
  const most = DECISION_HEAD.length + 3 * (id.length + middle.length + dup.length + tail.length) + 14 + sim.length;
  if (most > ZstdTextWriter.BUFFER_BYTES) return out.write(`${DECISION_HEAD}${id}${middle}${dup},"similarity":${sim}${tail}`);
  await out.writeWith(most, (buf, at) => {
    at += buf.write(DECISION_HEAD, at, "latin1");
    at += buf.write(id, at, "utf8");
    at += buf.write(middle, at, "utf8");
    at += buf.write(dup, at, "utf8");
    at += buf.write(',"similarity":', at, "latin1");
    at += buf.write(sim, at, "latin1");
    return at + buf.write(tail, at, "utf8");
  });
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
