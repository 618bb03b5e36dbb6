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
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { commitTemp, discardTemp, tempPathFor, writeJsonAtomic } from "../io/atomic.ts";
import { readDocBatches, type ReadItem } from "../io/doc-reader.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File } from "../io/hash.ts";
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
  mkdirSync(o.outDir, { recursive: true });
  const idsPath = join(o.outDir, "input_ids.mmap");
  const indexPath = join(o.outDir, "index.jsonl.zst");
  const tmpIds = tempPathFor(idsPath);
  const fd = openSync(tmpIds, "w");
  const index = new ZstdTextWriter(indexPath);
  const pool = await createEncodePool(tok, o.cpuThreads);
  const L = o.seqLen;
  const row = new Int32Array(L);
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
    writeSync(fd, new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
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
      for (let k = 0; k < take; k++) {
        const p = pos + k;
        row[fill + k] = p < ids.length ? ids[p]! : eos;
      }
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

  try {
    let batch: { docId: string; text: string; source: string }[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const encoded = await pool.encodeBatch(batch.map((b) => b.text));
      let bytes = 0;
      for (let i = 0; i < batch.length; i++) {
        if (full()) {
          bump(counts.dropped, "num_seqs_reached");
          continue;
        }
        await place(batch[i]!.docId, encoded[i]!, batch[i]!.source);
        counts.kept++;
        bytes += batch[i]!.text.length;
      }
      progress.add(batch.length, bytes);
      batch = [];
    };
    for await (const { item, source } of mixedDocs(o.sources, o.seed)) {
      if (full()) break;
      counts.in++;
      if ("bad" in item) {
        bump(counts.rejected, "invalid_record");
        continue;
      }
      batch.push({ docId: item.doc.doc_id, text: item.doc.text, source });
      if (batch.length >= BATCH_DOCS) await flush();
    }
    await flush();
    let padding = 0;
    if (fill > 0) {
      padding = L - fill;
      row.fill(pad, fill);
      await emitRow();
    }
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
        input_ids: { ...(await sha256File(idsPath)), path: "input_ids.mmap" },
        index: { ...(await sha256File(indexPath)), path: "index.jsonl.zst" },
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

export function sourcesFromGlob(patterns: string[]): PackSource[] {
  return [{ name: "input", share: 1, files: expandInputs(patterns, { what: "normalized shards" }) }];
}
