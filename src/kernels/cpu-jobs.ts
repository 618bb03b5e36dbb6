/**
 * The jobs a CPU worker runs, as plain functions: cpu-worker.ts calls them on a worker thread and
 * CpuPool calls them in-thread when it has no workers. Same code either way, so results cannot
 * depend on the thread count.
 *
 *  - minhash.sign: a CSR batch of shingle hashes -> signatures and band keys (the kernel API).
 *  - near.shingle: texts -> their shingle hashes as a CSR batch (for the GPU twin).
 *  - near.shingleSign: texts -> shingle counts, signatures and band keys in one pass per
 *    document, the hashes never leaving the thread (the CPU path of the near engine).
 * Both near jobs also return every document's shingle hashes when asked (--verify exact), as
 * they come: the exact verifier sorts the few documents it compares (src/near/verify.ts).
 */
import { signDocs, writeBandKeys } from "./minhash-cpu-core.ts";
import { permutationConstants, type MinHashParams } from "./minhash.ts";
import { nearWasm, wasmKernelsOn, type NearWasm } from "./near-wasm.ts";
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

/** Texts as one UTF-8 buffer (as TextEncoder writes them): text d is bytes[offsets[d], offsets[d+1]). */
export interface Utf8Texts {
  bytes: Uint8Array;
  offsets: Uint32Array;
}

/**
 * The texts of a near job: strings in-process; UTF-8 bytes for a worker, so that the hand-off is
 * a transfer (one encode on the sending side) instead of a structured clone of every string.
 */
export type Texts = string[] | Utf8Texts;

export function textCount(t: Texts): number {
  return Array.isArray(t) ? t.length : t.offsets.length - 1;
}

function hashesOf(sh: Shingler, t: Texts, d: number): Uint32Array {
  return Array.isArray(t) ? sh.hashes(t[d]) : sh.hashesUtf8(t.bytes, t.offsets[d], t.offsets[d + 1]);
}

export interface ShingleJob {
  kind: "near.shingle";
  texts: Texts;
  spec: ShingleSpec;
  /** Also return each doc's shingle hashes as a set file's rows (for --verify exact). */
  sets: boolean;
}
export interface ShingleResult {
  hashes: Uint32Array;
  offsets: Uint32Array;
  setHashes?: Uint32Array;
  setOffsets?: Uint32Array;
  /** Thread time spent shingling (wall clock on the worker, milliseconds). */
  ms?: { shingle: number };
}

export interface ShingleSignJob {
  kind: "near.shingleSign";
  texts: Texts;
  spec: ShingleSpec;
  params: MinHashParams;
  sets: boolean;
}
export interface ShingleSignResult extends SignResult {
  /** Shingles per document (duplicates counted). */
  counts: Uint32Array;
  setHashes?: Uint32Array;
  setOffsets?: Uint32Array;
  /** Thread time spent shingling and signing (wall clock on the worker, milliseconds). */
  ms: { shingle: number; sign: number };
}

export type Job = SignJob | ShingleJob | ShingleSignJob;
export type JobResult<J extends Job> = J extends SignJob ? SignResult : J extends ShingleJob ? ShingleResult : ShingleSignResult;

let permCache: { key: string; perm: Uint32Array } | null = null;

function perms(params: MinHashParams): Uint32Array {
  const key = `${params.seed}/${params.numPerm}`;
  if (permCache?.key !== key) permCache = { key, perm: permutationConstants(params.seed, params.numPerm) };
  return permCache.perm;
}

/** The thread's batch signer: undefined until first use, null when WebAssembly is unavailable. */
let batchSigner: NearWasm | null | undefined;

export function runSign(job: SignJob): SignResult {
  const { params, hashes, offsets } = job;
  const nDocs = offsets.length - 1;
  const signatures = new Uint32Array(nDocs * params.numPerm);
  const bandKeys = new Uint32Array(nDocs * params.bands);
  const signer = wasmKernelsOn() ? (batchSigner ??= nearWasm()) : null;
  if (signer === null) {
    signDocs(hashes, offsets, 0, nDocs, params, perms(params), signatures, bandKeys);
  } else {
    signer.signBatch(hashes, offsets, params, signatures);
    const mins = new Int32Array(signatures.buffer, signatures.byteOffset, signatures.length);
    for (let d = 0; d < nDocs; d++) writeBandKeys(mins, d * params.numPerm, params.bands, params.rows, bandKeys, d * params.bands);
  }
  return { signatures, bandKeys };
}

let shingler: { sh: Shingler; wasmOn: boolean } | null = null;

