/**
 * `gamma encode`: a frozen sample (gamma sample's JSONL and its meta) -> a fixed-length token
 * cache per split, keeping the sample's split labels: DIR/<split>/input_ids.npy, attention_mask.npy,
 * labels.npy ([rows, T]), lengths.npy ([rows]) and rows.jsonl (uid, doc_id per row), plus
 * DIR/ENCODE.meta.json (tokenizer, special ids, normalization, T, pad id, counts, and an experiment
 * id tying the sample to the encode settings). `gamma check-encode` re-encodes and compares.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildRow, type SequenceSettings } from "../batches/sequence.ts";
import { ConfigError, GammaError, InputError } from "../errors.ts";
import { sha256File, sha256Hex } from "../io/hash.ts";
import { readNpy } from "../io/npy.ts";
import { info } from "../log.ts";
import { manifestHeader } from "../runtime/manifest.ts";
import { Outputs } from "../runtime/outputs.ts";
import { metaPathFor } from "./sample.ts";
import { loadTokenizer, type Tokenizer } from "../tokenizer/index.ts";

export const ENCODE_META = "ENCODE.meta.json";

export interface EncodeOptions {
  sample: string;
  tokenizer: string;
  tokenizerSha256: string | null;
  outDir: string;
  maxLen: number;
  lossOn: "all" | "target";
  /** Id joining source and target; default: the tokenizer's EOS. */
  sepId: number | null;
  padId: number | null;
  eos: boolean;
  bos: boolean;
}

interface SampleRow {
  uid: string;
  split: string;
  doc_id: string | null;
  text?: string;
  src_text?: string;
  tgt_text?: string;
}

interface SampleMetaFile {
  kind: string;
  splits: { name: string }[];
  normalization?: string;
  src_field?: string;
}

function readSample(path: string): { rows: SampleRow[]; meta: SampleMetaFile; pairs: boolean } {
  if (!existsSync(path)) throw new ConfigError(`--sample ${path}: no such file (make it with gamma sample)`);
  const metaPath = metaPathFor(path);
  if (!existsSync(metaPath))
    throw new ConfigError(`--sample ${path}: its meta file ${metaPath} is missing; encode reads the splits and normalization from it`);
  const meta = JSON.parse(readFileSync(metaPath, "utf8")) as SampleMetaFile;
  if (meta.kind !== "gamma.sample/v1") throw new ConfigError(`${metaPath}: kind ${JSON.stringify(meta.kind)} is not a gamma sample`);
  const pairs = meta.src_field !== undefined;
  const rows: SampleRow[] = [];
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      let r: SampleRow;
      try {
        r = JSON.parse(line) as SampleRow;
      } catch (e) {
        throw new InputError(`${path}:${i + 1}: not JSON (${(e as Error).message})`);
      }
      const ok = pairs ? typeof r.src_text === "string" && typeof r.tgt_text === "string" : typeof r.text === "string";
      if (!ok || typeof r.split !== "string")
        throw new InputError(`${path}:${i + 1}: a sample row needs split and ${pairs ? "src_text and tgt_text" : "text"}`);
      rows.push(r);
    });
  return { rows, meta, pairs };
}

/** The encode settings as recorded; check-encode rebuilds them from this. */
interface EncodeRecord {
  sample: { path: string; sha256: string; meta_sha256: string };
  tokenizer: {
    path: string;
    sha256: string;
    kind: string;
    vocab_size: number;
    byte_fallback: unknown;
    character_coverage: unknown;
    normalization: unknown;
  };
  normalization: { sample: string; applied_before_encoding: string };
  sequence: SequenceSettings & { pairs: boolean };
}

