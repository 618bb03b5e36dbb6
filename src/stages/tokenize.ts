/**
 * `gamma tokenize`: normalized documents -> token files a trainer reads, split
 * into train/valid by sha256(doc_id), within an optional token budget.
 *
 * Documents are read in input order (sorted files, then lines); each becomes
 * one sequence: its language tag, its text (in a fill-in-the-middle layout for
 * --fim-rate of them), EOS unless --no-eos (tokenize-sequence.ts). A sequence is
 * cut into samples of at most --max-length tokens. The budget takes documents
 * in that order while the running total stays within N tokens and stops at the
 * first that would pass it; the rest are counted as dropped (token_budget).
 *
 * With more than one thread, workers encode while this thread reads up to
 * READ_AHEAD batches ahead and writes the earlier ones, in input order, so the
 * outputs are the same bytes for any thread count.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { removeStaleTemps } from "../runtime/outputs.ts";
import { join } from "node:path";
import { ConfigError, InputError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readDocBatches, type ReadItem } from "../io/doc-reader.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File, sha256Hex, type FileDigest } from "../io/hash.ts";
import { isValid, SPLIT_RULE, splitThreshold } from "../io/split.ts";
import { createdAt } from "../io/timestamp.ts";
import { info, Progress } from "../log.ts";
import { bump, countsAddUp, emptyCounts, sortedCounts } from "../pipeline.ts";
import { createEncodePool, loadTokenizer } from "../tokenizer/index.ts";
import { codePointOffsets, FIM_MODES, SENTINEL_TEXTS, type FimMode } from "../tokenizer/fim.ts";
import { joinParts, textsOf } from "../tokenizer/parts.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";
import type { Doc } from "../pipeline.ts";
import { loadFimGrammars } from "../code/fim-nodes.ts";
import {
  chunkRanges,
  docSequence,
  languageOf,
  sequencePlan,
  tagId,
  tagText,
  type DocSequence,
  type MissingTag,
  type SequencePlan,
} from "./tokenize-sequence.ts";
import { interleaveBlocks, ownedBatches, TASK_BLOCK } from "../runtime/task-blocks.ts";
import { allMarkers, markerDir, readMarker, taskName, writeMarker, type Task } from "../runtime/tasks.ts";
import { readRecords, RecordWriter, recordsExist, removeRecords, type TaskRecord } from "./task-records.ts";
import { GAMMA_VERSION, gitSha } from "../version.ts";
import { narrowToUint16, openSink, SAMPLES_PER_SHARD, type SinkDtype, type SplitSink, type TokenFormat } from "./tokenize-sinks.ts";

export interface TokenizeOptions {
  inputs: string[];
  tokenizer: string;
  tokenizerSha256: string | null;
  eosId?: number;
  outDir: string;
  format: TokenFormat;
  validFraction: number;
  tokenBudget: number | null;
  dtype: "int32" | "uint16" | "auto";
  noEos: boolean;
  cpuThreads: number;
  /** Seed of the FIM choices (with each doc_id). */
  seed?: number;
  /** Special tokens whose text in a document becomes the token (default: none; text stays text). */
  allowSpecial?: string[];
  languageTags?: boolean;
  languageTagTemplate?: string;
  missingTag?: MissingTag;
  fim?: { rate: number; spmRate: number; mode: FimMode } | null;
  /** Cut sequences into chunks of at most this many tokens (null: one chunk per document). */
  maxLength?: number | null;
  /** Chunks with fewer tokens are left out (counted). */
  minChunkTokens?: number;
  /** Samples per .jsonl.zst / .parquet shard. */
  samplesPerShard?: number;
  /** Combine what the `mergeTasks` finished tasks (runTokenizeTask) wrote instead of encoding. */
  merge?: boolean;
  mergeTasks?: number;
  /** Documents per block of a task's share (block k belongs to task k mod N). */
  taskBlock?: number;
}

const SPLITS = ["train", "valid"] as const;
type Split = (typeof SPLITS)[number];

