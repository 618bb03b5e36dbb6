/**
 * Shingling and signing inside dedup's first pass: the thread that reads a shard for its ids and
 * exact keys also signs its texts, so the near engine never reads the shard again and no text is
 * held past its batch. The signatures, band keys and (for --verify exact) shingle sets go to
 * files of the shard's own in a work directory; only small per-document columns come back.
 * signedRuns() turns a shard's files into the engine's SignedRuns, leaving out the documents
 * that are already decided (exact duplicates).
 *
 * The arithmetic is runShingleSign (src/kernels/cpu-jobs.ts), the CPU twin's own job, so the
 * signatures are the bits the streaming path (and the GPU twin) produces.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { runShingleSign } from "../kernels/cpu-jobs.ts";
import type { MinHashParams } from "../kernels/minhash.ts";
import type { SignedRun } from "./near-dedup.ts";
import type { ShingleSpec } from "./shingle.ts";
import { AppendFile, Column, mapU32 } from "./work-files.ts";

/** What a pass-1 thread needs to sign: the same spec and parameters the engine will use. */
export interface SignRequest {
  spec: ShingleSpec;
  params: MinHashParams;
  /** Also keep each document's shingle set (--verify exact). */
  sets: boolean;
  /** Directory for the shard's files (made by the caller). */
  dir: string;
  /** Unique per shard: names its files. */
  tag: string;
}

/** One shard's signing, for every document of it in line order (unparsable lines are not documents). */
export interface SignedShard {
  signatures: string;
  bandKeys: string;
  sets: string | null;
  counts: Uint32Array;
  lengths: Float64Array;
  /** Distinct shingles per document, with sets. */
  setSizes: Uint32Array | null;
  ms: { shingle: number; sign: number };
}

/** Texts per runShingleSign call: bounds what is held between a document's read and its signing. */
const BATCH_CHARS = 1 << 22;

export class ShardSigner {
  private readonly sigFile: AppendFile;
  private readonly keyFile: AppendFile;
  private readonly setFile: AppendFile | null;
  private readonly counts = new Column((n) => new Uint32Array(n));
  private readonly lengths = new Column((n) => new Float64Array(n));
  private readonly setSizes: Column<Uint32Array> | null;
  private texts: string[] = [];
  private chars = 0;
  private readonly ms = { shingle: 0, sign: 0 };

  constructor(private readonly req: SignRequest) {
    const file = (what: string) => join(req.dir, `${req.tag}.${what}.u32`);
    this.sigFile = new AppendFile(file("signatures"));
    this.keyFile = new AppendFile(file("band-keys"));
    this.setFile = req.sets ? new AppendFile(file("sets")) : null;
    this.setSizes = req.sets ? new Column((n) => new Uint32Array(n)) : null;
  }

  add(text: string): void {
    this.texts.push(text);
    this.lengths.push(Buffer.byteLength(text, "utf8"));
    this.chars += text.length;
    if (this.chars >= BATCH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.texts.length === 0) return;
    const { spec, params, sets } = this.req;
    const r = runShingleSign({ kind: "near.shingleSign", texts: this.texts, spec, params, sets });
    this.sigFile.append(r.signatures);
    this.keyFile.append(r.bandKeys);
    for (const c of r.counts) this.counts.push(c);
    if (this.setFile !== null) {
      this.setFile.append(r.setHashes!);
      const so = r.setOffsets!;
      for (let d = 0; d < this.texts.length; d++) this.setSizes!.push(so[d + 1] - so[d]);
    }
    this.ms.shingle += r.ms.shingle;
    this.ms.sign += r.ms.sign;
    this.texts = [];
    this.chars = 0;
  }

  finish(): SignedShard {
    this.flush();
    this.sigFile.close();
    this.keyFile.close();
    this.setFile?.close();
    return {
      signatures: this.sigFile.path,
      bandKeys: this.keyFile.path,
      sets: this.setFile?.path ?? null,
      counts: this.counts.view().slice(),
      lengths: this.lengths.view().slice(),
      setSizes: this.setSizes?.view().slice() ?? null,
      ms: { ...this.ms },
    };
  }

  /** Removes the files (a failed shard). */
  abort(): void {
    this.sigFile.close();
    this.keyFile.close();
    this.setFile?.close();
    for (const f of [this.sigFile, this.keyFile, this.setFile]) if (f) rmSync(f.path, { force: true });
  }
}

/**
 * The engine's runs for one signed shard: document j of the shard goes in when keep(j), with its
 * id and scope group. The shard's files are removed once read.
 */
export function* signedRuns(
  shard: SignedShard,
  params: MinHashParams,
  keep: (j: number) => boolean,
  docId: (j: number) => string,
  group: (j: number) => string,
): Generator<SignedRun> {
  const K = params.numPerm;
  const B = params.bands;
  const n = shard.counts.length;
  const sigs = mapU32(shard.signatures, n * K * 4);
  const keys = mapU32(shard.bandKeys, n * B * 4);
  const sizes = shard.setSizes;
  let setAll: Uint32Array | null = null;
  const setStart = new Float64Array(n + 1);
  if (shard.sets !== null && sizes !== null) {
    for (let j = 0; j < n; j++) setStart[j + 1] = setStart[j] + sizes[j];
    setAll = mapU32(shard.sets, setStart[n] * 4);
  }
  const ms = shard.ms;
  // Runs of at most this many documents, so a gathered copy stays small.
  const RUN = 4096;
  for (let a = 0; a < n; a += RUN) {
    const z = Math.min(n, a + RUN);
    const picked: number[] = [];
    for (let j = a; j < z; j++) if (keep(j)) picked.push(j);
    const m = picked.length;
    const run: SignedRun = {
      docIds: picked.map(docId),
      groups: picked.map(group),
      lengths: picked.map((j) => shard.lengths[j]),
      counts: Uint32Array.from(picked, (j) => shard.counts[j]),
      signatures: new Uint32Array(m * K),
      bandKeys: new Uint32Array(m * B),
      ms: a === 0 ? ms : undefined,
    };
    picked.forEach((j, i) => {
      run.signatures.set(sigs.subarray(j * K, j * K + K), i * K);
      run.bandKeys.set(keys.subarray(j * B, j * B + B), i * B);
    });
    if (setAll !== null) {
      const offsets = new Uint32Array(m + 1);
      picked.forEach((j, i) => (offsets[i + 1] = offsets[i] + sizes![j]));
      const hashes = new Uint32Array(offsets[m]);
      picked.forEach((j, i) => hashes.set(setAll!.subarray(setStart[j], setStart[j + 1]), offsets[i]));
      run.setHashes = hashes;
      run.setOffsets = offsets;
    }
    yield run;
  }
  for (const f of [shard.signatures, shard.bandKeys, shard.sets]) if (f !== null) rmSync(f, { force: true });
}
