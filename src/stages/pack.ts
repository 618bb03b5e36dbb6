/**
 * `gamma pack`: document-aware packing into fixed-length int32 rows.
 *
 * Documents are drawn in a deterministic order (one input in file order, or a
 * seeded weighted mixture of manifest sources), tokenized, EOS appended, and
 * their tokens fill rows contiguously: a document continues into the next row
 * when a row is full. Padding happens only after the last token, and is
 * recorded. Outputs: input_ids.mmap (little-endian int32, n_seqs x seq_len),
 * meta.json and index.jsonl.zst (row -> document segments).
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { removeStaleTemps } from "../runtime/outputs.ts";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { commitTemp, discardTemp, tempPathFor, writeJsonAtomic } from "../io/atomic.ts";
import { writeFully } from "../io/fd-io.ts";
import { readDocBatches, type ReadItem } from "../io/doc-reader.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File, type FileDigest } from "../io/hash.ts";
import { createdAt } from "../io/timestamp.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";
import { info, Progress } from "../log.ts";
import { bump, emptyCounts, sortedCounts, type StageCounts } from "../pipeline.ts";
import { createEncodePool, loadTokenizer, type Tokenizer } from "../tokenizer/index.ts";
import { Prng } from "../util/prng.ts";
import { GAMMA_VERSION } from "../version.ts";

export interface PackSource {
  name: string;
  share: number;
  files: string[];
}

export interface PackOptions {
  sources: PackSource[];
  tokenizerPath: string;
  tokenizerSha256: string | null;
  eosId?: number;
  padId?: number;
  seqLen: number;
  numSeqs: number | null;
  outDir: string;
  seed: number;
  cpuThreads: number;
  /** Recorded in meta.json: where the sources came from. */
  manifestPath: string | null;
}

export interface PackMeta {
  stage: "pack";
  kind: "gamma.pack/v1";
  gamma_version: string;
  seq_len: number;
  n_seqs: number;
  dtype: "int32";
  tokenizer_path: string;
  tokenizer_sha256: string;
  encoder: string;
  eos_id: number;
  pad_id: number;
  created_at: string;
  seed: number;
  manifest: string | null;
  sources: { name: string; share: number; files: number }[];
  /** Every input file with its sha256, in source then file order: where index.jsonl.zst's doc_ids come from. */
  inputs: (FileDigest & { source: string })[];
  /** --num-seqs (null: all documents), so a reader knows whether every input document was read. */
  num_seqs_limit: number | null;
  counts: {
    docs: StageCounts;
    tokens: number;
    doc_tokens: number;
    eos_tokens: number;
    padding_tokens: number;
    docs_truncated: number;
    by_source: Record<string, { docs: number; tokens: number }>;
  };
  outputs: { input_ids: { path: string; sha256: string; bytes: number }; index: { path: string; sha256: string; bytes: number } };
}

const BATCH_DOCS = 256;
/** Groups handed to the encoders while an earlier one is being placed. */
const READ_AHEAD = 2;
/** input_ids.mmap is written in pieces of about this many bytes (whole rows). */
const WRITE_BYTES = 1 << 20;

/** Documents read together: up to BATCH_DOCS good ones, and the bad lines among them. */
interface Group {
  docs: { docId: string; text: string; source: string }[];
  bad: number;
}

async function* groups(sources: PackSource[], seed: number): AsyncGenerator<Group> {
  let g: Group = { docs: [], bad: 0 };
  for await (const { item, source } of mixedDocs(sources, seed)) {
    if ("bad" in item) g.bad++;
    else g.docs.push({ docId: item.doc.doc_id, text: item.doc.text, source });
    if (g.docs.length >= BATCH_DOCS) {
      yield g;
      g = { docs: [], bad: 0 };
    }
  }
  if (g.docs.length > 0 || g.bad > 0) yield g;
}

/** Rows of int32 appended to a file in large writes, hashed on the way. */
class RowFile {
  private readonly buf: Int32Array;
  private used = 0;
  private readonly hash = new Bun.CryptoHasher("sha256");
  bytes = 0;
  /** Where the next row is filled in. */
  row: Int32Array;

  constructor(
    private readonly fd: number,
    private readonly seqLen: number,
  ) {
    this.buf = new Int32Array(Math.max(1, Math.floor(WRITE_BYTES / (4 * seqLen))) * seqLen);
    this.row = this.buf.subarray(0, seqLen);
  }