/** The manifests that describe the input shards (normalize's, or dedup's), by their sha256. */
function inputManifests(files: string[]): FileDigest[] {
  const found = new Set<string>();
  for (const f of files) {
    const beside = f.replace(/\.jsonl(\.zst|\.gz)?$/, ".manifest.json");
    if (beside !== f && existsSync(beside)) found.add(beside);
    const dedup = join(f, "..", "dedup.manifest.json");
    if (existsSync(dedup)) found.add(dedup);
  }
  return [...found].sort().map((p) => {
    const bytes = readFileSync(p);
    return { path: p, sha256: sha256Hex(bytes), bytes: bytes.length };
  });
}

/** Groups handed to the encoders while an earlier one is being written. */
const READ_AHEAD = 2;
/** Records per group when they are read back from the tasks. */
const MERGE_GROUP = 256;

/**
 * One input line as the rest of the stage consumes it: a line that is no document, or a
 * document's encoded sequence (ids null when it was read after the budget was reached) with what
 * the index records of it.
 */
export type TokRecord = { bad: true } | EncodedDoc;

export interface EncodedDoc {
  doc_id: string;
  /** Characters of text (progress only). */
  chars: number;
  language: string | null;
  tag: DocSequence["tag"];
  /** The FIM layout with its spans as code-point offsets into the text. */
  fim: { mode: string; layout: "spm" | "psm"; spans: [number, number][] } | null;
  ids: Uint32Array | null;
}

interface LanguageCounts {
  docs: number;
  samples: number;
  tokens: number;
}

/** What every mode of the stage (one run, a task, the merge) sets up from the options. */
interface Setup {
  o: TokenizeOptions;
  files: string[];
  tok: Awaited<ReturnType<typeof loadTokenizer>>;
  plan: SequencePlan;
  eos: number | null;
  seed: number;
  maxLength: number | null;
  minChunk: number;
}

async function setup(o: TokenizeOptions): Promise<Setup> {
  if (!(o.validFraction >= 0 && o.validFraction <= 1))
    throw new ConfigError(`--valid-fraction must be from 0 to 1, got ${o.validFraction}`);
  if (o.tokenBudget !== null && !(Number.isSafeInteger(o.tokenBudget) && o.tokenBudget > 0))
    throw new ConfigError(`--token-budget must be a positive integer, got ${o.tokenBudget}`);
  const maxLength = o.maxLength ?? null;
  const minChunk = o.minChunkTokens ?? 0;
  if (maxLength !== null && !(Number.isSafeInteger(maxLength) && maxLength > 0))
    throw new ConfigError(`--max-length must be a positive integer, got ${maxLength}`);
  if (!(Number.isSafeInteger(minChunk) && minChunk >= 0))
    throw new ConfigError(`--min-chunk-tokens must be a non-negative integer, got ${minChunk}`);
  const fimOpt = o.fim ?? null;
  if (fimOpt !== null) {
    if (!(fimOpt.rate >= 0 && fimOpt.rate <= 1)) throw new ConfigError(`--fim-rate must be from 0 to 1, got ${fimOpt.rate}`);
    if (!(fimOpt.spmRate >= 0 && fimOpt.spmRate <= 1)) throw new ConfigError(`--fim-spm-rate must be from 0 to 1, got ${fimOpt.spmRate}`);
    if (!FIM_MODES.includes(fimOpt.mode)) throw new ConfigError(`--fim-mode must be one of ${FIM_MODES.join(", ")}, got ${fimOpt.mode}`);
  }
  if ((o.format === "jsonl" || o.format === "parquet") && o.dtype === "uint16")
    throw new ConfigError(`--dtype uint16 applies to --format megatron and npy; ${o.format} holds int32 ids`);
  const seed = o.seed ?? 0;
  const files = expandInputs(o.inputs, { what: "normalized shards" });
  const tok = await loadTokenizer(o.tokenizer, { eosId: o.eosId, expectedSha256: o.tokenizerSha256 ?? undefined, requireEos: !o.noEos });
  const eos = o.noEos ? null : tok.eosId!;
  const plan = sequencePlan(tok, {
    eos,
    allowSpecial: o.allowSpecial ?? [],
    languageTags: o.languageTags ?? false,
    languageTagTemplate: o.languageTagTemplate ?? DEFAULT_TAG_TEMPLATE,
    missingTag: o.missingTag ?? "error",
    fim: fimOpt === null ? null : { ...fimOpt, seed },
  });
  return { o, files, tok, plan, eos, seed, maxLength, minChunk };
}

