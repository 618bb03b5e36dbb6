/**
 * Bridges the dedup stage to the near-duplicate engine: hands it the documents
 * still in play (not exact duplicates, not rejected) and maps its answers back
 * to input positions. Exact duplicates go in as followers of their twin (the engine names the
 * document they end up dropped for, and measures their similarity to it). On the CPU the first pass has already signed every
 * document (src/near/shard-signer.ts) and the engine takes the signed shards;
 * on the GPU the engine reads the shards again and the kernel signs.
 */
import type { Backend, DeviceChoice } from "../gpu/device.ts";
import {
  nearDedup,
  nearDedupSigned,
  nearParams,
  type NearDoc,
  type NearOptions,
  type NearResult,
  type SignedRun,
} from "../near/near-dedup.ts";
import { signedRuns, type SignedShard, type SignRequest } from "../near/shard-signer.ts";
import { readDocBatches } from "../io/doc-reader.ts";
import type { MinHashParams } from "../kernels/minhash.ts";
import { Decision } from "../dedup/decisions.ts";

/** What the dedup command asks of the near engine; the backend is chosen from `device` at run time. */
export interface NearSettings
  extends Pick<
    NearOptions,
    "shingle" | "numPerm" | "threshold" | "bands" | "rows" | "seed" | "verify" | "selection" | "clusters" | "cpuThreads"
  > {
  device: DeviceChoice;
  adapterName?: string;
  describe(): Record<string, unknown>;
}

export interface NearOutcome {
  /** By input position: the kept document a near or exact duplicate is dropped for, else -1. */
  dupOf: Int32Array;
  /** Similarity to dupOf as verified (1 for an exact duplicate of a kept twin); NaN when kept. */
  similarity: Float32Array;
  /** The engine's figures, and whether dedup's first pass did the shingling and signing. */
  stats: NearResult["stats"] & { signedInFirstPass: boolean };
  describe: string;
}

/** What the first pass signs with (on the CPU backend), for shard `tag`'s files under `dir`. */
export function signRequest(s: NearSettings, dir: string, tag: string): SignRequest {
  const { spec, params } = nearParams(s);
  return { spec, params, sets: s.verify === "exact", dir, tag };
}

/** The documents for the engine: the shards to read again, or what the first pass signed. */
export type NearInput =
  | { kind: "read"; files: string[] }
  /**
   * Per shard in input order: its signing and the input position of each of its documents.
   * `keepFiles`: the signing files stay for a later run (a merge's work folder), else each
   * shard's signatures and band keys are removed once read.
   */
  | { kind: "signed"; shards: { signed: SignedShard; positions: number[] }[]; keepFiles?: boolean };

export interface NearRun {
  input: NearInput;
  /**
   * Per input position: Decision.Kept documents go in, Decision.ExactDup ones as followers of
   * `twin[i]` (an input position); the others stay out.
   */
  decision: ArrayLike<number>;
  twin: ArrayLike<number>;
  docIds: readonly string[];
  /** Scope group of an input position. */
  group: (i: number) => string;
  settings: NearSettings;
  backend: Backend;
  workDir: string;
}

/** Runs the near engine on the documents still in play and maps its answers back to input positions. */
export async function runNear(run: NearRun): Promise<NearOutcome> {
  const { input, decision, twin, docIds, group, settings: s, backend, workDir } = run;
  const inPlay = (i: number) => decision[i] === Decision.Kept || decision[i] === Decision.ExactDup;
  // Engine index -> input position, and back.
  const local: number[] = [];
  const engineIndex = new Int32Array(decision.length).fill(-1);
  const enter = (i: number): number => {
    engineIndex[i] = local.length;
    return local.push(i) - 1;
  };
  const twinIndex = (i: number): number => (decision[i] === Decision.ExactDup ? engineIndex[twin[i]!]! : -1);
  async function* docs(files: string[]): AsyncGenerator<NearDoc> {
    let idx = 0;
    for await (const batch of readDocBatches(files)) {
      for (const item of batch) {
        const i = idx++;
        if (!inPlay(i) || "bad" in item) continue;
        const index = enter(i);
        yield { index, docId: item.doc.doc_id, text: item.doc.text, group: group(i), twin: twinIndex(i) };
      }
    }
  }
  function* runs(shards: { signed: SignedShard; positions: number[] }[], params: MinHashParams, removeRead: boolean): Generator<SignedRun> {
    for (const { signed, positions } of shards) {
      const keep = (j: number) => {
        const i = positions[j]!;
        if (!inPlay(i)) return false;
        enter(i);
        return true;
      };
      const twinOf = (j: number) => twinIndex(positions[j]!);
      yield* signedRuns(
        signed,
        params,
        keep,
        (j) => docIds[positions[j]!]!,
        (j) => group(positions[j]!),
        twinOf,
        removeRead,
      );
    }
  }
  const options: NearOptions = {
    shingle: s.shingle,
    numPerm: s.numPerm,
    threshold: s.threshold,
    bands: s.bands,
    rows: s.rows,
    seed: s.seed,
    verify: s.verify,
    selection: s.selection,
    clusters: s.clusters,
    backend,
    cpuThreads: s.cpuThreads,
    workDir,
  };
  const r =
    input.kind === "read"
      ? await nearDedup(docs(input.files), options)
      : await nearDedupSigned(runs(input.shards, nearParams(s).params, input.keepFiles !== true), options);
  const n = decision.length;
  const dupOf = new Int32Array(n).fill(-1);
  const similarity = new Float32Array(n).fill(Number.NaN);
  for (let j = 0; j < r.nDocs; j++) {
    const t = r.dupOf[j]!;
    if (t >= 0) {
      dupOf[local[j]!] = local[t]!;
      similarity[local[j]!] = r.similarity[j]!;
    }
  }
  return {
    dupOf,
    similarity,
    stats: { ...r.stats, signedInFirstPass: input.kind === "signed" },
    describe: `${s.shingle} shingles, ${s.numPerm} permutations, ${r.stats.bands}x${r.stats.rows} bands, threshold ${s.threshold}, verify ${s.verify}, clusters ${s.clusters}`,
  };
}

/**
 * The engine's figures split in two: what the same inputs and flags reproduce (for the manifest)
 * and what depends on the machine, its load or the thread count (for dedup.stats.json).
 */
export function splitNearStats(stats: NearOutcome["stats"]): { reproducible: Record<string, unknown>; machine: Record<string, unknown> } {
  const { backend, bands, rows, candidates, verifiedPairs, ...machine } = stats;
  return { reproducible: { backend, bands, rows, candidates, verifiedPairs }, machine };
}
