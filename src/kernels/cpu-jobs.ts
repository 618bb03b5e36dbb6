/**
 * The jobs a CPU worker runs, as plain functions: cpu-worker.ts calls them on a worker thread and
 * CpuPool calls them in-thread when it has no workers. Same code either way, so results cannot
 * depend on the thread count.
 */
import { signDocs } from "./minhash-cpu-core.ts";
import { permutationConstants, type MinHashParams } from "./minhash.ts";
import { Shingler, type ShingleSpec } from "../near/shingle.ts";

export interface SignJob {
  kind: "minhash.sign";
  hashes: Uint32Array;
  offsets: Uint32Array;
  params: MinHashParams;
}
export interface SignResult {
  signatures: Uint32Array;
  bandKeys: Uint32Array;
}

export interface ShingleJob {
  kind: "near.shingle";
  texts: string[];
  spec: ShingleSpec;
  /** Also return each doc's sorted, de-duplicated hash set (for --verify exact). */
  sets: boolean;
}
export interface ShingleResult {
  hashes: Uint32Array;
  offsets: Uint32Array;
  setHashes?: Uint32Array;
  setOffsets?: Uint32Array;
}

export type Job = SignJob | ShingleJob;
export type JobResult<J extends Job> = J extends SignJob ? SignResult : ShingleResult;

let permCache: { key: string; perm: Uint32Array } | null = null;

export function runSign(job: SignJob): SignResult {
  const { params, hashes, offsets } = job;
  const key = `${params.seed}/${params.numPerm}`;
  if (permCache?.key !== key) permCache = { key, perm: permutationConstants(params.seed, params.numPerm) };
  const nDocs = offsets.length - 1;
  const signatures = new Uint32Array(nDocs * params.numPerm);
  const bandKeys = new Uint32Array(nDocs * params.bands);
  signDocs(hashes, offsets, 0, nDocs, params, permCache.perm, signatures, bandKeys);
  return { signatures, bandKeys };
}

let shingler: Shingler | null = null;

export function runShingle(job: ShingleJob): ShingleResult {
  if (shingler === null || shingler.spec.kind !== job.spec.kind || shingler.spec.n !== job.spec.n) {
    shingler = new Shingler(job.spec);
  }
  const n = job.texts.length;
  const offsets = new Uint32Array(n + 1);
  let hashes: Uint32Array = new Uint32Array(1 << 14);
  let used = 0;
  const setOffsets = job.sets ? new Uint32Array(n + 1) : undefined;
  let setHashes: Uint32Array | undefined = job.sets ? new Uint32Array(1 << 14) : undefined;
  let setUsed = 0;
  for (let d = 0; d < n; d++) {
    const h = shingler.hashes(job.texts[d]);
    if (used + h.length > hashes.length) hashes = grow(hashes, used + h.length);
    hashes.set(h, used);
    used += h.length;
    offsets[d + 1] = used;
    if (setOffsets !== undefined) {
      const sorted = hashes.slice(used - h.length, used).sort();
      if (setUsed + sorted.length > setHashes!.length) setHashes = grow(setHashes!, setUsed + sorted.length);
      let last = -1;
      for (let i = 0; i < sorted.length; i++) {
        if (sorted[i] !== last) setHashes![setUsed++] = last = sorted[i];
      }
      setOffsets[d + 1] = setUsed;
    }
  }
  return {
    hashes: hashes.slice(0, used),
    offsets,
    setHashes: setHashes?.slice(0, setUsed),
    setOffsets,
  };
}

function grow(a: Uint32Array, need: number): Uint32Array {
  const b = new Uint32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

export function runJob(job: Job): SignResult | ShingleResult {
  return job.kind === "minhash.sign" ? runSign(job) : runShingle(job);
}

/** The ArrayBuffers of a result, to transfer rather than copy across threads. */
export function transferables(result: SignResult | ShingleResult): ArrayBuffer[] {
  return Object.values(result)
    .filter((v): v is Uint32Array => v instanceof Uint32Array)
    .map((v) => v.buffer as ArrayBuffer);
}
