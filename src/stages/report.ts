/**
 * `gamma report`: totals from the manifests (never the documents): docs,
 * bytes, drops by reason, dedup rates, tokens, per source/domain, and a check
 * per stage that docs in = kept + dropped + rejected.
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { expandInputs } from "../io/glob.ts";
import { createdAt } from "../io/timestamp.ts";
import { SHARD_MANIFEST_KIND, type ShardManifest } from "../io/shard-manifest.ts";
import { info } from "../log.ts";
import { collectReport } from "../report/collect.ts";
import { renderHtml } from "../report/html.ts";
import { classify, isStageCounts } from "../report/manifest-files.ts";
import { countsAddUp, emptyCounts, mergeCounts, sortedCounts, sumValues, type StageCounts } from "../pipeline.ts";
import { GAMMA_VERSION } from "../version.ts";
import type { PackMeta } from "./pack.ts";
import { mergeLanguageCounts, sortLanguageCounts, type LanguageCounts } from "../code/code-shard.ts";

interface Bucket {
  counts: StageCounts;
  bytes: { text_in: number; text_kept: number };
  shards: number;
}

export interface Report {
  kind: "gamma.report/v1";
  gamma_version: string;
  created_at: string;
  inputs: string[];
  /** by_language: from shards normalized with --filters code (absent when there are none). */
  normalize: (Bucket & { by_source: Record<string, Bucket>; by_language?: Record<string, LanguageCounts> }) | null;
  dedup: {
    manifest: string;
    mode: unknown;
    counts: StageCounts;
    dedup_rate: number;
    by_source: Record<string, StageCounts & { dedup_rate: number }>;
    backend: unknown;
  }[];
  /** tokenize manifests: tokens and splits, and their metrics (samples, average length, languages, FIM, chunks) when recorded. */
  tokenize: {
    manifest: string;
    tokens: number;
    counts: StageCounts;
    splits: Record<string, { docs: number; tokens: number }>;
    format: unknown;
    metrics: unknown;
  }[];
  /** Every manifest given: read, or refused with the reason. */
  manifests: { path: string; kind: string; read: boolean; reason?: string }[];
  pack: {
    meta: string;
    seq_len: number;
    n_seqs: number;
    packing: string;
    tokens: number;
    padding_tokens: number;
    padding_fraction: number;
    counts: StageCounts;
    by_source: Record<string, { docs: number; tokens: number }>;
  }[];
  checks: { stage: string; where: string; in: number; kept: number; dropped: number; rejected: number; adds_up: boolean }[];
  adds_up: boolean;
}

function check(stage: string, where: string, c: StageCounts): Report["checks"][number] {
  return { stage, where, in: c.in, kept: c.kept, dropped: sumValues(c.dropped), rejected: sumValues(c.rejected), adds_up: countsAddUp(c) };
}

function rate(c: StageCounts): number {
  return c.in === 0 ? 0 : Math.round((sumValues(c.dropped) / c.in) * 1e6) / 1e6;
}

