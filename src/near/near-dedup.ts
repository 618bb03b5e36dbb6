/**
 * Near-duplicate detection: MinHash signatures + LSH bands + verification + union-find.
 *
 * 1. Sign: each document is shingled and signed once, in index order, and its signature and
 *    band keys are appended to files in a private work directory; per document only its length,
 *    doc_id, scope group and shingle count stay in memory. nearDedup streams texts: batches go
 *    to the CPU pool, two batches in flight: on the CPU path each worker shingles and signs its
 *    run in one pass (the CPU twin's near.shingleSign job), on the GPU path the workers shingle
 *    and the GPU twin signs. nearDedupSigned takes runs its caller signed with that same job
 *    (dedup's first pass, ./shard-signer.ts).
 * 2. Bands, one at a time: the band's keys (folded with the scope group) are radix-sorted; each
 *    bucket of equal keys gives candidate pairs (./candidates.ts). Candidates are verified in
 *    batches (./verify.ts).
 *    - greedy (--near-clusters greedy): every candidate pair is verified, in the first band its
 *      documents share (a later band skips a pair whose band keys met in an earlier band where
 *      their bucket was small enough for all its pairs); passing pairs are stored (./greedy.ts).
 *    - components: pairs already in one cluster are skipped; passing pairs are unioned.
 * 3. greedy: documents are visited in selection order and kept unless a kept document is a
 *    verified neighbour (./greedy.ts); a dropped one records that neighbour and the similarity
 *    verified. components: each cluster keeps one document (./select.ts); every other member
 *    records dup_of and its similarity to that kept document (same verifier).
 * 4. Followers (a document with `twin`, an exact duplicate of an earlier document) enter no band
 *    table: a follower's dup_of is its twin when the twin is kept, else the twin's kept document,
 *    with the similarity measured between the follower and that document.
 * Documents without shingles get the sentinel signature, enter no band table and are always kept.
 */
import { statSync } from "node:fs";
import { ConfigError, GammaError } from "../errors.ts";
import type { Backend } from "../gpu/device.ts";
import { CpuPool } from "../kernels/cpu-pool.ts";
import type { ShingleResult, Texts, Utf8Texts } from "../kernels/cpu-jobs.ts";
import { BusyClock } from "../kernels/busy-clock.ts";
import { CpuMinhash } from "../kernels/minhash.cpu.ts";
import { GpuMinhash, type GpuMinhashOptions } from "../kernels/minhash.gpu.ts";
import { MAX_NUM_PERM, validateParams, type MinHashKernel, type MinHashParams } from "../kernels/minhash.ts";
import { ALL_PAIRS_MAX, bucketPairs, buckets, scopedKey, sortByKey } from "./candidates.ts";
import { resolveBandsRows } from "./lsh-params.ts";
import { greedyKeep, PassingPairs } from "./greedy.ts";
import { prefer, selectKept, type Selection } from "./select.ts";
import { parseShingleSpec, type ShingleSpec } from "./shingle.ts";
import { UnionFind } from "./union-find.ts";
import { EstimateVerifier, ExactVerifier, type Verifier } from "./verify.ts";
import { AppendFile, Column, WorkDir, mapU32 } from "./work-files.ts";
import { Names } from "../util/names.ts";

export interface NearDoc {
  index: number;
  docId: string;
  text: string;
  group: string;
  /** Index of an earlier document this one is an exact duplicate of (a follower; see step 4). */
  twin?: number;
}

export type NearClusters = "greedy" | "components";

export interface NearOptions {
  shingle: string /* "word:5" */;
  numPerm: number;
  threshold: number;
  bands?: number;
  rows?: number;
  seed: number;
  verify: "estimate" | "exact";
  selection: Selection;
  /** greedy: keep unless a kept verified neighbour; components: one kept per connected component. */
  clusters: NearClusters;
  backend: Backend;
  cpuThreads: number;
  workDir: string;
  onProgress?: (docsDone: number) => void;
  /** Tuning for tests: small batches force many dispatches and verification rounds. */
  tuning?: Partial<NearTuning>;
}

