/**
 * `gamma sample`: one streaming pass of reservoir sampling (Algorithm R,
 * SplitMix64; src/ingest/reservoir.ts) over JSONL files in sorted path order,
 * line order. Writes the sample as JSONL {uid, split, doc_id, text} in stream
 * order, and MANIFEST.meta.json beside it with the inputs and their sha256,
 * the Hub revisions their shard manifests record, the seed, k, the splits,
 * the filters and the algorithm. Only the k sampled documents are held in
 * memory.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ConfigError } from "../errors.ts";
import { dedupeKey, dropReason, sampleReservoir, type SampleFilters, type SplitSpec } from "../ingest/reservoir.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { expandInputs } from "../io/glob.ts";
import { sha256File, sha256Hex, type FileDigest } from "../io/hash.ts";
import { readLines } from "../io/read-lines.ts";
import { readJsonFile, type ShardManifest } from "../io/shard-manifest.ts";
import { createdAt } from "../io/timestamp.ts";
import { info, Progress } from "../log.ts";
import { GAMMA_VERSION } from "../version.ts";

export interface SampleOptions {
  inputs: string[];
  out: string;
  k: number;
  seed: number;
  splits: SplitSpec[];
  splitMode: "hash" | "exact";
  textField: string;
  /** Field copied to the rows' doc_id (default doc_id); absent values give null. */
  idField: string;
  filters: SampleFilters;
  dedupe: boolean;
  /** Pair records: source and target fields (both required per row); the filters apply to each side. */
  pair?: { srcField: string; tgtField: string };
  /** Weighted reservoir (Efraimidis–Spirakis): the field holding each row's weight (> 0). */
  weightField?: string;
  /** NFKC-normalize texts before hashing, deduplicating and writing (encode then sees the same text). */
  nfkc?: boolean;
}

export interface SampleSummary {
  out: string;
  meta: string;
  rows: number;
  counts: Record<string, number>;
}

interface Candidate {
  text?: unknown;
  src?: unknown;
  tgt?: unknown;
  weight?: unknown;
  doc_id: string | null;
}

/** The text a pair's uid is made from: the JSON array [source, target] (no separator can be confused with text). */
export function pairUidText(src: string, tgt: string): string {
  return JSON.stringify([src, tgt]);
}

/** manifest.jsonl -> manifest.meta.json; other names get .meta.json appended. */
export function metaPathFor(out: string): string {
  const stem = basename(out).replace(/\.jsonl$/, "");
  return join(dirname(out), `${stem}.meta.json`);
}

/** The shard manifest beside a normalized shard (part-00003.jsonl.zst -> part-00003.manifest.json), when there is one. */
function shardManifestOf(file: string): string | null {
  const m = file.match(/^(.*)\.jsonl(\.zst|\.gz)?$/);
  if (!m) return null;
  const p = `${m[1]}.manifest.json`;
  return existsSync(p) ? p : null;
}