/**
 * Documents -> encoded records, a group per batch read (its encoding under way while earlier
 * groups are written). `stop()` says, as each document is read, that the budget is reached: the
 * document is then not encoded.
 */
async function* encodeRecords(
  batches: AsyncIterable<ReadItem[]>,
  s: Setup,
  pool: EncodePool,
  stop: () => boolean,
): AsyncGenerator<Pending> {
  const { plan, tok } = s;
  const grammarsTried = new Set<string>();
  for await (const batch of batches) {
    if (plan.fim?.settings.mode === "ast") {
      const fresh = new Set<string>();
      for (const item of batch) {
        const l = "bad" in item ? null : languageOf(item.doc);
        if (l !== null && !grammarsTried.has(l)) fresh.add(l);
      }
      for (const l of fresh) grammarsTried.add(l);
      await loadFimGrammars(fresh);
    }
    const docs: ({ doc: Doc; seq: DocSequence | null } | null)[] = [];
    let missing: Map<string, string> | null = null;
    for (const item of batch) {
      if ("bad" in item) {
        docs.push(null);
        continue;
      }
      const seq = stop() ? null : docSequence(item.doc, plan);
      if (seq !== null && seq.tag === "missing" && plan.tags!.missing === "error")
        (missing ??= new Map()).set(seq.language ?? NO_LANGUAGE, item.location);
      docs.push({ doc: item.doc, seq });
    }
    if (missing !== null) {
      const list = [...missing.keys()]
        .sort()
        .map((l) => (l === NO_LANGUAGE ? "documents without meta.language" : `${l} (${tagText(plan, l)})`));
      throw new ConfigError(
        `--language-tags: ${tok.path} has no tag token for ${list.join(", ")} (first at ${[...missing.values()][0]}); add the tokens, or pass --missing-tag skip (keep the documents untagged) or drop`,
      );
    }
    const texts = textsOf(docs.flatMap((d) => (d === null || d.seq === null ? [] : [d.seq.parts])));
    const records = pool.encodeBatch(texts).then((encoded) => {
      const cursor = { i: 0 };
      return docs.map((d): TokRecord => {
        if (d === null) return { bad: true };
        const { doc, seq } = d;
        if (seq === null)
          return { doc_id: doc.doc_id, chars: doc.text.length, language: languageOf(doc), tag: "none", fim: null, ids: null };
        return {
          doc_id: doc.doc_id,
          chars: doc.text.length,
          language: seq.language,
          tag: seq.tag,
          fim: fimRecord(doc.text, seq),
          ids: joinParts(seq.parts, encoded, cursor),
        };
      });
    });
    records.catch(() => {}); // awaited when written, unless an error stops the run first
    yield { records };
  }
}

function fimRecord(text: string, seq: DocSequence): EncodedDoc["fim"] {
  if (seq.fim === null) return null;
  const cp = codePointOffsets(text, seq.fim.spans.flat());
  const spans: [number, number][] = [];
  for (let i = 0; i < cp.length; i += 2) spans.push([cp[i]!, cp[i + 1]!]);
  return { mode: seq.fim.mode, layout: seq.fim.spm ? "spm" : "psm", spans };
}

/** A group of records, encoded (or read back) while earlier groups are written. An object, not a bare promise: an async generator would wait for a yielded promise. */
interface Pending {
  records: Promise<TokRecord[]>;
}

type EncodePool = Awaited<ReturnType<typeof createEncodePool>>;