function settingsFor(o: EncodeOptions, tok: Tokenizer, pairs: boolean): SequenceSettings {
  if (!Number.isInteger(o.maxLen) || o.maxLen < 2) throw new ConfigError(`--max-len must be an integer >= 2, got ${o.maxLen}`);
  const eosId = o.eos ? tok.eosId : null;
  if (o.eos && eosId === null)
    throw new ConfigError(`--tokenizer ${o.tokenizer} names no EOS token; pass --no-eos, or a tokenizer with one`);
  const bosId = o.bos ? tok.bosId : null;
  if (o.bos && bosId === null) throw new ConfigError(`--bos: the tokenizer ${o.tokenizer} names no BOS token`);
  const padId = o.padId ?? tok.eosId;
  if (padId === null) throw new ConfigError("--pad-id is needed: the tokenizer names no EOS to pad with");
  if (padId > tok.maxId) throw new ConfigError(`--pad-id ${padId}: the tokenizer's largest id is ${tok.maxId}`);
  let sepId: number | null = null;
  if (pairs) {
    sepId = o.sepId ?? tok.eosId;
    if (sepId === null) throw new ConfigError("--sep-id is needed for pairs: the tokenizer names no EOS to join source and target with");
    if (sepId > tok.maxId) throw new ConfigError(`--sep-id ${sepId}: the tokenizer's largest id is ${tok.maxId}`);
  }
  if (o.lossOn === "target" && !pairs)
    throw new ConfigError("--loss-on target needs a sample of pairs (gamma sample --src-field/--tgt-field)");
  return { maxLen: o.maxLen, padId, bosId, eosId, sepId, lossOn: o.lossOn };
}

/** The rows of each split in sample order, encoded. */
function encodeRows(rows: SampleRow[], tok: Tokenizer, s: SequenceSettings, pairs: boolean, nfkc: boolean) {
  const prep = (t: string) => (nfkc ? t.normalize("NFKC") : t);
  return rows.map((r) =>
    pairs ? buildRow(tok.encode(prep(r.src_text!)), tok.encode(prep(r.tgt_text!)), s) : buildRow(tok.encode(prep(r.text!)), null, s),
  );
}

function splitNames(meta: SampleMetaFile, rows: SampleRow[]): string[] {
  const names = meta.splits.map((s) => s.name);
  for (const r of rows)
    if (!names.includes(r.split))
      throw new InputError(`sample row ${r.uid}: split ${JSON.stringify(r.split)} is not among the sample's splits ${names.join(", ")}`);
  return names;
}

export async function runEncode(o: EncodeOptions): Promise<Record<string, unknown>> {
  const { rows, meta, pairs } = readSample(o.sample);
  const tok = await loadTokenizer(o.tokenizer, { expectedSha256: o.tokenizerSha256 ?? undefined, requireEos: false });
  const seq = settingsFor(o, tok, pairs);
  const nfkc = meta.normalization === "nfkc";
  const splits = splitNames(meta, rows);
  const encoded = encodeRows(rows, tok, seq, pairs, nfkc);
  const sampleDigest = await sha256File(o.sample);
  const metaDigest = await sha256File(metaPathFor(o.sample));
  const spm = tok.spm;
  const record: EncodeRecord = {
    sample: { path: o.sample, sha256: sampleDigest.sha256, meta_sha256: metaDigest.sha256 },
    tokenizer: {
      path: o.tokenizer,
      sha256: tok.sha256,
      kind: tok.kind,
      vocab_size: tok.vocabSize,
      byte_fallback: spm?.byteFallback ?? null,
      character_coverage: spm?.characterCoverage ?? null,
      normalization: spm?.normalization ?? null,
    },
    normalization: { sample: nfkc ? "nfkc" : "none", applied_before_encoding: nfkc ? "nfkc (the sample's)" : "none" },
    sequence: { ...seq, pairs },
  };
  const experimentId = sha256Hex(
    JSON.stringify({ sample: sampleDigest.sha256, tokenizer: tok.sha256, sequence: record.sequence, normalization: record.normalization }),
  ).slice(0, 16);
  const counts: Record<string, { rows: number; truncated: number; tokens: number }> = {};
  await Outputs.within(async (outs) => {
    for (const split of splits) {
      const dir = join(o.outDir, split);
      const T = seq.maxLen;
      const w = {
        ids: outs.npy(join(dir, "input_ids.npy"), "<i4", T),
        mask: outs.npy(join(dir, "attention_mask.npy"), "|u1", T),
        labels: outs.npy(join(dir, "labels.npy"), "<i4", T),
        lengths: outs.npy(join(dir, "lengths.npy"), "<i4", null),
      };
      const c = (counts[split] = { rows: 0, truncated: 0, tokens: 0 });
      const index: string[] = [];
      rows.forEach((r, i) => {
        if (r.split !== split) return;
        const e = encoded[i]!;
        w.ids.append(e.ids);
        w.mask.append(e.mask);
        w.labels.append(e.labels);
        w.lengths.append(Int32Array.of(e.length));
        index.push(JSON.stringify({ row: c.rows, uid: r.uid, doc_id: r.doc_id, length: e.length, truncated: e.truncated }));
        c.rows++;
        c.tokens += e.length;
        if (e.truncated) c.truncated++;
      });
      outs.text(join(dir, "rows.jsonl"), index.map((l) => l + "\n").join(""));
    }
    const m = {
      ...manifestHeader("gamma.encode/v1", "encode"),
      experiment_id: experimentId,
      ...record,
      splits,
      counts,
      padding: { pad_id: seq.padId, label_ignore: -100, shift: "labels[t] = input_ids[t + 1]; -100 where there is no next real token" },
    };
    outs.json(join(o.outDir, ENCODE_META), m);
  });
  info(
    `encode: ${rows.length} rows -> ${o.outDir} (${splits.map((s) => `${s} ${counts[s]!.rows}`).join(", ")}; T = ${seq.maxLen}; experiment ${experimentId})`,
  );
  return { out_dir: o.outDir, experiment_id: experimentId, counts };
}

