/**
 * `gamma tokenize`: normalized documents -> token files a trainer reads, split
 * into train/valid by sha256(doc_id), within an optional token budget.
 *
 * Documents are read in input order (sorted files, then lines); each becomes
 * one sequence (EOS appended unless --no-eos). The budget takes documents in
 * that order while the running total stays within N tokens and stops at the
 * first that would pass it; the rest are counted as dropped (token_budget).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { removeStaleTemps } from "../runtime/outputs.ts";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readDocBatches } from "../io/doc-reader.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File, sha256Hex, type FileDigest } from "../io/hash.ts";
import { isValid, SPLIT_RULE, splitThreshold } from "../io/split.ts";
import { createdAt } from "../io/timestamp.ts";
import { info, Progress } from "../log.ts";
import { bump, countsAddUp, emptyCounts, sortedCounts } from "../pipeline.ts";
import { createEncodePool, loadTokenizer } from "../tokenizer/index.ts";
import { GAMMA_VERSION, gitSha } from "../version.ts";
import { narrowToUint16, openSink, type SinkDtype, type SplitSink, type TokenFormat } from "./tokenize-sinks.ts";

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

export async function runTokenize(o: TokenizeOptions) {
  if (!(o.validFraction >= 0 && o.validFraction <= 1)) throw new ConfigError(`--valid-fraction must be from 0 to 1, got ${o.validFraction}`);
  if (o.tokenBudget !== null && !(Number.isSafeInteger(o.tokenBudget) && o.tokenBudget > 0)) throw new ConfigError(`--token-budget must be a positive integer, got ${o.tokenBudget}`);
  const files = expandInputs(o.inputs, { what: "normalized shards" });
  const tok = await loadTokenizer(o.tokenizer, { eosId: o.eosId, expectedSha256: o.tokenizerSha256 ?? undefined, requireEos: !o.noEos });
  const eos = o.noEos ? null : tok.eosId!;
  const writeDtype: SinkDtype = o.dtype === "uint16" ? "uint16" : "int32";
  const threshold = splitThreshold(o.validFraction);
  removeStaleTemps(o.outDir);
  const sinks = {} as Record<Split, SplitSink>;
  for (const s of SPLITS) {
    mkdirSync(join(o.outDir, s), { recursive: true });
    sinks[s] = openSink(o.format, join(o.outDir, s), writeDtype);
  }
  const counts = emptyCounts();
  const perSplit: Record<Split, { docs: number; tokens: number }> = { train: { docs: 0, tokens: 0 }, valid: { docs: 0, tokens: 0 } };
  let total = 0;
  let maxEmitted = -1;
  let budgetHit = false;
  const pool = await createEncodePool(tok, o.cpuThreads);
  const progress = new Progress("tokenize");
  try {
    for await (const batch of readDocBatches(files)) {
      const live: { docId: string; text: string }[] = [];
      for (const item of batch) {
        counts.in++;
        if ("bad" in item) bump(counts.rejected, "invalid_record");
        else if (budgetHit) bump(counts.dropped, "token_budget");
        else live.push({ docId: item.doc.doc_id, text: item.doc.text });
      }
      if (live.length === 0) continue;
      const encoded = await pool.encodeBatch(live.map((d) => d.text));
      let bytes = 0;
      for (let i = 0; i < live.length; i++) {
        const body = encoded[i]!;
        const n = body.length + (eos === null ? 0 : 1);
        if (budgetHit || (o.tokenBudget !== null && total + n > o.tokenBudget)) {
          budgetHit = true;
          bump(counts.dropped, "token_budget");
          continue;
        }
        let ids = body;
        if (eos !== null) {
          ids = new Uint32Array(n);
          ids.set(body);
          ids[n - 1] = eos;
        }
        for (let k = 0; k < ids.length; k++) if (ids[k]! > maxEmitted) maxEmitted = ids[k]!;
        const split: Split = isValid(live[i]!.docId, threshold) ? "valid" : "train";
        sinks[split].add(ids);
        perSplit[split].docs++;
        perSplit[split].tokens += n;
        total += n;
        counts.kept++;
        bytes += live[i]!.text.length;
      }
      progress.add(live.length, bytes);
    }
    const outputs: Record<Split, FileDigest[]> = { train: [], valid: [] };
    for (const s of SPLITS) outputs[s] = await sinks[s].finish();
    let dtype: SinkDtype = writeDtype;
    if (o.dtype === "auto" && maxEmitted <= 0xffff) {
      dtype = "uint16";
      for (const s of SPLITS) outputs[s] = await narrowToUint16(o.format, join(o.outDir, s));
    }
    progress.done();
    if (!countsAddUp(counts)) throw new Error("tokenize: internal error: counts do not add up");
    const config = {
      format: o.format,
      dtype_requested: o.dtype,
      valid_fraction: o.validFraction,
      token_budget: o.tokenBudget,
      eos: !o.noEos,
      eos_id: eos,
      tokenizer_sha256: tok.sha256,
    };
    const manifest = {
      kind: "gamma.tokenize/v1",
      stage: "tokenize",
      gamma_version: GAMMA_VERSION,
      git_sha: gitSha(),
      created_at: createdAt(),
      config,
      config_sha256: sha256Hex(JSON.stringify(config)),
      tokenizer: { path: o.tokenizer, sha256: tok.sha256, kind: tok.kind, encoder: tok.encoder, note: tok.note, vocab_size: tok.vocabSize, eos_id: tok.eosId, bos_id: tok.bosId },
      inputs: await Promise.all(files.map((f) => sha256File(f))),
      input_manifests: inputManifests(files),
      split_rule: { rule: SPLIT_RULE, valid_fraction: o.validFraction },
      budget: { token_budget: o.tokenBudget, reached: budgetHit, rule: "documents in input order while the running total stays within the budget; stop at the first that would pass it" },
      dtype,
      max_token_id: maxEmitted,
      counts: { docs: sortedCounts(counts), tokens: total, splits: perSplit },
      outputs: Object.fromEntries(SPLITS.map((s) => [s, outputs[s].map((d) => ({ ...d, path: d.path.slice(o.outDir.length).replace(/^\/+/, "") }))])),
    };
    writeJsonAtomic(join(o.outDir, "manifest.json"), manifest);
    info(`tokenize: ${counts.kept} docs, ${total} tokens (${dtype}) -> ${o.outDir} (train ${perSplit.train.docs} docs, valid ${perSplit.valid.docs} docs${budgetHit ? `; budget reached, ${counts.dropped.token_budget ?? 0} docs left out` : ""})`);
    return manifest;
  } catch (e) {
    for (const s of SPLITS) sinks[s].abort();
    throw e;
  } finally {
    await pool.close();
  }
}