/** A plain run: every document encoded here, in order. */
export async function runTokenize(o: TokenizeOptions) {
  if (o.merge) return mergeTokenize(o);
  const s = await setup(o);
  const pool = await createEncodePool(s.tok, o.cpuThreads);
  try {
    const state = { budgetHit: false };
    return await writeTokenOutputs(
      s,
      encodeRecords(readDocBatches(s.files), s, pool, () => state.budgetHit),
      state,
    );
  } finally {
    await pool.close();
  }
}

/**
 * Encoded records -> the stage's outputs: the budget, the split sinks, the index and the
 * manifest, in record order. `state.budgetHit` is set when the budget is reached.
 */
async function writeTokenOutputs(s: Setup, groups: AsyncIterable<Pending>, state: { budgetHit: boolean }) {
  const { o, files, tok, plan, eos, seed, maxLength, minChunk } = s;
  const writeDtype: SinkDtype = o.dtype === "uint16" ? "uint16" : "int32";
  const threshold = splitThreshold(o.validFraction);
  removeStaleTemps(o.outDir);
  const sinks = {} as Record<Split, SplitSink>;
  let index: ZstdTextWriter | null = null;
  const abortAll = async () => {
    for (const s of SPLITS) sinks[s]?.abort();
    await index?.abort();
  };
  try {
    for (const s of SPLITS) {
      mkdirSync(join(o.outDir, s), { recursive: true });
      sinks[s] = openSink(o.format, join(o.outDir, s), writeDtype, o.samplesPerShard ?? SAMPLES_PER_SHARD);
    }
    index = new ZstdTextWriter(join(o.outDir, "index.jsonl.zst"));
  } catch (e) {
    await abortAll();
    throw e;
  }
  const counts = emptyCounts();
  const perSplit: Record<Split, { docs: number; samples: number; tokens: number }> = {
    train: { docs: 0, samples: 0, tokens: 0 },
    valid: { docs: 0, samples: 0, tokens: 0 },
  };
  const languages: Record<string, LanguageCounts> = {};
  const missingTags: Record<string, number> = {};
  const fimByMode: Record<string, number> = {};
  /** Tag ids of the languages of the input's documents (whether the budget took them or not). */
  const tagIds: Record<string, number> = {};
  let fimSpm = 0;
  let tagged = 0;
  let chunksKept = 0;
  let chunksDropped = 0;
  let total = 0;
  let maxEmitted = -1;
  const progress = new Progress("tokenize");

  const writeGroup = async (records: TokRecord[]) => {
    let bytes = 0;
    let docs = 0;
    for (const r of records) {
      counts.in++;
      if ("bad" in r) {
        bump(counts.rejected, "invalid_record");
        continue;
      }
      docs++;
      if (plan.tags !== null && r.language !== null) {
        const id = tagId(plan, r.language);
        if (id !== null) tagIds[r.language] = id;
      }
      if (r.ids === null || state.budgetHit) {
        bump(counts.dropped, "token_budget");
        continue;
      }
      const ids = r.ids;
      if (r.tag === "missing" && plan.tags!.missing === "drop") {
        bump(counts.dropped, "missing_language_tag");
        bump(missingTags, r.language ?? NO_LANGUAGE);
        continue;
      }
      const chunks = chunkRanges(ids.length, maxLength, minChunk);
      let n = 0;
      for (const [a, b] of chunks.kept) n += b - a;
      if (o.tokenBudget !== null && total + n > o.tokenBudget) {
        state.budgetHit = true;
        bump(counts.dropped, "token_budget");
        continue;
      }
      chunksDropped += chunks.dropped;
      if (chunks.kept.length === 0) {
        bump(counts.dropped, "short_chunks");
        continue;
      }
      for (let k = 0; k < ids.length; k++) if (ids[k]! > maxEmitted) maxEmitted = ids[k]!;
      const split: Split = isValid(r.doc_id, threshold) ? "valid" : "train";
      const language = r.language ?? NO_LANGUAGE;
      const first = perSplit[split].samples;
      for (const [a, b] of chunks.kept) sinks[split].add(ids.subarray(a, b), r.language);
      const ps = perSplit[split];
      ps.docs++;
      ps.samples += chunks.kept.length;
      ps.tokens += n;
      const lc = (languages[language] ??= { docs: 0, samples: 0, tokens: 0 });
      lc.docs++;
      lc.samples += chunks.kept.length;
      lc.tokens += n;
      chunksKept += chunks.kept.length;
      total += n;
      counts.kept++;
      if (r.tag === "tagged") tagged++;
      else if (r.tag === "missing") bump(missingTags, language);
      if (r.fim !== null) {
        bump(fimByMode, r.fim.mode);
        if (r.fim.layout === "spm") fimSpm++;
      }
      await index!.write(indexRow(r, split, first, chunks.kept.length, chunks.dropped, n));
      bytes += r.chars;
    }
    progress.add(docs, bytes);
  };

  try {
    // Groups are read and given to the encoders READ_AHEAD groups before they are written, so
    // the encoders never wait for the reader.
    const ahead: Pending[] = [];
    for await (const g of groups) {
      ahead.push(g);
      if (ahead.length > READ_AHEAD) await writeGroup(await ahead.shift()!.records);
    }
    while (ahead.length > 0) await writeGroup(await ahead.shift()!.records);
    const budgetHit = state.budgetHit;
    const outputs: Record<Split, FileDigest[]> = { train: [], valid: [] };
    let dtype: SinkDtype = writeDtype;
    const narrow = o.dtype === "auto" && maxEmitted <= 0xffff && (o.format === "megatron" || o.format === "npy");
    for (const s of SPLITS) outputs[s] = await sinks[s].finish();
    if (narrow) {
      dtype = "uint16";
      for (const s of SPLITS) outputs[s] = await narrowToUint16(o.format, join(o.outDir, s));
    }
    await index!.finish();
    const indexDigest = { ...index!.digest(), path: "index.jsonl.zst" };
    progress.done();
    if (!countsAddUp(counts)) throw new Error("tokenize: internal error: counts do not add up");
    const fimSetting =
      plan.fim === null
        ? null
        : {
            rate: plan.fim.settings.rate,
            spm_rate: plan.fim.settings.spmRate,
            mode: plan.fim.settings.mode,
            sentinels: SENTINEL_TEXTS,
            sentinel_ids: plan.fim.sentinels,
          };
    const config = {
      format: o.format,
      dtype_requested: o.dtype,
      valid_fraction: o.validFraction,
      token_budget: o.tokenBudget,
      eos: !o.noEos,
      eos_id: eos,
      tokenizer_sha256: tok.sha256,
      seed,
      allow_special: Object.fromEntries(plan.allowed),
      language_tags: plan.tags === null ? null : { template: plan.tags.template, missing_tag: plan.tags.missing },
      fim: fimSetting,
      max_length: maxLength,
      min_chunk_tokens: minChunk,
      samples_per_shard: o.format === "jsonl" || o.format === "parquet" ? (o.samplesPerShard ?? SAMPLES_PER_SHARD) : null,
    };
    const samples = chunksKept;
    const fimDocs = Object.values(fimByMode).reduce((a, b) => a + b, 0);
    const metrics = {
      samples,
      tokens: total,
      avg_length: samples === 0 ? 0 : Math.round((total / samples) * 100) / 100,
      languages: sortedObject(languages),
      language_tags: plan.tags === null ? null : { tagged, missing: sortedObject(missingTags), tag_ids: sortedObject(tagIds) },
      fim:
        plan.fim === null
          ? null
          : {
              docs: counts.kept,
              transformed: fimDocs,
              rate: counts.kept === 0 ? 0 : Math.round((fimDocs / counts.kept) * 1e6) / 1e6,
              by_mode: sortedObject(fimByMode),
              spm: fimSpm,
              psm: fimDocs - fimSpm,
            },
      chunks: { kept: chunksKept, dropped_short: chunksDropped },
    };
    const manifest = {
      kind: "gamma.tokenize/v1",
      stage: "tokenize",
      gamma_version: GAMMA_VERSION,
      git_sha: gitSha(),
      created_at: createdAt(),
      config,
      config_sha256: sha256Hex(JSON.stringify(config)),
      tokenizer: {
        path: o.tokenizer,
        sha256: tok.sha256,
        kind: tok.kind,
        encoder: tok.encoder,
        note: tok.note,
        vocab_size: tok.vocabSize,
        eos_id: tok.eosId,
        bos_id: tok.bosId,
      },
      inputs: await Promise.all(files.map((f) => sha256File(f))),
      input_manifests: inputManifests(files),
      split_rule: { rule: SPLIT_RULE, valid_fraction: o.validFraction },
      budget: {
        token_budget: o.tokenBudget,
        reached: budgetHit,
        rule: "documents in input order while the running total stays within the budget; stop at the first that would pass it",
      },
      dtype,
      max_token_id: maxEmitted,
      counts: { docs: sortedCounts(counts), tokens: total, splits: perSplit },
      metrics,
      outputs: {
        ...Object.fromEntries(
          SPLITS.map((s) => [s, outputs[s].map((d) => ({ ...d, path: d.path.slice(o.outDir.length).replace(/^\/+/, "") }))]),
        ),
        index: indexDigest,
      } as Record<Split, FileDigest[]> & { index: FileDigest },
    };
    writeJsonAtomic(join(o.outDir, "manifest.json"), manifest);
    info(
      `tokenize: ${counts.kept} docs, ${samples} samples, ${total} tokens (${dtype}) -> ${o.outDir} (train ${perSplit.train.docs} docs, valid ${perSplit.valid.docs} docs` +
        `${fimSetting === null ? "" : `; FIM on ${fimDocs}`}${chunksDropped > 0 ? `; ${chunksDropped} short chunks left out` : ""}${budgetHit ? `; budget reached, ${counts.dropped.token_budget ?? 0} docs left out` : ""})`,
    );
    return manifest;
  } catch (e) {
    await abortAll();
    throw e;
  }
}