export interface NearTuning {
  batchChars: number;
  batchDocs: number;
  pairBatch: number;
  gpu: GpuMinhashOptions;
  gatherRows: number;
}

const DEFAULT_TUNING: NearTuning = {
  batchChars: 1 << 22,
  batchDocs: 8192,
  pairBatch: 1 << 16,
  gpu: {},
  gatherRows: 1 << 17,
};

export interface NearStats {
  backend: "gpu" | "cpu";
  backendReason: string;
  bands: number;
  rows: number;
  /**
   * Candidate pairs verified (distinct within a band; greedy skips pairs emitted in an earlier
   * band, components pairs already in one cluster).
   */
  candidates: number;
  /** Candidate pairs whose similarity reached the threshold. */
  verifiedPairs: number;
  dispatches: number;
  bytesToGpu: number;
  bytesFromGpu: number;
  /**
   * Wall-clock milliseconds during which signing was in flight: the kernel's calls on the GPU,
   * the workers' shingle-and-sign jobs on the CPU (plus the CPU verifier's calls).
   */
  kernelMs: number;
  /** Where the engine's time went, in milliseconds (see NearPhaseMs). */
  phaseMs: NearPhaseMs;
}

/**
 * Thread time per phase, milliseconds. `shingle` and `sign` are summed over the worker threads
 * (measured inside their jobs; on the GPU `sign` is the kernel's busy wall time); `bands`
 * (building, sorting and scanning the band tables), `verify` (candidate pairs) and `select`
 * (kept documents and each removed document's similarity to its kept one) run on the calling
 * thread.
 */
export interface NearPhaseMs {
  shingle: number;
  sign: number;
  bands: number;
  verify: number;
  select: number;
}

export interface NearResult {
  nDocs: number;
  /** -1 = kept, else the index of the cluster's kept doc. */
  dupOf: Int32Array;
  /** Similarity (estimated or exact, per opts.verify) to dupOf; NaN when kept. */
  similarity: Float32Array;
  stats: NearStats;
}

/**
 * Documents already shingled and signed, in index order: what the streaming path makes of each
 * batch, and what a caller whose own workers sign (dedup's first pass) hands to nearDedupSigned.
 */
export interface SignedRun {
  docIds: string[];
  groups: string[];
  /** UTF-8 bytes of each text (--near-selection longest). */
  lengths: ArrayLike<number>;
  /** Shingles per document (duplicates counted). */
  counts: Uint32Array;
  /** Per document: the engine index of its exact twin (a follower), or -1. */
  twins?: Int32Array;
  /** Doc-major, numPerm per document (the kernel contract, ../kernels/minhash.ts). */
  signatures: Uint32Array;
  bandKeys: Uint32Array;
  /**
   * --verify exact: each document's shingle hashes (any order), either here (CSR; setOffsets has
   * n + 1 entries from 0) or in a file the caller keeps until the engine returns: document d's
   * are the u32 rows [start[d], start[d] + counts[d]) of setFile.path.
   */
  setHashes?: Uint32Array;
  setOffsets?: Uint32Array;
  setFile?: { path: string; start: Float64Array };
  /** Thread time the caller spent shingling and signing, for the phase figures. */
  ms?: { shingle: number; sign: number };
}

/** What the signing side of a run shares with the rest of the engine. */
interface Engine {
  spec: ShingleSpec;
  params: MinHashParams;
  exact: boolean;
  tuning: NearTuning;
  kernel: MinHashKernel & { maxSignatureRows: number };
  pool: CpuPool;
  phaseMs: NearPhaseMs;
  fusedClock: BusyClock;
}

/** Streams `docs` through shingling and signing (CPU workers or the GPU twin) and finds the near duplicates. */
export function nearDedup(docs: AsyncIterable<NearDoc>, opts: NearOptions): Promise<NearResult> {
  return runEngine(opts, (e) => signStream(docs, e));
}

/**
 * Finds the near duplicates among documents the caller has signed with the same shingle spec and
 * MinHash parameters (runShingleSign, src/kernels/cpu-jobs.ts); opts.backend only verifies.
 */