  /** Appends the row filled in so far and moves on to the next one. */
  next(): void {
    this.used += this.seqLen;
    if (this.used === this.buf.length) this.flush();
    this.row = this.buf.subarray(this.used, this.used + this.seqLen);
  }

  flush(): void {
    const bytes = new Uint8Array(this.buf.buffer, 0, this.used * 4);
    writeFully(this.fd, bytes);
    this.hash.update(bytes);
    this.bytes += bytes.length;
    this.used = 0;
  }

  sha256(): string {
    return this.hash.digest("hex");
  }
}

/** Yields documents from the sources in mixture order (deterministic given the seed). */
async function* mixedDocs(sources: PackSource[], seed: number): AsyncGenerator<{ item: ReadItem; source: string }> {
  if (sources.length === 1) {
    for await (const b of readDocBatches(sources[0]!.files)) for (const item of b) yield { item, source: sources[0]!.name };
    return;
  }
  const iters = sources.map((s) => ({ s, it: flatten(readDocBatches(s.files)), live: s.share > 0 }));
  const rng = new Prng(seed, 0x7061636b);
  for (;;) {
    const live = iters.filter((x) => x.live);
    if (live.length === 0) return;
    const total = live.reduce((a, x) => a + x.s.share, 0);
    let r = rng.nextFloat() * total;
    let pick = live[live.length - 1]!;
    for (const x of live) {
      r -= x.s.share;
      if (r < 0) {
        pick = x;
        break;
      }
    }
    const next = await pick.it.next();
    if (next.done) {
      pick.live = false;
      info(`pack: source ${pick.s.name} is exhausted; the mixture continues with the others`);
      continue;
    }
    yield { item: next.value, source: pick.s.name };
  }
}

async function* flatten<T>(g: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const b of g) yield* b;
}