/** `gamma check-encode`: re-encodes the sample with the recorded settings and compares the cache. */
export async function runCheckEncode(cacheDir: string): Promise<{ rows: number }> {
  const metaPath = join(cacheDir, ENCODE_META);
  if (!existsSync(metaPath)) throw new ConfigError(`${cacheDir}: no ${ENCODE_META} (not a gamma encode cache)`);
  const m = JSON.parse(readFileSync(metaPath, "utf8")) as EncodeRecord & { splits: string[] };
  const { rows, meta, pairs } = readSample(m.sample.path);
  const now = await sha256File(m.sample.path);
  if (now.sha256 !== m.sample.sha256)
    throw new GammaError(
      "encode_mismatch",
      `check-encode: ${m.sample.path} changed since the cache was made (sha256 ${now.sha256}, recorded ${m.sample.sha256})`,
    );
  const tok = await loadTokenizer(m.tokenizer.path, { expectedSha256: m.tokenizer.sha256, requireEos: false });
  const { pairs: _p, ...seq } = m.sequence;
  const encoded = encodeRows(rows, tok, seq, pairs, meta.normalization === "nfkc");
  const T = seq.maxLen;
  let checked = 0;
  for (const split of m.splits) {
    const ids = readNpy(join(cacheDir, split, "input_ids.npy")).data as Int32Array;
    const mask = readNpy(join(cacheDir, split, "attention_mask.npy")).data as Uint8Array;
    const labels = readNpy(join(cacheDir, split, "labels.npy")).data as Int32Array;
    const want = rows.flatMap((r, i) => (r.split === split ? [{ r, e: encoded[i]! }] : []));
    if (ids.length !== want.length * T)
      throw new GammaError("encode_mismatch", `check-encode: ${split}: the cache holds ${ids.length / T} rows, the sample ${want.length}`, {
        exitCode: 1,
      });
    want.forEach(({ r, e }, row) => {
      for (const [name, cache, fresh] of [
        ["input_ids", ids, e.ids],
        ["attention_mask", mask, e.mask],
        ["labels", labels, e.labels],
      ] as const) {
        for (let t = 0; t < T; t++) {
          if (cache[row * T + t] !== fresh[t]) {
            throw new GammaError(
              "encode_mismatch",
              `check-encode: ${split} row ${row} (uid ${r.uid}): ${name}[${t}] is ${cache[row * T + t]} in the cache, ${fresh[t]} re-encoded`,
              { exitCode: 1 },
            );
          }
        }
      }
      checked++;
    });
  }
  info(`check-encode: ${checked} rows match the sample re-encoded with ${m.tokenizer.path}`);
  return { rows: checked };
}