/** What a task reports (its marker's result). */
export interface TokenizeTaskSummary {
  task: Task;
  /** Lines of the task's share. */
  records: number;
  /** Documents encoded (those after the budget is sure to be reached are not) and their tokens. */
  docs: number;
  tokens: number;
  skipped: boolean;
}

/** The hash a task's marker carries: the inputs and every option but threads, folder and task. */
function taskKey(s: Setup, block: number): string {
  const { cpuThreads: _t, outDir: _d, merge: _m, mergeTasks: _n, taskBlock: _b, ...rest } = s.o;
  return sha256Hex(JSON.stringify({ options: rest, files: s.files.map((f) => [f, statSync(f).size]), tokenizer: s.tok.sha256, block }));
}

function taskBase(outDir: string, t: Task): string {
  return join(markerDir(outDir), `tokenize.${taskName(t)}-of-${String(t.count).padStart(5, "0")}`);
}

/**
 * One task: encodes the documents of its blocks exactly as a plain run does and writes the
 * records for the merge, then its marker. A task finished for the same work is skipped.
 */
export async function runTokenizeTask(o: TokenizeOptions, task: Task): Promise<TokenizeTaskSummary> {
  const s = await setup(o);
  const block = o.taskBlock ?? TASK_BLOCK;
  const key = taskKey(s, block);
  const base = taskBase(o.outDir, task);
  const done = readMarker(o.outDir, "tokenize", task, key);
  if (done !== null && recordsExist(base)) {
    info(`tokenize: task ${task.index} of ${task.count} already done; skipped`);
    return { ...(done.result as TokenizeTaskSummary), skipped: true };
  }
  removeStaleTemps(markerDir(o.outDir), 1);
  const pool = await createEncodePool(s.tok, o.cpuThreads);
  const writer = new RecordWriter<Omit<EncodedDoc, "ids"> | { bad: true }>(base);
  const summary: TokenizeTaskSummary = { task, records: 0, docs: 0, tokens: 0, skipped: false };
  const progress = new Progress(`tokenize task ${task.index}`);
  // The tokens this task's documents would add to the total: once they alone pass the budget,
  // the budget is reached at the latest there, so later documents need no encoding (the merge
  // counts them as token_budget, as one run does).
  let local = 0;
  let past = false;
  try {
    const ahead: Pending[] = [];
    const put = async (records: TokRecord[]) => {
      let bytes = 0;
      for (const r of records) {
        summary.records++;
        if ("bad" in r) await writer.add(r, null);
        else {
          const { ids, ...meta } = r;
          await writer.add(meta, ids);
          bytes += r.chars;
          if (ids === null) continue;
          summary.docs++;
          summary.tokens += ids.length;
          if (o.tokenBudget === null || (r.tag === "missing" && s.plan.tags!.missing === "drop")) continue;
          for (const [a, b] of chunkRanges(ids.length, s.maxLength, s.minChunk).kept) local += b - a;
          if (local > o.tokenBudget) past = true;
        }
      }
      progress.add(records.length, bytes);
    };
    for await (const g of encodeRecords(ownedBatches(readDocBatches(s.files), task, block), s, pool, () => past)) {
      ahead.push(g);
      if (ahead.length > READ_AHEAD) await put(await ahead.shift()!.records);
    }
    while (ahead.length > 0) await put(await ahead.shift()!.records);
    await writer.finish();
  } catch (e) {
    await writer.abort();
    throw e;
  } finally {
    await pool.close();
  }
  progress.done();
  writeMarker(o.outDir, "tokenize", task, key, summary);
  info(`tokenize: task ${task.index} of ${task.count}: ${summary.docs} docs, ${summary.tokens} tokens encoded for the merge`);
  return summary;
}