export async function runPack(o: PackOptions): Promise<PackMeta> {
  if (!Number.isInteger(o.seqLen) || o.seqLen < 1) throw new ConfigError(`--seq-len must be a positive integer, got ${o.seqLen}`);
  if (o.numSeqs !== null && (!Number.isInteger(o.numSeqs) || o.numSeqs < 1)) throw new ConfigError(`--num-seqs must be a positive integer, got ${o.numSeqs}`);
  const tok: Tokenizer = await loadTokenizer(o.tokenizerPath, { eosId: o.eosId, expectedSha256: o.tokenizerSha256 ?? undefined, requireEos: true });
  const eos = tok.eosId!;
  const pad = o.padId ?? eos;
  removeStaleTemps(o.outDir);
  mkdirSync(o.outDir, { recursive: true });
  const idsPath = join(o.outDir, "input_ids.mmap");
  const indexPath = join(o.outDir, "index.jsonl.zst");
  const tmpIds = tempPathFor(idsPath);
  const fd = openSync(tmpIds, "w");
  // No half-opened output is left behind when opening the rest fails.
  let index: ZstdTextWriter;
  try {
    index = new ZstdTextWriter(indexPath);
  } catch (e) {
    closeSync(fd);
    discardTemp(tmpIds);
    throw e;
  }
  let pool: Awaited<ReturnType<typeof createEncodePool>>;
  try {
    pool = await createEncodePool(tok, o.cpuThreads);
  } catch (e) {
    closeSync(fd);
    discardTemp(tmpIds);
    await index.abort();
    throw e;
  }
  const L = o.seqLen;
  const out = new RowFile(fd, L);
  let fill = 0;
  let rows = 0;
  let segs: string[] = [];
  const counts = emptyCounts();
  let docTokens = 0;
  let eosTokens = 0;
  let truncated = 0;
  const bySource: Record<string, { docs: number; tokens: number }> = {};
  const progress = new Progress("pack");
  const full = () => o.numSeqs !== null && rows >= o.numSeqs;

  const emitRow = async () => {
    out.next();
    for (const s of segs) await index.write(s);
    segs = [];
    fill = 0;
    rows++;
  };

  const place = async (docId: string, ids: Uint32Array, source: string) => {
    const n = ids.length + 1; // + EOS
    let pos = 0;
    while (pos < n && !full()) {
      const take = Math.min(L - fill, n - pos);
      const fromIds = Math.max(0, Math.min(take, ids.length - pos));
      out.row.set(ids.subarray(pos, pos + fromIds), fill);
      if (fromIds < take) out.row[fill + fromIds] = eos;
      segs.push(JSON.stringify({ row: rows, doc_id: docId, doc_token_start: pos, doc_token_end: pos + take, row_offset: fill }) + "\n");
      fill += take;
      pos += take;
      if (fill === L) await emitRow();
    }
    const placed = Math.min(pos, ids.length);
    docTokens += placed;
    if (pos === n) eosTokens++;
    else truncated++;
    const b = (bySource[source] ??= { docs: 0, tokens: 0 });
    b.docs++;
    b.tokens += pos;
  };

  /**
   * Places a group's documents in order; those that come after the last row
   * are dropped. A group counts only if the rows were not full before it
   * (reading stops there): false when they were.
   */
  const placeGroup = async (g: Group, encoding: Promise<Uint32Array[]>): Promise<boolean> => {
    if (full()) return false;
    counts.in += g.docs.length + g.bad;
    if (g.bad > 0) bump(counts.rejected, "invalid_record", g.bad);
    const encoded = await encoding;
    let bytes = 0;
    for (let i = 0; i < g.docs.length; i++) {
      if (full()) {
        bump(counts.dropped, "num_seqs_reached");
        continue;
      }
      await place(g.docs[i]!.docId, encoded[i]!, g.docs[i]!.source);
      counts.kept++;
      bytes += g.docs[i]!.text.length;
    }
    progress.add(g.docs.length, bytes);
    return true;
  };

  try {
    // Groups are read and given to the encoders READ_AHEAD groups before they
    // are placed, so the encoders never wait for the reader.
    const ahead: { g: Group; encoding: Promise<Uint32Array[]> }[] = [];
    let more = true;
    for await (const g of groups(o.sources, o.seed)) {
      const encoding = pool.encodeBatch(g.docs.map((d) => d.text));
      encoding.catch(() => {}); // awaited when placed, unless reading stops first
      ahead.push({ g, encoding });
      if (ahead.length > READ_AHEAD) {
        const next = ahead.shift()!;
        more = await placeGroup(next.g, next.encoding);
        if (!more) break;
      }
    }
    while (more && ahead.length > 0) {
      const next = ahead.shift()!;
      more = await placeGroup(next.g, next.encoding);
    }
    let padding = 0;
    if (fill > 0) {
      padding = L - fill;
      out.row.fill(pad, fill);
      await emitRow();
    }
    out.flush();
    closeSync(fd);
    commitTemp(tmpIds, idsPath);
    await index.finish();
    progress.done();
    const meta: PackMeta = {
      stage: "pack",
      kind: "gamma.pack/v1",
      gamma_version: GAMMA_VERSION,
      seq_len: L,
      n_seqs: rows,
      dtype: "int32",
      tokenizer_path: o.tokenizerPath,
      tokenizer_sha256: tok.sha256,
      encoder: tok.encoder,
      eos_id: eos,
      pad_id: pad,
      created_at: createdAt(),
      seed: o.seed,
      manifest: o.manifestPath,
      sources: o.sources.map((s) => ({ name: s.name, share: s.share, files: s.files.length })),
      inputs: await inputDigests(o.sources),
      num_seqs_limit: o.numSeqs,
      counts: {
        docs: sortedCounts(counts),
        tokens: rows * L - padding,
        doc_tokens: docTokens,
        eos_tokens: eosTokens,
        padding_tokens: padding,
        docs_truncated: truncated,
        by_source: Object.fromEntries(Object.entries(bySource).sort(([a], [b]) => (a < b ? -1 : 1))),
      },
      outputs: {
        input_ids: { path: "input_ids.mmap", sha256: out.sha256(), bytes: out.bytes },
        index: { ...index.digest(), path: "index.jsonl.zst" },
      },
    };
    writeJsonAtomic(join(o.outDir, "meta.json"), meta);
    info(`pack: ${rows} rows x ${L} tokens (${meta.counts.tokens} tokens, ${padding} padding) from ${counts.kept} docs -> ${o.outDir}`);
    return meta;
  } catch (e) {
    try {
      closeSync(fd);
    } catch {}
    discardTemp(tmpIds);
    await index.abort();
    throw e;
  } finally {
    await pool.close();
  }
}

async function inputDigests(sources: PackSource[]): Promise<(FileDigest & { source: string })[]> {
  const out: (FileDigest & { source: string })[] = [];
  for (const s of sources) for (const f of s.files) out.push({ ...(await sha256File(f)), source: s.name });
  return out;
}

export function sourcesFromGlob(patterns: string[]): PackSource[] {
  return [{ name: "input", share: 1, files: expandInputs(patterns, { what: "normalized shards" }) }];
}