export function nearDedupSigned(runs: AsyncIterable<SignedRun> | Iterable<SignedRun>, opts: NearOptions): Promise<NearResult> {
  return runEngine(opts, () => runs);
}

/** The MinHash parameters of `opts`, validated (bands x rows chosen from the threshold unless given). */
export function nearParams(opts: Pick<NearOptions, "shingle" | "numPerm" | "threshold" | "bands" | "rows" | "seed">): {
  spec: ShingleSpec;
  params: MinHashParams;
} {
  const spec = parseShingleSpec(opts.shingle);
  if (!Number.isInteger(opts.numPerm) || opts.numPerm < 1 || opts.numPerm > MAX_NUM_PERM) {
    throw new ConfigError(`--num-perm must be an integer from 1 to ${MAX_NUM_PERM}, got ${opts.numPerm}`);
  }
  const lsh = resolveBandsRows(opts.threshold, opts.numPerm, opts.bands, opts.rows);
  const params: MinHashParams = { numPerm: opts.numPerm, seed: opts.seed, bands: lsh.bands, rows: lsh.rows };
  validateParams(params);
  return { spec, params };
}

async function runEngine(opts: NearOptions, source: (e: Engine) => AsyncIterable<SignedRun> | Iterable<SignedRun>): Promise<NearResult> {
  const tuning: NearTuning = { ...DEFAULT_TUNING, ...opts.tuning };
  const { spec, params } = nearParams(opts);
  const K = params.numPerm;
  const B = params.bands;
  const exact = opts.verify === "exact";
  if (opts.backend.kind === "gpu" && opts.backend.device === undefined) {
    throw new GammaError("device", "near dedup: the GPU backend came without a device (selectBackend() makes one)");
  }

  const phaseMs: NearPhaseMs = { shingle: 0, sign: 0, bands: 0, verify: 0, select: 0 };
  const fusedClock = new BusyClock();
  const pool = new CpuPool(opts.cpuThreads);
  const kernel: MinHashKernel & { maxSignatureRows: number } =
    opts.backend.kind === "gpu" ? new GpuMinhash(opts.backend.device!, params, tuning.gpu) : new CpuMinhash(params, pool);
  const work = WorkDir.create(opts.workDir);
  try {
    // ---- 1. signed runs -> files and per-document columns ----
    const sigFile = new AppendFile(work.file("signatures.u32"));
    const keyFile = new AppendFile(work.file("band-keys.u32"));
    const setFile = exact ? new AppendFile(work.file("shingle-sets.u32")) : null;
    // Where each document's set rows are: segment 0 is setFile, others are callers' files.
    const setSegments: string[] = [work.file("shingle-sets.u32")];
    const setSegment = new Column((n) => new Uint32Array(n));
    const setStart = new Column((n) => new Float64Array(n));
    let setFileRows = 0;
    const lengths = new Column((n) => new Float64Array(n));
    const counts = new Column((n) => new Uint32Array(n));
    const groupOf = new Column((n) => new Uint32Array(n));
    const twinOf = new Column((n) => new Int32Array(n));
    const docIds: string[] = [];
    const groupIds = new Names();

    const store = (s: SignedRun): void => {
      const c = s.counts;
      const m = c.length;
      if (
        s.docIds.length !== m ||
        s.groups.length !== m ||
        s.lengths.length !== m ||
        s.signatures.length !== m * K ||
        s.bandKeys.length !== m * B
      ) {
        throw new GammaError("near", `near dedup: a signed run of ${m} documents came with mismatched columns`);
      }
      if (exact && s.setFile === undefined && (s.setHashes === undefined || s.setOffsets === undefined)) {
        throw new GammaError("near", "near dedup: --verify exact needs every signed run's shingle sets");
      }
      sigFile.append(s.signatures);
      keyFile.append(s.bandKeys);
      for (let d = 0; d < m; d++) {
        docIds.push(s.docIds[d]);
        lengths.push(s.lengths[d]);
        counts.push(c[d]);
        groupOf.push(groupIds.id(s.groups[d]));
        const t = s.twins?.[d] ?? -1;
        if (t >= docIds.length - 1)
          throw new GammaError("near", `near dedup: document ${docIds.length - 1}'s exact twin ${t} does not come before it`);
        twinOf.push(t);
      }
      if (setFile !== null && s.setFile !== undefined) {
        let seg = setSegments.indexOf(s.setFile.path);
        if (seg < 0) seg = setSegments.push(s.setFile.path) - 1;
        for (let d = 0; d < m; d++) {
          setSegment.push(seg);
          setStart.push(s.setFile.start[d]);
        }
      } else if (setFile !== null) {
        setFile.append(s.setHashes!);
        const so = s.setOffsets!;
        for (let d = 0; d < m; d++) {
          if (so[d + 1] - so[d] !== c[d]) throw new GammaError("near", "near dedup: a document's shingle set and its shingle count differ");
          setSegment.push(0);
          setStart.push(setFileRows + so[d]);
        }
        setFileRows += so[m];
      }
      if (s.ms) {
        phaseMs.shingle += s.ms.shingle;
        phaseMs.sign += s.ms.sign;
      }
      opts.onProgress?.(counts.length);
    };
    try {
      for await (const run of source({ spec, params, exact, tuning, kernel, pool, phaseMs, fusedClock })) store(run);
    } finally {
      sigFile.close();
      keyFile.close();
      setFile?.close();
    }
    const n = docIds.length;

    // ---- 2. bands -> candidates -> verification -> clusters ----
    const sigs = mapU32(sigFile.path, sigFile.size);
    const keys = mapU32(keyFile.path, keyFile.size);
    const verifier: Verifier = exact
      ? new ExactVerifier(
          setSegments.map((p, i) => (i === 0 ? mapU32(p, setFile!.size) : mapU32(p, statSync(p).size))),
          setSegment.view(),
          setStart.view(),
          counts.view(),
        )
      : new EstimateVerifier(kernel, sigs, K, Math.min(kernel.maxSignatureRows, tuning.gatherRows));
    const greedy = opts.clusters === "greedy";
    const uf = greedy ? null : new UnionFind(n);
    const passing = greedy ? new PassingPairs() : null;
    // Greedy: one bit per (document, band), set when the document sat in a large bucket of that
    // band (whose pairs were only the star, chain and hub), so a pair that met there may be new later.
    const large = greedy ? new Uint8Array(Math.ceil((n * B) / 8)) : null;
    let band = 0;
    /** Whether pair (i, j) was emitted in a band before the current one (greedy). */
    const metEarlier = (i: number, j: number): boolean => {
      for (let b = 0; b < band; b++) {
        const k = i * B + b;
        if (keys[k] === keys[j * B + b] && ((large![k >>> 3] >>> (k & 7)) & 1) === 0) return true;
      }
      return false;
    };
    const shingleCounts = counts.view();
    const twins = twinOf.view();
    const groups = groupIds.size > 1 ? groupOf.view() : null;
    const inBands = (d: number) => shingleCounts[d] > 0 && twins[d] < 0;
    let nEligible = 0;
    for (let d = 0; d < n; d++) if (inBands(d)) nEligible++;
    const eligible = new Uint32Array(nEligible);
    for (let d = 0, i = 0; d < n; d++) if (inBands(d)) eligible[i++] = d;
    const docLengths = lengths.view();
    let candidates = 0;
    let verifiedPairs = 0;

    let pairs = new Uint32Array(2 * Math.max(16, tuning.pairBatch));
    let nPairs = 0;
    const emit = (i: number, j: number): void => {
      if (uf !== null ? uf.find(i) === uf.find(j) : metEarlier(i, j)) return;
      if (2 * nPairs + 2 > pairs.length) {
        const bigger = new Uint32Array(pairs.length * 2);
        bigger.set(pairs);
        pairs = bigger;
      }
      pairs[2 * nPairs] = i;
      pairs[2 * nPairs + 1] = j;
      nPairs++;
    };
    const verifyPending = async (): Promise<void> => {
      if (nPairs === 0) return;
      const batch = pairs.subarray(0, 2 * nPairs);
      const t0 = performance.now();
      const sims = await verifier.similarities(batch);
      phaseMs.verify += performance.now() - t0;
      candidates += nPairs;
      for (let p = 0; p < nPairs; p++) {
        if (sims[p] >= opts.threshold) {
          verifiedPairs++;
          if (uf !== null) uf.union(batch[2 * p], batch[2 * p + 1]);
          else passing!.add(batch[2 * p], batch[2 * p + 1]);
        }
      }
      nPairs = 0;
    };

    const bandsStart = performance.now();
    const verifyBefore = phaseMs.verify;
    const bandKeys = new Uint32Array(eligible.length);
    const bandDocs = new Uint32Array(eligible.length);
    for (band = 0; band < B; band++) {
      for (let i = 0; i < eligible.length; i++) {
        const d = eligible[i];
        bandKeys[i] = scopedKey(keys[d * B + band], groups === null ? 0 : groups[d]);
        bandDocs[i] = d;
      }
      sortByKey(bandKeys, bandDocs);
      for (const members of buckets(bandKeys, bandDocs, groups)) {
        if (large !== null && members.length > ALL_PAIRS_MAX) {
          for (const d of members) large[(d * B + band) >>> 3] |= 1 << ((d * B + band) & 7);
        }
        bucketPairs(members, emit, greedy && members.length > ALL_PAIRS_MAX ? hubOf(members, opts.selection, docLengths, docIds) : 0);
        if (nPairs >= tuning.pairBatch) await verifyPending();
      }
      await verifyPending();
    }
    phaseMs.bands += performance.now() - bandsStart - (phaseMs.verify - verifyBefore);

    // ---- 3. kept documents; each dropped one's kept document and similarity to it ----
    const selectStart = performance.now();
    let dupOf: Int32Array;
    let similarity: Float32Array;
    const measure = async (docs: number[], target: (d: number) => number, into: Float32Array): Promise<void> => {
      for (let s = 0; s < docs.length; s += tuning.pairBatch) {
        const chunk = docs.slice(s, s + tuning.pairBatch);
        const q = new Uint32Array(2 * chunk.length);
        chunk.forEach((d, i) => {
          q[2 * i] = Math.min(d, target(d));
          q[2 * i + 1] = Math.max(d, target(d));
        });
        const sims = await verifier.similarities(q);
        chunk.forEach((d, i) => (into[d] = sims[i]));
      }
    };
    if (passing !== null) {
      ({ dupOf, similarity } = await greedyKeep(
        n,
        passing,
        opts.selection,
        docLengths,
        docIds,
        (q) => verifier.similarities(q),
        tuning.pairBatch,
      ));
      // The pairs and the visit's lists (hundreds of MB at a million documents) are garbage now:
      // collect them before dedup's last pass allocates its own buffers, not after.
      Bun.gc(true);
    } else {
      dupOf = selectKept(uf!, n, opts.selection, docLengths, docIds);
      similarity = new Float32Array(n).fill(Number.NaN);
      const dups: number[] = [];
      for (let d = 0; d < n; d++) if (dupOf[d] >= 0 && twins[d] < 0) dups.push(d);
      await measure(dups, (d) => dupOf[d], similarity);
    }
    // ---- 4. followers ----
    const moved: number[] = [];
    for (let d = 0; d < n; d++) {
      const t = twins[d];
      if (t < 0) continue;
      if (dupOf[t] < 0) {
        dupOf[d] = t;
        similarity[d] = 1;
      } else {
        dupOf[d] = dupOf[t];
        moved.push(d);
      }
    }
    await measure(moved, (d) => dupOf[d], similarity);
    phaseMs.select += performance.now() - selectStart;

    const ks = kernel.stats();
    return {
      nDocs: n,
      dupOf,
      similarity,
      stats: {
        backend: kernel.kind,
        backendReason: opts.backend.reason,
        bands: B,
        rows: params.rows,
        candidates,
        verifiedPairs,
        dispatches: ks.dispatches,
        bytesToGpu: ks.bytesToGpu,
        bytesFromGpu: ks.bytesFromGpu,
        kernelMs: ks.kernelMs + fusedClock.ms,
        phaseMs: {
          shingle: Math.round(phaseMs.shingle),
          sign: Math.round(kernel.kind === "gpu" ? ks.kernelMs : phaseMs.sign),
          bands: Math.round(phaseMs.bands),
          verify: Math.round(phaseMs.verify),
          select: Math.round(phaseMs.select),
        },
      },
    };
  } finally {
    await kernel.dispose();
    pool.dispose();
    work.remove();
  }
}

