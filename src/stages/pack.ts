/**
 * `gamma pack`: document-aware packing into fixed-length int32 rows.
 *
 * Documents are drawn in a deterministic order (one input in file order, or a
 * seeded weighted mixture of manifest sources), tokenized, EOS appended, and
 * their tokens fill rows contiguously: a document continues into the next row
 * when a row is full, and padding happens only after the last token. With
 * greedy packing (pack-greedy.ts) no document that fits a row is split, and
 * every row is padded. Padding is recorded. Outputs: input_ids.mmap (little-endian int32, n_seqs x seq_len),
 * meta.json and index.jsonl.zst (row -> document segments).
 */
import { closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { interleaveBlocks, ownedBatches, TASK_BLOCK } from "../runtime/task-blocks.ts";
import { allMarkers, markerDir, readMarker, taskName, writeMarker, type Task } from "../runtime/tasks.ts";
import { readRecords, RecordWriter, recordsExist, removeRecords, type TaskRecord } from "./task-records.ts";
import { sha256Hex } from "../io/hash.ts";
import { removeStaleTemps } from "../runtime/outputs.ts";
import { join } from "node:path";
import { ConfigError, InputError } from "../errors.ts";
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
import { firstFitDecreasing, seededOrder } from "./pack-greedy.ts";
import { allowedSpecials, joinParts, splitSpecials, textsOf } from "../tokenizer/parts.ts";
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
  /** contiguous (default): documents continue into the next row; greedy: whole documents (cut every seqLen when longer), first-fit-decreasing. */
  packing?: Packing;
  /** Special tokens whose text in a document becomes the token (default none: text stays text). */
  allowSpecial?: string[];
  /** greedy: documents packed together (one first-fit-decreasing run each). */
  packWindow?: number;
  /** Combine what the `mergeTasks` finished tasks (runPackTask) wrote instead of encoding. */
  merge?: boolean;
  mergeTasks?: number;
  /** Documents per block of a task's share of each source (block k belongs to task k mod N). */
  taskBlock?: number;
}

export type Packing = "contiguous" | "greedy";
/** Documents per first-fit-decreasing run. */
export const PACK_WINDOW = 10_000;

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
  allow_special: Record<string, number>;
  packing: Packing;
  pack_window: number | null;
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
    /** padding_tokens / (n_seqs x seq_len). */
    padding_fraction: number;
    docs_truncated: number;
    /** Tokens of documents left unplaced when --num-seqs was reached (greedy packing). */
    tokens_truncated: number;
    /** greedy: documents longer than a row, cut every seq_len tokens (their full pieces fill rows alone). */
    docs_cut_long: number;
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
  /** A document's text to encode, or (read back from a task) its ids. */
  docs: { docId: string; text: string | null; chars: number; ids: Uint32Array | null; source: string }[];
  bad: number;
}

/** A document a task encoded, as the merge reads it back; or a line that is no document. */
export type EncodedItem = { bad: string } | { encoded: { docId: string; chars: number; ids: Uint32Array } };

async function* groups(items: AsyncIterable<{ item: ReadItem | EncodedItem; source: string }>): AsyncGenerator<Group> {
  let g: Group = { docs: [], bad: 0 };
  for await (const { item, source } of items) {
    if ("bad" in item) g.bad++;
    else if ("doc" in item) g.docs.push({ docId: item.doc.doc_id, text: item.doc.text, chars: item.doc.text.length, ids: null, source });
    else g.docs.push({ docId: item.encoded.docId, text: null, chars: item.encoded.chars, ids: item.encoded.ids, source });
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
export function mixedDocs(sources: PackSource[], seed: number): AsyncGenerator<{ item: ReadItem; source: string }> {
  return mixItems(
    sources.map((s) => ({ name: s.name, share: s.share, items: flatten(readDocBatches(s.files)) })),
    seed,
  );
}

/**
 * The items of the sources' streams in mixture order: one source is read in order; several are
 * drawn from by their shares, with a seeded generator, until every source with a share is
 * exhausted. The order depends only on the streams' items, so tasks' records read back mix as
 * the documents did.
 */
export async function* mixItems<T>(
  streams: { name: string; share: number; items: AsyncIterator<T> }[],
  seed: number,
): AsyncGenerator<{ item: T; source: string }> {
  if (streams.length === 1) {
    for (let next = await streams[0]!.items.next(); !next.done; next = await streams[0]!.items.next())
      yield { item: next.value, source: streams[0]!.name };
    return;
  }
  const iters = streams.map((s) => ({ s, it: s.items, live: s.share > 0 }));
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
      info(`source ${pick.s.name} is exhausted; the mixture continues with the others`);
      continue;
    }
    yield { item: next.value, source: pick.s.name };
  }
}