export async function runSample(o: SampleOptions): Promise<SampleSummary> {
  if (!o.out.endsWith(".jsonl"))
    throw new ConfigError(`--out ${o.out}: the sample is written as JSONL; name it *.jsonl (the meta file goes beside it as *.meta.json)`);
  const files = expandInputs(o.inputs, { what: "input files" });
  const counts: Record<string, number> = {};
  const bump = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  const progress = new Progress("sample", null);
  async function* candidates(): AsyncGenerator<Candidate> {
    for (const file of files) {
      for await (const lines of readLines(file)) {
        let bytes = 0;
        let n = 0;
        for (const l of lines) {
          if (l.text.trim() === "") continue;
          let v: unknown;
          try {
            v = JSON.parse(l.text);
          } catch {
            bump("bad_json_lines");
            continue;
          }
          if (v === null || typeof v !== "object" || Array.isArray(v)) {
            bump("bad_json_lines");
            continue;
          }
          const rec = v as Record<string, unknown>;
          const id = rec[o.idField];
          n++;
          bytes += l.text.length;
          const norm = (t: unknown) => (o.nfkc && typeof t === "string" ? t.normalize("NFKC") : t);
          const doc_id = typeof id === "string" ? id : typeof id === "number" ? String(id) : null;
          const weight = o.weightField === undefined ? undefined : rec[o.weightField];
          if (o.pair) yield { src: norm(rec[o.pair.srcField]), tgt: norm(rec[o.pair.tgtField]), weight, doc_id };
          else yield { text: norm(rec[o.textField]), weight, doc_id };
        }
        progress.add(n, bytes);
      }
    }
  }
  info(`sample: k=${o.k} seed=${o.seed} over ${files.length} file(s)`);
  const pair = o.pair;
  const r = await sampleReservoir<Candidate>(candidates(), {
    k: o.k,
    seed: o.seed,
    splits: o.splits,
    splitMode: o.splitMode,
    filters: o.filters,
    dedupe: o.dedupe,
    counters: counts,
    ...(o.weightField === undefined ? {} : { weight: (c: Candidate) => (typeof c.weight === "number" ? c.weight : null) }),
    ...(pair === undefined
      ? {}
      : {
          eligible: (c: Candidate) => {
            const a = dropReason(c.src, o.filters);
            if (a !== null) return `${a}_source`;
            const b = dropReason(c.tgt, o.filters);
            return b === null ? null : `${b}_target`;
          },
          uidText: (c: Candidate) => pairUidText(c.src as string, c.tgt as string),
          dedupeText: (c: Candidate) => `${dedupeKey(c.src as string)}\u0000${dedupeKey(c.tgt as string)}`,
        }),
  });
  progress.done();
  const body = r.rows
    .map((row) =>
      pair === undefined
        ? JSON.stringify({ uid: row.uid, split: row.split, doc_id: row.item.doc_id, text: row.text })
        : JSON.stringify({ uid: row.uid, split: row.split, doc_id: row.item.doc_id, src_text: row.item.src, tgt_text: row.item.tgt }),
    )
    .map((l) => l + "\n")
    .join("");
  writeFileAtomic(o.out, body);

  const inputs: (FileDigest & { manifest?: { path: string; sha256: string } })[] = [];
  const revisions = new Map<string, Record<string, unknown>>();
  for (const f of files) {
    const d: FileDigest & { manifest?: { path: string; sha256: string } } = await sha256File(f);
    const mp = shardManifestOf(f);
    if (mp) {
      d.manifest = { path: mp, sha256: (await sha256File(mp)).sha256 };
      const hf = (readJsonFile<ShardManifest>(mp)?.params as { hf?: Record<string, unknown> } | undefined)?.hf;
      if (hf) {
        const rev = { dataset: hf.dataset, config: hf.config, split: hf.split, revision: hf.revision, resolved_sha: hf.resolved_sha };
        revisions.set(JSON.stringify(rev), rev);
      }
    }
    inputs.push(d);
  }
  const perSplit: Record<string, number> = {};
  for (const s of o.splits) perSplit[s.name] = 0;
  for (const row of r.rows) perSplit[row.split] = (perSplit[row.split] ?? 0) + 1;
  const meta = {
    kind: "gamma.sample/v1",
    gamma_version: GAMMA_VERSION,
    created_at: createdAt(),
    algorithm: r.meta.algorithm,
    prng: r.meta.prng,
    seed: r.meta.seed,
    k: r.meta.k,
    splits: r.meta.splits,
    split_mode: r.meta.splitMode,
    split_rule: r.meta.splitRule,
    uid: r.meta.uid,
    ...(pair === undefined
      ? { text_field: o.textField }
      : { src_field: pair.srcField, tgt_field: pair.tgtField, uid_text: "JSON array [src_text, tgt_text]" }),
    id_field: o.idField,
    weight_field: o.weightField ?? null,
    normalization: o.nfkc ? "nfkc" : "none",
    filters: {
      ...r.meta.filters,
      per_side: pair !== undefined,
      dedupe: o.dedupe ? "before sampling, on NFKC + collapsed whitespace + lower case text" : false,
    },
    input_order: "files in sorted path order, lines in file order",
    inputs,
    revisions: [...revisions.values()],
    counts: { seen: r.meta.seen, eligible: r.meta.eligible, sampled: r.rows.length, per_split: perSplit, ...counts },
    output: { path: basename(o.out), sha256: sha256Hex(body), bytes: Buffer.byteLength(body) },
  };
  const metaPath = metaPathFor(o.out);
  writeJsonAtomic(metaPath, meta);
  return { out: o.out, meta: metaPath, rows: r.rows.length, counts: meta.counts as unknown as Record<string, number> };
}
