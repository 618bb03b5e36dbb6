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
import { closeSync, openSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runShingleSign } from "../kernels/cpu-jobs.ts";
import type { MinHashParams } from "../kernels/minhash.ts";
import type { SignedRun } from "./near-dedup.ts";
import type { ShingleSpec } from "./shingle.ts";
import { AppendFile, Column } from "./work-files.ts";
import { readFully } from "../io/fd-io.ts";

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
  ms: { shingle: number; sign: number };
}

/** Reads `count` u32 rows from row `from` of a file into the start of `into`. */
function readRows(fd: number, into: Uint32Array, from: number, count: number, path: string): void {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, count * 4);
  if (readFully(fd, bytes, from * 4) < bytes.length)
    throw new Error(`near dedup: ${path} ended early (the work directory changed under the run?)`);
}

/** Texts per runShingleSign call: bounds what is held between a document's read and its signing. */
const BATCH_CHARS = 1 << 22;

export class ShardSigner {
  private readonly sigFile: AppendFile;
  private readonly keyFile: AppendFile;
  private readonly setFile: AppendFile | null;
  private readonly counts = new Column((n) => new Uint32Array(n));
  private readonly lengths = new Column((n) => new Float64Array(n));
  private texts: string[] = [];
  private chars = 0;
  private readonly ms = { shingle: 0, sign: 0 };

  constructor(private readonly req: SignRequest) {
    const file = (what: string) => join(req.dir, `${req.tag}.${what}.u32`);
    this.sigFile = new AppendFile(file("signatures"));
    this.keyFile = new AppendFile(file("band-keys"));
    this.setFile = req.sets ? new AppendFile(file("sets")) : null;
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
    // A document's set rows are its shingle hashes, counts[d] of them, written as they are made.
    const setFile = this.setFile;
    const r = runShingleSign(
      { kind: "near.shingleSign", texts: this.texts, spec, params, sets },
      setFile ? (h) => setFile.append(h) : undefined,
    );
    this.sigFile.append(r.signatures);
    this.keyFile.append(r.bandKeys);
    for (const c of r.counts) this.counts.push(c);
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
 * id, scope group and exact twin (an engine index, or -1). The signature and band-key files are
 * removed once read unless `removeRead` is false; the sets file is handed to the engine by name
 * and must outlive it.
 */
export function* signedRuns(
  shard: SignedShard,
  params: MinHashParams,
  keep: (j: number) => boolean,
  docId: (j: number) => string,
  group: (j: number) => string,
  twin: (j: number) => number = () => -1,
  removeRead = true,
): Generator<SignedRun> {
  const K = params.numPerm;
  const B = params.bands;
  const n = shard.counts.length;
  // Read, not mapped: a mapping would stay (and count in the RSS) until the collector frees it.
  const sigFd = openSync(shard.signatures, "r");
  const keyFd = openSync(shard.bandKeys, "r");
  try {
    // Document j's set rows start at the sum of the shingle counts before it.
    const setStart = new Float64Array(n + 1);
    for (let j = 0; j < n; j++) setStart[j + 1] = setStart[j] + shard.counts[j];
    const ms = shard.ms;
    // Runs of at most this many documents, so a gathered copy stays small.
    const RUN = 4096;
    const sigs = new Uint32Array(Math.min(n, RUN) * K);
    const keys = new Uint32Array(Math.min(n, RUN) * B);
    for (let a = 0; a < n; a += RUN) {
      const z = Math.min(n, a + RUN);
      readRows(sigFd, sigs, a * K, (z - a) * K, shard.signatures);
      readRows(keyFd, keys, a * B, (z - a) * B, shard.bandKeys);
      const picked: number[] = [];
      for (let j = a; j < z; j++) if (keep(j)) picked.push(j);
      const m = picked.length;
      const run: SignedRun = {
        docIds: picked.map(docId),
        groups: picked.map(group),
        lengths: picked.map((j) => shard.lengths[j]),
        counts: Uint32Array.from(picked, (j) => shard.counts[j]),
        twins: Int32Array.from(picked, twin),
        signatures: new Uint32Array(m * K),
        bandKeys: new Uint32Array(m * B),
        ms: a === 0 ? ms : undefined,
      };
      picked.forEach((j, i) => {
        const r = j - a;
        run.signatures.set(sigs.subarray(r * K, r * K + K), i * K);
        run.bandKeys.set(keys.subarray(r * B, r * B + B), i * B);
      });
      if (shard.sets !== null) run.setFile = { path: shard.sets, start: Float64Array.from(picked, (j) => setStart[j]) };
      yield run;
    }
  } finally {
    closeSync(sigFd);
    closeSync(keyFd);
  }
  // The sets file stays: the engine reads it in place until it returns (the caller removes it).
  if (removeRead) for (const f of [shard.signatures, shard.bandKeys]) rmSync(f, { force: true });
}
