/**
 * Normalizes one stream of raw records into one shard:
 * DIR/<source>/<domain>/part-NNNNN.jsonl.zst, its .rejects.jsonl.zst and its
 * .manifest.json. Every record ends as kept, dropped by a filter, or rejected,
 * each with a reason. Shared by `normalize` (JSONL, Parquet) and the ingest
 * commands (Wikipedia, StackExchange, Hub).
 */
import { join } from "node:path";
import { InputError, RecordError } from "../errors.ts";
import { applyRules, buildRules, type FilterConfig } from "../filters/rules.ts";
import type { FileDigest } from "../io/hash.ts";
import { filterParams, LanguageGate } from "../lang/language-filter.ts";
import { SHARD_MANIFEST_KIND, type ShardManifest } from "../io/shard-manifest.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { createdAt } from "../io/timestamp.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";
import { bump, docToJson, emptyCounts, sortedCounts, type Doc, type RejectRecord } from "../pipeline.ts";
import { GAMMA_VERSION } from "../version.ts";
import { writeJsonString } from "./normalize-json-text.ts";
import { CodeShard, STACK_FIELDS, type CodeInputs } from "../code/code-shard.ts";

export interface NormalizeParams {
  source: string;
  domain: string;
  textField: string;
  idField: string | null;
  licenseTag: string | null;
  filters: FilterConfig;
  nfkc: boolean;
  strict: boolean;
  keepRejectedText: boolean;
  /** The shard fails when more than this fraction of its documents contain NUL. */
  maxNulFraction: number;
  /** Where code records keep their path, stars and language, and the sampling seed (`--filters code`). */
  code?: CodeInputs;
}

/** One item of a record stream: a parsed record, or input that could not be read as one. */
export type SourceItem =
  | { fields: Record<string, unknown>; ordinal: number; location: string; invalidUtf8?: boolean }
  | { reject: string; detail: string; ordinal: number; location: string; docId?: string };

export interface ShardTarget {
  outDir: string;
  part: number;
  /** Digests of the files the records come from, recorded in the manifest. */
  inputs: FileDigest[];
  /** Stable prefix for derived doc ids: `<source>/<first 12 hex of the input sha256>` (README, normalize). */
  idBase: string;
  /**
   * Provenance recorded in the manifest's `params` after the normalize
   * parameters (e.g. the Hub dataset, config and pinned sha). Read when the
   * manifest is written, at the end of the stream.
   */
  extraParams?: Record<string, unknown>;
}

export function shardPaths(outDir: string, source: string, domain: string, part: number) {
  const dir = join(outDir, source, domain);
  const stem = `part-${String(part).padStart(5, "0")}`;
  return {
    dir,
    shard: join(dir, `${stem}.jsonl.zst`),
    rejects: join(dir, `${stem}.rejects.jsonl.zst`),
    manifest: join(dir, `${stem}.manifest.json`),
  };
}

export function paramsRecord(p: NormalizeParams): Record<string, unknown> {
  return {
    text_field: p.textField,
    id_field: p.idField,
    license_tag: p.licenseTag,
    ...filterParams(p.filters),
    nfkc: p.nfkc,
    max_nul_fraction: p.maxNulFraction,
    keep_rejected_text: p.keepRejectedText,
    ...(p.code
      ? { code_fields: { path: p.code.pathFields, stars: p.code.starsFields, language: p.code.languageFields }, seed: p.code.seed }
      : {}),
  };
}

const CONSUMED = new Set(["created_at", "license_tag"]);

export interface ShardResult {
  manifest: ShardManifest;
  manifestPath: string;
}