async function* flatten<T>(g: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const b of g) yield* b;
}

/** What every mode of the stage (one run, a task, the merge) sets up from the options. */
interface PackSetup {
  packing: Packing;
  window: number;
  tok: Tokenizer;
  eos: number;
  allowed: Map<string, number>;
  pad: number;
}

async function packSetup(o: PackOptions): Promise<PackSetup> {
  if (!Number.isInteger(o.seqLen) || o.seqLen < 1) throw new ConfigError(`--seq-len must be a positive integer, got ${o.seqLen}`);
  if (o.numSeqs !== null && (!Number.isInteger(o.numSeqs) || o.numSeqs < 1))
    throw new ConfigError(`--num-seqs must be a positive integer, got ${o.numSeqs}`);
  const packing: Packing = o.packing ?? "contiguous";
  if (packing !== "contiguous" && packing !== "greedy") throw new ConfigError(`--packing must be contiguous or greedy, got ${packing}`);
  const window = o.packWindow ?? PACK_WINDOW;
  if (!Number.isInteger(window) || window < 1) throw new ConfigError(`--pack-window must be a positive integer, got ${window}`);
  const tok: Tokenizer = await loadTokenizer(o.tokenizerPath, {
    eosId: o.eosId,
    expectedSha256: o.tokenizerSha256 ?? undefined,
    requireEos: true,
  });
  const eos = tok.eosId!;
  const { allowed, missing } = allowedSpecials(o.allowSpecial ?? [], (t) => tok.tokenId(t));
  if (missing.length > 0)
    throw new ConfigError(
      `--allow-special: ${missing.join(", ")} ${missing.length === 1 ? "is not a token" : "are not tokens"} of ${tok.path}`,
    );
  return { packing, window, tok, eos, allowed, pad: o.padId ?? eos };
}

type EncodePool = Awaited<ReturnType<typeof createEncodePool>>;

/** Each text's ids; special-token text becomes the token only where --allow-special names it. */
async function encodeTexts(pool: EncodePool, allowed: Map<string, number>, texts: string[]): Promise<Uint32Array[]> {
  if (allowed.size === 0) return pool.encodeBatch(texts);
  const parts = texts.map((t) => splitSpecials(t, allowed));
  const encoded = await pool.encodeBatch(textsOf(parts));
  const cursor = { i: 0 };
  return parts.map((p) => joinParts(p, encoded, cursor));
}

/** A plain run, or (with `merge`) the merge of the tasks' records. */
export async function runPack(o: PackOptions): Promise<PackMeta> {
  const s = await packSetup(o);
  if (o.merge) return mergePack(o, s);
  return packOutputs(o, s, mixedDocs(o.sources, o.seed), true);
}

/**
 * Documents in mixture order -> rows, index and meta.json. Documents that come as text are
 * encoded here (`encode`), those read back from tasks come with their ids.
 */
