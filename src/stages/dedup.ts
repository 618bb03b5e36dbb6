/**
 * `gamma dedup`: exact (hash of whitespace-collapsed, lower-cased text),
 * near (MinHash LSH on WebGPU or its CPU twin), or both (exact first, then
 * near among the survivors). Two passes over the input: the first decides,
 * the second writes deduped.jsonl.zst (kept docs in input order) and
 * decisions.jsonl.zst (one line per input doc, same order).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readDocBatches } from "../io/doc-reader.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File, type FileDigest } from "../io/hash.ts";
import { createdAt } from "../io/timestamp.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";
import { info, Progress } from "../log.ts";
import { bump, countsAddUp, emptyCounts, sortedCounts, type StageCounts } from "../pipeline.ts";
import { GAMMA_VERSION } from "../version.ts";
import type { NearSettings, NearOutcome } from "./dedup-near.ts";

export type DedupMode = "exact" | "near" | "both";

export interface DedupOptions {
  inputs: string[];
  outDir: string;
  mode: DedupMode;
  scope: "global" | "per-source";
  near: NearSettings;
}

export const DEDUP_MANIFEST = "dedup.manifest.json";

/** The exact-duplicate key: whitespace runs collapsed to one space, trimmed, lower-cased. */
export function exactKey(text: string): string {
  const folded = text.replace(/\s+/gu, " ").trim().toLowerCase();
  return new Bun.CryptoHasher("sha256").update(folded).digest("base64").slice(0, 22);
}

interface DocInfo {
  docId: string;
  group: string;
  bucket: string;
}

export async function runDedup(o: DedupOptions): Promise<{ counts: StageCounts; manifestPath: string }> {
  const files = expandInputs(o.inputs, { what: "normalized shards" });
  mkdirSync(o.outDir, { recursive: true });
  const inputs: FileDigest[] = [];
  for (const f of files) inputs.push(await sha256File(f));

  // Pass 1: ids, exact keys.
  const infos: DocInfo[] = [];
  const badLines = new Map<number, string>();
  const firstByKey = new Map<string, number>();
  const exactDup: number[] = [];
  const exactOf: number[] = [];
  const progress = new Progress(`dedup (${o.mode}) pass 1`);
  let n = 0;
  for await (const batch of readDocBatches(files)) {
    let bytes = 0;
    for (const item of batch) {
      const idx = n++;
      if ("bad" in item) {
        badLines.set(idx, `${item.location}: ${item.bad}`);
        infos.push({ docId: `${item.location}`, group: "", bucket: "" });
        continue;
      }
      const d = item.doc;
      bytes += d.text.length;
      const group = o.scope === "per-source" ? d.source : "";
      infos.push({ docId: d.doc_id, group, bucket: `${d.source}/${d.domain}` });
      if (o.mode !== "near") {
        const key = `${group}\u0000${exactKey(d.text)}`;
        const first = firstByKey.get(key);
        if (first === undefined) firstByKey.set(key, idx);
        else {
          exactDup.push(idx);
          exactOf.push(first);
        }
      }
    }
    progress.add(batch.length, bytes);
  }
  progress.done();
  firstByKey.clear();

  const state = new Int32Array(n).fill(-1); // -1 kept, else index of the doc it duplicates
  const kind = new Uint8Array(n); // 0 kept, 1 exact, 2 near, 3 rejected
  const similarity = new Float32Array(n).fill(Number.NaN);
  for (let i = 0; i < exactDup.length; i++) {
    state[exactDup[i]!] = exactOf[i]!;
    kind[exactDup[i]!] = 1;
    similarity[exactDup[i]!] = 1;
  }
  for (const idx of badLines.keys()) kind[idx] = 3;

  let near: NearOutcome | null = null;
  if (o.mode !== "exact") {
    const workDir = join(o.outDir, ".near-work");
    const { runNear } = await import("./dedup-near.ts");
    near = await runNear(files, kind, infos.map((i) => i.group), o.near, workDir);
    rmSync(workDir, { recursive: true, force: true });
    for (let i = 0; i < n; i++) {
      const t = near.dupOf[i]!;
      if (t >= 0) {
        state[i] = t;
        kind[i] = 2;
        similarity[i] = near.similarity[i]!;
      }
    }
  }

  // Pass 2: write kept docs and decisions, in input order.
  const dedupedPath = join(o.outDir, "deduped.jsonl.zst");
  const decisionsPath = join(o.outDir, "decisions.jsonl.zst");
  const out = new ZstdTextWriter(dedupedPath);
  const dec = new ZstdTextWriter(decisionsPath);
  const counts = emptyCounts();
  const bySource: Record<string, StageCounts> = {};
  const nearReason = near ? `minhash_lsh_v1 (${near.describe})` : "";
  try {
    let idx = 0;
    for await (const batch of readDocBatches(files)) {
      for (const item of batch) {
        const i = idx++;
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
          await out.write(item.line + "\n");
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
      }
    }
    await out.finish();
    await dec.finish();
  } catch (e) {
    await out.abort();
    await dec.abort();
    throw e;
  }
  if (!countsAddUp(counts)) throw new Error("dedup: internal error: counts do not add up");
  const manifestPath = join(o.outDir, DEDUP_MANIFEST);
  writeJsonAtomic(manifestPath, {
    kind: "gamma.dedup/v1",
    stage: "dedup",
    gamma_version: GAMMA_VERSION,
    created_at: createdAt(),
    params: { mode: o.mode, scope: o.scope, ...(o.mode === "exact" ? {} : { near: o.near.describe() }) },
    inputs,
    outputs: { deduped: await rel(dedupedPath), decisions: await rel(decisionsPath) },
    counts: sortedCounts(counts),
    by_source: Object.fromEntries(Object.entries(bySource).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortedCounts(v)])),
    ...(near ? { near: near.stats } : {}),
  });
  info(`dedup: ${counts.in} docs in, ${counts.kept} kept, ${counts.dropped.exact_dup ?? 0} exact duplicates, ${counts.dropped.near_dup ?? 0} near duplicates -> ${o.outDir}`);
  return { counts, manifestPath };
}

/** Follows dup_of links to the document that was kept. */
function resolveRoot(state: Int32Array, i: number): number {
  let t = state[i]!;
  let guard = 0;
  while (state[t]! >= 0 && guard++ < 1_000_000) t = state[t]!;
  return t;
}

function roundSim(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

async function rel(path: string): Promise<FileDigest> {
  const d = await sha256File(path);
  return { ...d, path: path.split("/").pop()! };
}

export function parseMode(v: string): DedupMode {
  if (v === "exact" || v === "near" || v === "both") return v;
  throw new ConfigError(`--mode must be exact, near or both, got ${JSON.stringify(v)}`);
}