export async function normalizeStream(
  items: AsyncIterable<SourceItem[]>,
  target: ShardTarget,
  p: NormalizeParams,
  onProgress?: (docs: number, bytes: number) => void,
): Promise<ShardResult> {
  const paths = shardPaths(target.outDir, p.source, p.domain, target.part);
  const out = new ZstdTextWriter(paths.shard);
  let rej: ZstdTextWriter;
  try {
    rej = new ZstdTextWriter(paths.rejects);
  } catch (e) {
    await out.abort(); // no half-opened shard left behind
    throw e;
  }
  const rules = buildRules(p.filters);
  const code = p.filters.code ? new CodeShard(p.filters.code, p.code ?? { ...STACK_FIELDS, seed: 0 }) : null;
  const lang = p.filters.language ? new LanguageGate(p.filters.language) : null;
  const counts = emptyCounts();
  let textIn = 0;
  let textKept = 0;
  let withNul = 0;
  const reject = async (r: RejectRecord, bucket: Record<string, number>) => {
    bump(bucket, r.reason);
    await rej.write(JSON.stringify(r) + "\n");
  };
  try {
    for await (const batch of items) {
      for (const item of batch) {
        counts.in++;
        const derivedId = `${target.idBase}/${item.ordinal}`;
        if ("reject" in item) {
          if (p.strict) throw new RecordError(item.reject, `${item.location}: ${item.detail} (--strict stops at the first bad record)`);
          await reject(
            { doc_id: item.docId ?? derivedId, stage: "normalize", reason: item.reject, detail: `${item.location}: ${item.detail}` },
            counts.rejected,
          );
          continue;
        }
        const f = item.fields;
        const raw = f[p.textField];
        if (typeof raw !== "string") {
          const reason = raw === undefined ? "missing_text_field" : "text_not_string";
          const detail = `${item.location}: field "${p.textField}" is ${raw === undefined ? "missing" : `a ${raw === null ? "null" : typeof raw}`}; keys present: ${Object.keys(f).join(", ") || "(none)"}`;
          if (p.strict) throw new RecordError(reason, `${detail} (--strict stops at the first bad record)`);
          await reject({ doc_id: idOf(f, p, derivedId) ?? derivedId, stage: "normalize", reason, detail }, counts.rejected);
          continue;
        }
        let text = raw;
        const rawBytes = Buffer.byteLength(raw, "utf8");
        textIn += rawBytes;
        const docId = idOf(f, p, derivedId);
        if (docId === null) {
          const detail = `${item.location}: id field "${p.idField}" is missing or not a string/number`;
          if (p.strict) throw new RecordError("missing_id_field", detail);
          await reject(
            { doc_id: derivedId, stage: "normalize", reason: "missing_id_field", detail, ...(p.keepRejectedText ? { text } : {}) },
            counts.rejected,
          );
          continue;
        }
        const modified: string[] = [];
        if (item.invalidUtf8) modified.push("invalid_utf8");
        if (text.includes("\u0000")) {
          text = text.replaceAll("\u0000", "");
          withNul++;
          modified.push("nul_removed");
        }
        if (p.nfkc) {
          const n = text.normalize("NFKC");
          if (n !== text) modified.push("nfkc");
          text = n;
        }
        let verdict = applyRules(rules, text);
        let fields = f;
        if (code !== null) {
          const c = await code.decide(f, text, docId, rawBytes);
          verdict = c.verdict;
          fields = { ...f, language: c.language };
        } else if (verdict === null && lang !== null) {
          verdict = lang.judge(f, text);
        }
        if (verdict) {
          await reject(
            { doc_id: docId, stage: "normalize", reason: verdict.reason, detail: verdict.detail, ...(p.keepRejectedText ? { text } : {}) },
            counts.dropped,
          );
          continue;
        }
        for (const m of modified) bump(counts.modified, m);
        counts.kept++;
        textKept += text === raw ? rawBytes : Buffer.byteLength(text, "utf8");
        const doc = toDoc(fields, "", docId, p);
        lang?.stamp(doc);
        await writeDocLine(out, text, doc);
      }
      onProgress?.(counts.in, textIn);
    }
    if (counts.in > 0 && withNul / counts.in > p.maxNulFraction) {
      throw new InputError(
        `normalize: ${withNul} of ${counts.in} documents from ${target.inputs.map((i) => i.path).join(", ")} contain NUL characters (more than --max-nul-fraction ${p.maxNulFraction}); the input is probably binary or mis-encoded. Fix it or raise --max-nul-fraction.`,
        { code: "pervasive_nul" },
      );
    }
    await out.finish();
    await rej.finish();
  } catch (e) {
    await out.abort();
    await rej.abort();
    throw e;
  }
  const manifest: ShardManifest = {
    kind: SHARD_MANIFEST_KIND,
    stage: "normalize",
    gamma_version: GAMMA_VERSION,
    created_at: createdAt(),
    source: p.source,
    domain: p.domain,
    shard: relDigest(out.digest(), paths.dir),
    rejects: relDigest(rej.digest(), paths.dir),
    inputs: target.inputs,
    counts: sortedCounts(counts),
    bytes: { text_in: textIn, text_kept: textKept },
    params: { ...paramsRecord(p), ...target.extraParams },
    ...(code ? { by_language: code.byLanguage() } : {}),
  };
  writeJsonAtomic(paths.manifest, manifest);
  return { manifest, manifestPath: paths.manifest };
}

function relDigest(d: FileDigest, dir: string): FileDigest {
  return { ...d, path: d.path.startsWith(dir + "/") ? d.path.slice(dir.length + 1) : d.path };
}

function idOf(f: Record<string, unknown>, p: NormalizeParams, derived: string): string | null {
  if (p.idField === null) return derived;
  const v = f[p.idField];
  if (typeof v === "string" && v.length > 0) return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return null;
}

/** How docToJson begins for an empty text: the rest of its JSON comes after the text. */
const EMPTY_TEXT_HEAD = '{"text":""';

/**
 * Appends a kept document's shard line, docToJson(doc) + "\n" as UTF-8, given
 * its text and the document with an empty text. The text, most of the line, is
 * escaped and encoded in one pass by the JSON text kernel, into the writer's
 * buffer; the rest is docToJson's.
 */
function writeDocLine(out: ZstdTextWriter, text: string, emptyText: Doc): Promise<void> {
  const rest = docToJson(emptyText);
  if (!rest.startsWith(EMPTY_TEXT_HEAD)) throw new Error("normalize: internal error: docToJson no longer writes the text first");
  return writeJsonString(out, text, '{"text":', rest.slice(EMPTY_TEXT_HEAD.length) + "\n");
}

function toDoc(f: Record<string, unknown>, text: string, docId: string, p: NormalizeParams): Doc {
  let meta: Record<string, unknown> | null = null;
  const put = (k: string, v: unknown) => {
    (meta ??= {})[k] = v;
  };
  const inner = f.meta;
  if (inner !== null && typeof inner === "object" && !Array.isArray(inner)) {
    for (const [k, v] of Object.entries(inner as Record<string, unknown>)) put(k, v);
  }
  for (const [k, v] of Object.entries(f)) {
    if (k === p.textField || k === p.idField || k === "meta" || CONSUMED.has(k)) continue;
    if (k === "source" || k === "domain" || k === "doc_id" || k === "text") continue;
    put(k, v);
  }
  const license = p.licenseTag ?? (typeof f.license_tag === "string" ? f.license_tag : null);
  const created = typeof f.created_at === "string" ? f.created_at : null;
  return { text, source: p.source, domain: p.domain, doc_id: docId, license_tag: license, created_at: created, meta };
}