/**
 * The streaming path's signing: batches of documents go to the CPU pool, two batches in flight.
 * CPU: each worker shingles and signs its run of the batch in one pass (the hashes never leave
 * it). GPU: the workers shingle, the kernel signs the whole batch. Workers get their texts as
 * UTF-8 bytes (transferred), the in-process pool the strings.
 */
async function* signStream(docs: AsyncIterable<NearDoc>, e: Engine): AsyncGenerator<SignedRun> {
  const { spec, params, exact, tuning, kernel, pool, phaseMs, fusedClock } = e;
  const partTexts = (texts: string[], utf8Lengths: number[], a: number, b: number): [Texts, ArrayBuffer[]] => {
    if (pool.inProcess) return [texts.slice(a, b), []];
    const t = encodeTexts(texts, utf8Lengths, a, b);
    return [t, [t.bytes.buffer as ArrayBuffer, t.offsets.buffer as ArrayBuffer]];
  };
  const signBatch = async (b: Batch): Promise<SignedRun[]> => {
    const parts = cutTexts(b.texts, pool.width);
    const meta = ([a, z]: [number, number]) => ({
      docIds: b.docIds.slice(a, z),
      groups: b.groups.slice(a, z),
      lengths: b.lengths.slice(a, z),
      twins: Int32Array.from(b.twins.slice(a, z)),
    });
    if (kernel.kind === "cpu") {
      const runs = await fusedClock.time(() =>
        Promise.all(
          parts.map(([a, z], lane) => {
            const [t, transfer] = partTexts(b.texts, b.lengths, a, z);
            return pool.run({ kind: "near.shingleSign", texts: t, spec, params, sets: exact }, lane, transfer);
          }),
        ),
      );
      return runs.map((r, i) => ({ ...meta(parts[i]), ...r }));
    }
    const shingled = await Promise.all(
      parts.map(([a, z], lane) => {
        const [t, transfer] = partTexts(b.texts, b.lengths, a, z);
        return pool.run({ kind: "near.shingle", texts: t, spec, sets: exact }, lane, transfer);
      }),
    );
    for (const r of shingled) phaseMs.shingle += r.ms?.shingle ?? 0;
    const n = b.texts.length;
    const shingles = concatShingles(shingled, n, exact);
    const out = await kernel.sign({ hashes: shingles.hashes, offsets: shingles.offsets });
    const off = shingles.offsets;
    const docCounts = new Uint32Array(n);
    for (let d = 0; d < n; d++) docCounts[d] = off[d + 1] - off[d];
    return [{ ...meta([0, n]), counts: docCounts, ...out, setHashes: shingles.setHashes, setOffsets: shingles.setOffsets }];
  };

  interface Batch {
    texts: string[];
    lengths: number[];
    docIds: string[];
    groups: string[];
    twins: number[];
    chars: number;
  }
  const fresh = (): Batch => ({ texts: [], lengths: [], docIds: [], groups: [], twins: [], chars: 0 });
  const inflight: Promise<SignedRun[]>[] = [];
  let batch = fresh();
  let next = 0;
  const launch = (): void => {
    if (batch.texts.length === 0) return;
    const p = signBatch(batch);
    p.catch(() => undefined); // rejections surface when awaited in order, not as unhandled
    inflight.push(p);
    batch = fresh();
  };
  try {
    for await (const doc of docs) {
      if (doc.index !== next) {
        throw new GammaError(
          "near",
          `near dedup: documents must arrive with index 0, 1, 2, ...; got index ${doc.index} at position ${next}`,
        );
      }
      next++;
      batch.docIds.push(doc.docId);
      batch.groups.push(doc.group);
      batch.twins.push(doc.twin ?? -1);
      batch.lengths.push(Buffer.byteLength(doc.text, "utf8"));
      batch.texts.push(doc.text);
      batch.chars += doc.text.length;
      if (batch.chars >= tuning.batchChars || batch.texts.length >= tuning.batchDocs) {
        launch();
        while (inflight.length >= 2) yield* await inflight.shift()!;
      }
    }
    launch();
    while (inflight.length > 0) yield* await inflight.shift()!;
  } finally {
    await Promise.allSettled(inflight);
  }
}