function shinglerFor(spec: ShingleSpec): Shingler {
  const on = wasmKernelsOn();
  if (shingler === null || shingler.sh.spec.kind !== spec.kind || shingler.sh.spec.n !== spec.n || shingler.wasmOn !== on) {
    shingler = { sh: new Shingler(spec), wasmOn: on };
  }
  return shingler.sh;
}

/**
 * Collects each document's shingle hashes for the exact verifier (CSR), unsorted and with their
 * duplicates: sorting every document would cost more than signing it, and the verifier only ever
 * compares the documents of candidate pairs (it sorts those; src/near/verify.ts).
 */
class SetCollector {
  offsets: Uint32Array;
  hashes: Uint32Array = new Uint32Array(1 << 14);
  used = 0;

  constructor(nDocs: number) {
    this.offsets = new Uint32Array(nDocs + 1);
  }

  add(d: number, h: Uint32Array): void {
    if (this.used + h.length > this.hashes.length) this.hashes = grow(this.hashes, this.used + h.length);
    this.hashes.set(h, this.used);
    this.used += h.length;
    this.offsets[d + 1] = this.used;
  }
}

export function runShingle(job: ShingleJob): ShingleResult {
  const t0 = performance.now();
  const sh = shinglerFor(job.spec);
  const n = textCount(job.texts);
  const offsets = new Uint32Array(n + 1);
  let hashes: Uint32Array = new Uint32Array(1 << 14);
  let used = 0;
  const sets = job.sets ? new SetCollector(n) : null;
  for (let d = 0; d < n; d++) {
    const h = hashesOf(sh, job.texts, d);
    if (used + h.length > hashes.length) hashes = grow(hashes, used + h.length);
    hashes.set(h, used);
    used += h.length;
    offsets[d + 1] = used;
    sets?.add(d, h);
  }
  return {
    hashes: hashes.slice(0, used),
    offsets,
    setHashes: sets?.hashes.slice(0, sets.used),
    setOffsets: sets?.offsets,
    ms: { shingle: performance.now() - t0 },
  };
}

/**
 * With `setSink` (an in-thread caller), each document's hashes go to it as they are made (a view,
 * valid during the call) instead of into the result's setHashes/setOffsets.
 */
export function runShingleSign(job: ShingleSignJob, setSink?: (hashes: Uint32Array) => void): ShingleSignResult {
  const sh = shinglerFor(job.spec);
  const { params, texts } = job;
  const K = params.numPerm;
  const B = params.bands;
  const n = textCount(texts);
  const counts = new Uint32Array(n);
  const sigBits = new Int32Array(n * K); // int32 bit patterns: copies from the kernel stay memcpy
  const bandKeys = new Uint32Array(n * B);
  const sets = job.sets && setSink === undefined ? new SetCollector(n) : null;
  const sink = job.sets ? setSink : undefined;
  const wasm = sh.wasm;
  const perm = perms(params);
  const one = new Uint32Array(2);
  const sigRow = new Uint32Array(K);
  const sigRowBits = new Int32Array(sigRow.buffer);
  let shingleMs = 0;
  let signMs = 0;
  let t0 = performance.now();
  for (let d = 0; d < n; d++) {
    const h = hashesOf(sh, texts, d);
    counts[d] = h.length;
    sets?.add(d, h);
    sink?.(h);
    const t1 = performance.now();
    shingleMs += t1 - t0;
    if (wasm !== null && (sh.inWasm || h.length === 0)) {
      const mins = wasm.signShingles(h.length, params);
      sigBits.set(mins, d * K);
      writeBandKeys(mins, 0, B, params.rows, bandKeys, d * B);
    } else {
      one[1] = h.length;
      signDocs(h, one, 0, 1, params, perm, sigRow, bandKeys.subarray(d * B, d * B + B));
      sigBits.set(sigRowBits, d * K);
    }
    t0 = performance.now();
    signMs += t0 - t1;
  }
  return {
    counts,
    signatures: new Uint32Array(sigBits.buffer),
    bandKeys,
    setHashes: sets?.hashes.slice(0, sets.used),
    setOffsets: sets?.offsets,
    ms: { shingle: shingleMs, sign: signMs },
  };
}

function grow(a: Uint32Array, need: number): Uint32Array {
  const b = new Uint32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

export function runJob(job: Job): SignResult | ShingleResult | ShingleSignResult {
  switch (job.kind) {
    case "minhash.sign":
      return runSign(job);
    case "near.shingle":
      return runShingle(job);
    case "near.shingleSign":
      return runShingleSign(job);
  }
}

/** The ArrayBuffers of a result, to transfer rather than copy across threads. */
export function transferables(result: SignResult | ShingleResult | ShingleSignResult): ArrayBuffer[] {
  return Object.values(result)
    .filter((v): v is Uint32Array => v instanceof Uint32Array)
    .map((v) => v.buffer as ArrayBuffer);
}