/** --merge: the tasks' records, in input order, through the rest of the stage; then their records go. */
async function mergeTokenize(o: TokenizeOptions) {
  const s = await setup(o);
  const count = o.mergeTasks ?? 1;
  const block = o.taskBlock ?? TASK_BLOCK;
  const key = taskKey(s, block);
  const tasks = Array.from({ length: count }, (_, index) => ({ index, count }));
  const markers = allMarkers(o.outDir, "tokenize", count, key);
  const missing = tasks.filter((t, i) => markers[i] === null || !recordsExist(taskBase(o.outDir, t))).map((t) => t.index);
  if (missing.length > 0) {
    throw new InputError(
      `tokenize --merge: task(s) ${missing.join(", ")} of ${count} have not finished for these inputs and settings in ${o.outDir}; run them first`,
      { code: "tasks_missing" },
    );
  }
  const streams = tasks.map((t) => readRecords<Omit<EncodedDoc, "ids"> | { bad: true }>(taskBase(o.outDir, t)));
  const manifest = await writeTokenOutputs(s, inGroups(interleaveBlocks(streams, block)), { budgetHit: false });
  for (const t of tasks) removeRecords(taskBase(o.outDir, t));
  return manifest;
}

/** Records read back, in groups as the writer takes them. */
async function* inGroups(records: AsyncIterable<TaskRecord<Omit<EncodedDoc, "ids"> | { bad: true }>>): AsyncGenerator<Pending> {
  let g: TokRecord[] = [];
  for await (const r of records) {
    g.push("bad" in r.meta ? { bad: true } : { ...r.meta, ids: r.ids });
    if (g.length === MERGE_GROUP) {
      yield { records: Promise.resolve(g) };
      g = [];
    }
  }
  if (g.length > 0) yield { records: Promise.resolve(g) };
}

const NO_LANGUAGE = "(none)";
export const DEFAULT_TAG_TEMPLATE = "<|lang_{language}|>";

function sortedObject<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One line of index.jsonl.zst: where a document's samples are, and how it was transformed. */
function indexRow(r: EncodedDoc, split: Split, first: number, samples: number, dropped: number, tokens: number): string {
  const fim = r.fim === null ? "null" : JSON.stringify(r.fim);
  return `{"doc_id":${JSON.stringify(r.doc_id)},"split":"${split}","language":${JSON.stringify(r.language)},"tag":${r.tag === "tagged"},"fim":${fim},"first_sample":${first},"samples":${samples},"chunks_dropped":${dropped},"tokens":${tokens}}\n`;
}