const encoder = new TextEncoder();

/** Texts [a, b) as one UTF-8 buffer; `utf8Lengths[i]` is the byte length of texts[i]. */
function encodeTexts(texts: string[], utf8Lengths: number[], a: number, b: number): Utf8Texts {
  const offsets = new Uint32Array(b - a + 1);
  for (let i = a; i < b; i++) offsets[i - a + 1] = offsets[i - a] + utf8Lengths[i];
  const bytes = new Uint8Array(offsets[b - a]);
  for (let i = a; i < b; i++) {
    const written = encoder.encodeInto(texts[i], bytes.subarray(offsets[i - a], offsets[i - a + 1])).written;
    if (written !== utf8Lengths[i])
      throw new GammaError("near", `near dedup: text ${i} encoded to ${written} UTF-8 bytes, expected ${utf8Lengths[i]}`);
  }
  return { bytes, offsets };
}

/** [start, end) text ranges, at most one per lane, of about equal length. */
function cutTexts(texts: string[], parts: number): [number, number][] {
  let total = 0;
  for (const t of texts) total += t.length + 1;
  const out: [number, number][] = [];
  let i = 0;
  let acc = 0;
  for (let p = 1; p <= parts && i < texts.length; p++) {
    const target = p === parts ? Number.POSITIVE_INFINITY : (total * p) / parts;
    const start = i;
    do {
      acc += texts[i].length + 1;
      i++;
    } while (i < texts.length && acc < target);
    out.push([start, i]);
  }
  return out;
}