async function packOutputs(
  o: PackOptions,
  s: PackSetup,
  items: AsyncIterable<{ item: ReadItem | EncodedItem; source: string }>,
  encode: boolean,
): Promise<PackMeta> {
  const { packing, window, tok, eos, allowed, pad } = s;
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
  let pool: EncodePool | null = null;
  try {
    if (encode) pool = await createEncodePool(tok, o.cpuThreads);
  } catch (e) {
    closeSync(fd);
    discardTemp(tmpIds);
    await index.abort();
    throw e;
  }
  const encodeDocs = (docs: Group["docs"]): Promise<Uint32Array[]> => {
    if (docs.every((d) => d.ids !== null)) return Promise.resolve(docs.map((d) => d.ids!));
    return encodeTexts(
      pool!,
      allowed,
      docs.map((d) => d.text!),
    );
  };
  const L = o.seqLen;
  const out = new RowFile(fd, L);
  let fill = 0;
  let rows = 0;
  let segs: string[] = [];
  const counts = emptyCounts();
  let docTokens = 0;
  let eosTokens = 0;
  let truncated = 0;
  let tokensTruncated = 0;
  let padding = 0;
  /** greedy: documents longer than a row, cut into row-length pieces. */
  let longDocs = 0;
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

  /** greedy: the documents waiting for their window's first-fit-decreasing run. */
  let waiting: { docId: string; ids: Uint32Array; source: string }[] = [];
  let windows = 0;

  /** Packs the waiting documents into whole rows, each padded; rows past --num-seqs drop theirs. */
  const flushWindow = async () => {
    if (waiting.length === 0) return;
    const docs = waiting;
    waiting = [];
    // Items: a document (tokens + EOS) that fits a row is one item; a longer one is cut every
    // L tokens, so its full pieces fill rows alone and only its last piece shares a row.
    const items: { doc: number; start: number; end: number }[] = [];
    const placed = new Array<number>(docs.length).fill(0);
    for (const [k, d] of docs.entries()) {
      const n = d.ids.length + 1;
      for (let a = 0; a < n; a += L) items.push({ doc: k, start: a, end: Math.min(n, a + L) });
      if (n > L) longDocs++;
    }
    const lengths = items.map((it) => it.end - it.start);
    const rowsOf = firstFitDecreasing(lengths, L, seededOrder(items.length, o.seed, 0x67726479 ^ windows++));
    for (const members of rowsOf) {
      if (full()) break;
      for (const k of members) {
        const it = items[k]!;
        const d = docs[it.doc]!;
        const fromIds = Math.max(0, Math.min(it.end, d.ids.length) - it.start);
        out.row.set(d.ids.subarray(it.start, it.start + fromIds), fill);
        if (fromIds < it.end - it.start) out.row[fill + fromIds] = eos;
        segs.push(
          JSON.stringify({ row: rows, doc_id: d.docId, doc_token_start: it.start, doc_token_end: it.end, row_offset: fill }) + "\n",
        );
        fill += it.end - it.start;
        docTokens += fromIds;
        placed[it.doc] += it.end - it.start;
        (bySource[d.source] ??= { docs: 0, tokens: 0 }).tokens += it.end - it.start;
      }
      if (fill < L) {
        padding += L - fill;
        out.row.fill(pad, fill);
      }
      await emitRow();
    }
    for (const [k, d] of docs.entries()) {
      const n = d.ids.length + 1;
      if (placed[k] === 0) {
        bump(counts.dropped, "num_seqs_reached");
        continue;
      }
      counts.kept++;
      bySource[d.source]!.docs++;
      if (placed[k] === n) eosTokens++;
      else {
        truncated++;
        tokensTruncated += n - placed[k]!;
      }
    }
  };

  /** Takes one document: placed at once (contiguous), or kept for its window (greedy). */
  const takeDoc = async (docId: string, ids: Uint32Array, source: string) => {
    if (packing === "contiguous") {
      await place(docId, ids, source);
      counts.kept++;
      return;
    }
    waiting.push({ docId, ids, source });
    if (waiting.length >= window) await flushWindow();
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
      await takeDoc(g.docs[i]!.docId, encoded[i]!, g.docs[i]!.source);
      bytes += g.docs[i]!.chars;
    }
    progress.add(g.docs.length, bytes);
    return true;
  };

  try {
    // Groups are read and given to the encoders READ_AHEAD groups before they
    // are placed, so the encoders never wait for the reader.
    const ahead: { g: Group; encoding: Promise<Uint32Array[]> }[] = [];
    let more = true;
    for await (const g of groups(items)) {
      const encoding = encodeDocs(g.docs);
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
    await flushWindow();
    if (fill > 0) {
      padding += L - fill;
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
      allow_special: Object.fromEntries(allowed),
      packing,
      pack_window: packing === "greedy" ? window : null,
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
        padding_fraction: rows === 0 ? 0 : Math.round((padding / (rows * L)) * 1e6) / 1e6,
        docs_truncated: truncated,
        tokens_truncated: tokensTruncated,
        docs_cut_long: longDocs,
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
    await pool?.close();
  }
}

/** What a task reports (its marker's result). */
export interface PackTaskSummary {
  task: Task;
  records: number;
  docs: number;
  tokens: number;
  skipped: boolean;
}

type PackRecordMeta = { bad: true } | { doc_id: string; chars: number };

/** The hash a task's marker carries: the inputs and every option but threads, folder and task. */
function packTaskKey(o: PackOptions, s: PackSetup, block: number): string {
  const { cpuThreads: _t, outDir: _d, merge: _m, mergeTasks: _n, taskBlock: _b, sources, ...rest } = o;
  const files = sources.map((src) => ({ ...src, files: src.files.map((f) => [f, statSync(f).size]) }));
  return sha256Hex(JSON.stringify({ options: rest, sources: files, tokenizer: s.tok.sha256, block }));
}

/** The records of one source of one task. */
function packTaskBase(outDir: string, t: Task, source: number): string {
  return join(markerDir(outDir), `pack.${taskName(t)}-of-${String(t.count).padStart(5, "0")}.source-${String(source).padStart(3, "0")}`);
}

/**
 * One task: of each source, encodes the documents of its blocks exactly as a plain run does and
 * writes the records for the merge, then its marker. A task finished for the same work is skipped.
 */
export async function runPackTask(o: PackOptions, task: Task): Promise<PackTaskSummary> {
  const s = await packSetup(o);
  const block = o.taskBlock ?? TASK_BLOCK;
  const key = packTaskKey(o, s, block);
  const bases = o.sources.map((_, k) => packTaskBase(o.outDir, task, k));
  const done = readMarker(o.outDir, "pack", task, key);
  if (done !== null && bases.every(recordsExist)) {
    info(`pack: task ${task.index} of ${task.count} already done; skipped`);
    return { ...(done.result as PackTaskSummary), skipped: true };
  }
  removeStaleTemps(markerDir(o.outDir), 1);
  const summary: PackTaskSummary = { task, records: 0, docs: 0, tokens: 0, skipped: false };
  const pool = await createEncodePool(s.tok, o.cpuThreads);
  const progress = new Progress(`pack task ${task.index}`);
  try {
    for (const [k, src] of o.sources.entries()) {
      const writer = new RecordWriter<PackRecordMeta>(bases[k]!);
      try {
        const put = async (batch: ReadItem[], encoding: Promise<Uint32Array[]>) => {
          const encoded = await encoding;
          let j = 0;
          let bytes = 0;
          for (const item of batch) {
            summary.records++;
            if ("bad" in item) {
              await writer.add({ bad: true }, null);
              continue;
            }
            const ids = encoded[j++]!;
            await writer.add({ doc_id: item.doc.doc_id, chars: item.doc.text.length }, ids);
            summary.docs++;
            summary.tokens += ids.length;
            bytes += item.doc.text.length;
          }
          progress.add(batch.length, bytes);
        };
        const ahead: { batch: ReadItem[]; encoding: Promise<Uint32Array[]> }[] = [];
        for await (const batch of ownedBatches(readDocBatches(src.files), task, block)) {
          const encoding = encodeTexts(
            pool,
            s.allowed,
            batch.flatMap((item) => ("bad" in item ? [] : [item.doc.text])),
          );
          encoding.catch(() => {}); // awaited when written, unless an error stops the task first
          ahead.push({ batch, encoding });
          if (ahead.length > READ_AHEAD) {
            const next = ahead.shift()!;
            await put(next.batch, next.encoding);
          }
        }
        for (const next of ahead) await put(next.batch, next.encoding);
        await writer.finish();
      } catch (e) {
        await writer.abort();
        throw e;
      }
    }
  } finally {
    await pool.close();
  }
  progress.done();
  writeMarker(o.outDir, "pack", task, key, summary);
  info(`pack: task ${task.index} of ${task.count}: ${summary.docs} docs, ${summary.tokens} tokens encoded for the merge`);
  return summary;
}

/** --merge: the tasks' records of each source, mixed and packed as one run does; then their records go. */
async function mergePack(o: PackOptions, s: PackSetup): Promise<PackMeta> {
  const count = o.mergeTasks ?? 1;
  const block = o.taskBlock ?? TASK_BLOCK;
  const key = packTaskKey(o, s, block);
  const tasks = Array.from({ length: count }, (_, index) => ({ index, count }));
  const markers = allMarkers(o.outDir, "pack", count, key);
  const missing = tasks
    .filter((t, i) => markers[i] === null || !o.sources.every((_, k) => recordsExist(packTaskBase(o.outDir, t, k))))
    .map((t) => t.index);
  if (missing.length > 0) {
    throw new InputError(
      `pack --merge: task(s) ${missing.join(", ")} of ${count} have not finished for these inputs and settings in ${o.outDir}; run them first`,
      { code: "tasks_missing" },
    );
  }
  const streams = o.sources.map((src, k) => ({
    name: src.name,
    share: src.share,
    items: encodedItems(
      interleaveBlocks(
        tasks.map((t) => readRecords<PackRecordMeta>(packTaskBase(o.outDir, t, k))),
        block,
      ),
    ),
  }));
  const meta = await packOutputs(o, s, mixItems(streams, o.seed), false);
  for (const t of tasks) for (const k of o.sources.keys()) removeRecords(packTaskBase(o.outDir, t, k));
  return meta;
}

async function* encodedItems(records: AsyncIterable<TaskRecord<PackRecordMeta>>): AsyncGenerator<EncodedItem> {
  for await (const r of records) {
    if ("bad" in r.meta) yield { bad: "invalid record" };
    else yield { encoded: { docId: r.meta.doc_id, chars: r.meta.chars, ids: r.ids! } };
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