export function buildReport(files: string[]): Report {
  const rep: Report = {
    kind: "gamma.report/v1",
    gamma_version: GAMMA_VERSION,
    created_at: createdAt(),
    inputs: files,
    normalize: null,
    dedup: [],
    tokenize: [],
    manifests: [],
    pack: [],
    checks: [],
    adds_up: true,
  };
  const bySource: Record<string, Bucket> = {};
  const total: Bucket = { counts: emptyCounts(), bytes: { text_in: 0, text_kept: 0 }, shards: 0 };
  let byLanguage: Record<string, LanguageCounts> | null = null;
  for (const f of files) {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(readFileSync(f, "utf8"));
    } catch (e) {
      throw new ConfigError(`report: ${f} is not a readable JSON manifest: ${(e as Error).message}`);
    }
    if (typeof m.kind !== "string" || !m.kind.startsWith("gamma.")) {
      throw new ConfigError(
        `report: ${f} is not a gamma manifest (no "kind"); pass normalize *.manifest.json, dedup.manifest.json, tokenize manifest.json or pack meta.json files`,
      );
    }
    const c = classify(m.kind);
    rep.manifests.push({ path: f, kind: m.kind, read: c.understood, ...(c.reason ? { reason: c.reason } : {}) });
    if (!c.understood) info(`report: ${f}: ${c.reason}; listed, not summarised`);
    if (m.kind === SHARD_MANIFEST_KIND) {
      const s = m as unknown as ShardManifest;
      const key = `${s.source}/${s.domain}`;
      const b = (bySource[key] ??= { counts: emptyCounts(), bytes: { text_in: 0, text_kept: 0 }, shards: 0 });
      for (const x of [b, total]) {
        mergeCounts(x.counts, s.counts);
        x.bytes.text_in += s.bytes.text_in;
        x.bytes.text_kept += s.bytes.text_kept;
        x.shards++;
      }
      if (s.by_language) mergeLanguageCounts((byLanguage ??= {}), s.by_language);
      rep.checks.push(check("normalize", f, s.counts));
    } else if (m.kind === "gamma.dedup/v1") {
      const c = m.counts as StageCounts;
      const bs = m.by_source as Record<string, StageCounts>;
      rep.dedup.push({
        manifest: f,
        mode: (m.params as Record<string, unknown>)?.mode,
        counts: c,
        dedup_rate: rate(c),
        by_source: Object.fromEntries(Object.entries(bs).map(([k, v]) => [k, { ...v, dedup_rate: rate(v) }])),
        backend: (m.near as Record<string, unknown> | undefined)?.backend ?? null,
      });
      rep.checks.push(check("dedup", f, c));
    } else if (m.kind === "gamma.pack/v1") {
      const p = m as unknown as PackMeta;
      rep.pack.push({
        meta: f,
        seq_len: p.seq_len,
        n_seqs: p.n_seqs,
        packing: p.packing ?? "contiguous",
        tokens: p.counts.tokens,
        padding_tokens: p.counts.padding_tokens,
        padding_fraction:
          p.counts.padding_fraction ?? (p.n_seqs === 0 ? 0 : Math.round((p.counts.padding_tokens / (p.n_seqs * p.seq_len)) * 1e6) / 1e6),
        counts: p.counts.docs,
        by_source: p.counts.by_source,
      });
      rep.checks.push(check("pack", f, p.counts.docs));
    } else if (m.kind === "gamma.tokenize/v1") {
      const t = m.counts as { docs: StageCounts; tokens: number; splits: Record<string, { docs: number; tokens: number }> };
      rep.tokenize.push({
        manifest: f,
        tokens: t.tokens,
        counts: t.docs,
        splits: t.splits,
        format: (m.config as Record<string, unknown> | undefined)?.format ?? null,
        metrics: m.metrics ?? null,
      });
      rep.checks.push(check("tokenize", f, t.docs));
    } else if (c.understood && isStageCounts(m.counts)) {
      rep.checks.push(check(c.stage, f, m.counts));
    }
  }
  if (total.shards > 0) {
    rep.normalize = {
      ...total,
      counts: sortedCounts(total.counts),
      by_source: Object.fromEntries(
        Object.entries(bySource)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [k, { ...v, counts: sortedCounts(v.counts) }]),
      ),
      ...(byLanguage ? { by_language: sortLanguageCounts(byLanguage) } : {}),
    };
    rep.checks.push(check("normalize", "(all shards)", total.counts));
  }
  rep.adds_up = rep.checks.every((c) => c.adds_up);
  return rep;
}

export function reportFiles(patterns: string[]): string[] {
  const files = expandInputs(patterns, { what: "manifests", dataOnly: false }).filter((f) => f.endsWith(".json"));
  if (files.length === 0) throw new ConfigError(`report: no .json manifests match ${patterns.join(" ")}`);
  return files;
}

/**
 * The HTML report: the JSON report's checks plus charts drawn from the data files the manifests
 * name (read streaming: shards, inputs, deduped documents, decisions).
 */
export async function runHtmlReport(files: string[], rep: Report, out: string): Promise<void> {
  const data = await collectReport(files);
  writeFileAtomic(out, renderHtml(data, { createdAt: rep.created_at, version: rep.gamma_version, addsUp: rep.adds_up }));
  info(`report: HTML written to ${out}`);
}

export function runReport(patterns: string[], out: string | null): Report {
  const rep = buildReport(reportFiles(patterns));
  if (out !== null) writeJsonAtomic(out, rep);
  for (const c of rep.checks.filter((c) => c.where === "(all shards)" || c.stage !== "normalize")) {
    info(
      `report: ${c.stage}${c.where === "(all shards)" ? "" : ` (${c.where})`}: ${c.in} in = ${c.kept} kept + ${c.dropped} dropped + ${c.rejected} rejected: ${c.adds_up ? "adds up" : "DOES NOT ADD UP"}`,
    );
  }
  if (out !== null) info(`report: written to ${out}`);
  return rep;
}