function concatShingles(parts: ShingleResult[], nDocs: number, sets: boolean): ShingleResult {
  if (parts.length === 1) return parts[0];
  let total = 0;
  let setTotal = 0;
  for (const p of parts) {
    total += p.hashes.length;
    setTotal += p.setHashes?.length ?? 0;
  }
  const hashes = new Uint32Array(total);
  const offsets = new Uint32Array(nDocs + 1);
  const setHashes = sets ? new Uint32Array(setTotal) : undefined;
  const setOffsets = sets ? new Uint32Array(nDocs + 1) : undefined;
  let d = 0;
  let h = 0;
  let sh = 0;
  for (const p of parts) {
    const m = p.offsets.length - 1;
    hashes.set(p.hashes, h);
    for (let i = 1; i <= m; i++) offsets[d + i] = h + p.offsets[i];
    if (sets) {
      setHashes!.set(p.setHashes!, sh);
      for (let i = 1; i <= m; i++) setOffsets![d + i] = sh + p.setOffsets![i];
      sh += p.setHashes!.length;
    }
    h += p.hashes.length;
    d += m;
  }
  return { hashes, offsets, setHashes, setOffsets };
}

/** The position in `members` of the member the selection prefers (greedy visits it first). */
function hubOf(members: Uint32Array, selection: Selection, lengths: ArrayLike<number>, docIds: readonly string[]): number {
  if (selection === "first") return 0;
  let h = 0;
  for (let k = 1; k < members.length; k++) if (prefer(members[h], members[k], selection, lengths, docIds) === members[k]) h = k;
  return h;
}
