/**
 * What the HTML report draws, gathered from the manifests and the files they name: funnels
 * from the counts, and, streaming through the data, document lengths per source before and
 * after filtering and dedup, languages, near-duplicate clusters and similarities.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { readLines } from "../io/read-lines.ts";
import type { StageCounts } from "../pipeline.ts";
import { classify, isStageCounts, locate, namedFiles, readManifest, type NamedFile, type Unchecked } from "./manifest-files.ts";
import type { Bar, FunnelStage, HistBin } from "./svg.ts";

export interface ManifestRow {
  path: string;
  kind: string | null;
  stage: string;
  read: boolean;
  reason?: string;
}

export interface LengthHist {
  source: string;
  phase: "before filtering" | "after filtering" | "after dedup";
  docs: number;
  bins: HistBin[];
}

export interface TokenFigures {
  where: string;
  stage: string;
  tokens: number;
  padding: number | null;
  bySource: Bar[];
  extra: Bar[];
}

export interface ReportData {
  manifests: ManifestRow[];
  funnels: { stage: string; where: string; counts: FunnelStage }[];
  lengths: LengthHist[];
  clusterSizes: HistBin[];
  similarity: HistBin[];
  nearDups: number;
  languages: { where: string; items: Bar[] }[];
  tokens: TokenFigures[];
  files: (NamedFile & { manifest: string })[];
  unchecked: (Unchecked & { manifest: string })[];
  notes: string[];
}

/** Histogram bins by powers of two: bin k holds lengths in [2^k, 2^(k+1)); length 0 goes in bin 0. */
export function log2Bin(len: number): number {
  return len < 1 ? 0 : 31 - Math.clz32(len);
}

function lengthBins(counts: Map<number, number>): HistBin[] {
  if (counts.size === 0) return [];
  const ks = [...counts.keys()];
  const lo = Math.min(...ks);
  const hi = Math.max(...ks);
  const out: HistBin[] = [];
  for (let k = lo; k <= hi; k++) out.push({ lo: 2 ** k, hi: 2 ** (k + 1), count: counts.get(k) ?? 0 });
  return out;
}

/** Similarity bins of width 1/20; a value goes in floor(20 s), 1.0 in the last. */
export function similarityBin(s: number): number {
  return Math.min(19, Math.max(0, Math.floor(s * 20)));
}

const SIM_BINS = 20;

/** Funnels are shown in pipeline order (then in the order the manifests were given). */
const STAGE_ORDER = ["ingest", "normalize", "dedup", "train-tokenizer", "tokenize", "pack"];

function funnelOf(c: StageCounts): FunnelStage {
  return { in: c.in, kept: c.kept, dropped: c.dropped ?? {}, rejected: c.rejected ?? {} };
}

function bump(m: Map<number, number>, k: number): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function barsOf(m: Map<string, number>): Bar[] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([label, value]) => ({ label, value }));
}

type Hists = Map<string, Map<number, number>>;

function histFor(h: Hists, source: string): Map<number, number> {
  let m = h.get(source);
  if (!m) h.set(source, (m = new Map()));
  return m;
}

/** Streams a JSONL file and hands each parsed object (skipping lines that are not objects) on. */
async function eachRecord(path: string, fn: (r: Record<string, unknown>) => void): Promise<void> {
  for await (const lines of readLines(path)) {
    for (const l of lines) {
      if (l.text.trim().length === 0) continue;
      let v: unknown;
      try {
        v = JSON.parse(l.text);
      } catch {
        continue;
      }
      if (v !== null && typeof v === "object" && !Array.isArray(v)) fn(v as Record<string, unknown>);
    }
  }
}

const JSONL = /\.jsonl(\.gz|\.zst)?$/;

export async function collectReport(paths: string[]): Promise<ReportData> {
  const d: ReportData = {
    manifests: [],
    funnels: [],
    lengths: [],
    clusterSizes: [],
    similarity: [],
    nearDups: 0,
    languages: [],
    tokens: [],
    files: [],
    unchecked: [],
    notes: [],
  };
  const before: Hists = new Map();
  const after: Hists = new Map();
  const deduped: Hists = new Map();
  const langs = new Map<string, number>();
  const clusters = new Map<string, number>();
  const sims = new Map<number, number>();
  for (const path of paths) {
    const m = readManifest(path);
    const kind = typeof m?.kind === "string" ? m.kind : null;
    const c = m ? classify(kind) : { stage: "?", understood: false, reason: "not readable as a JSON object" };
    d.manifests.push({ path, kind, stage: c.stage, read: c.understood, ...(c.reason ? { reason: c.reason } : {}) });
    if (!m || !c.understood) continue;
    const nf = namedFiles(m, path);
    for (const f of nf.files) d.files.push({ ...f, manifest: path });
    for (const u of nf.unchecked) d.unchecked.push({ ...u, manifest: path });
    const dir = dirname(path);
    const missing = (p: string) => {
      d.notes.push(`${path}: ${p} is missing; its documents are not in the length charts`);
    };
    switch (c.stage) {
      case "normalize": {
        const source = `${m.source}/${m.domain}`;
        d.funnels.push({ stage: "normalize", where: path, counts: funnelOf(m.counts as StageCounts) });
        const textField = ((m.params as Record<string, unknown>)?.text_field as string) ?? "text";
        for (const inp of (m.inputs as { path: string; url?: string }[]) ?? []) {
          const p = locate(inp.path, dir);
          if (inp.url || !JSONL.test(p)) {
            d.notes.push(`${path}: input ${inp.path} is not a local JSON lines file; "before filtering" leaves it out`);
            continue;
          }
          if (!existsSync(p)) {
            missing(p);
            continue;
          }
          const h = histFor(before, source);
          await eachRecord(p, (r) => {
            const t = r[textField];
            if (typeof t === "string") bump(h, log2Bin(t.length));
          });
        }
        const shard = locate((m.shard as { path: string }).path, dir);
        if (!existsSync(shard)) missing(shard);
        else {
          const h = histFor(after, source);
          await eachRecord(shard, (r) => {
            if (typeof r.text === "string") bump(h, log2Bin(r.text.length));
            const lang = (r.meta as Record<string, unknown> | null)?.language;
            if (typeof lang === "string") langs.set(lang, (langs.get(lang) ?? 0) + 1);
          });
        }
        break;
      }
      case "dedup": {
        d.funnels.push({ stage: "dedup", where: path, counts: funnelOf(m.counts as StageCounts) });
        const outs = m.outputs as Record<string, { path: string }>;
        if (outs.deduped) {
          const p = locate(outs.deduped.path, dir);
          if (!existsSync(p)) missing(p);
          else
            await eachRecord(p, (r) => {
              if (typeof r.text === "string") bump(histFor(deduped, `${r.source}/${r.domain}`), log2Bin(r.text.length));
            });
        }
        if (outs.decisions) {
          const p = locate(outs.decisions.path, dir);
          if (!existsSync(p)) d.notes.push(`${path}: ${p} is missing; no near-duplicate charts from it`);
          else
            await eachRecord(p, (r) => {
              if (r.decision !== "near_dup") return;
              d.nearDups++;
              if (typeof r.dup_of === "string") clusters.set(r.dup_of, (clusters.get(r.dup_of) ?? 0) + 1);
              if (typeof r.similarity === "number") bump(sims, similarityBin(r.similarity));
            });
        }
        break;
      }
      case "tokenize": {
        const counts = m.counts as {
          docs: StageCounts;
          tokens: number;
          splits?: Record<string, { docs: number; tokens: number }>;
          by_source?: Record<string, { tokens: number }>;
        };
        d.funnels.push({ stage: "tokenize", where: path, counts: funnelOf(counts.docs) });
        d.tokens.push({
          where: path,
          stage: "tokenize",
          tokens: counts.tokens,
          padding: null,
          bySource: Object.entries(counts.by_source ?? {}).map(([label, v]) => ({ label, value: v.tokens })),
          extra: [...Object.entries(counts.splits ?? {}).map(([s, v]) => ({ label: `tokens in ${s}`, value: v.tokens })), ...fimBars(m)],
        });
        break;
      }
      case "pack": {
        const counts = m.counts as {
          docs: StageCounts;
          tokens: number;
          padding_tokens: number;
          docs_truncated: number;
          by_source: Record<string, { docs: number; tokens: number }>;
        };
        d.funnels.push({ stage: "pack", where: path, counts: funnelOf(counts.docs) });
        const rows = m.n_seqs as number;
        const seqLen = m.seq_len as number;
        d.tokens.push({
          where: path,
          stage: "pack",
          tokens: counts.tokens,
          padding: counts.padding_tokens,
          bySource: Object.entries(counts.by_source).map(([label, v]) => ({ label, value: v.tokens })),
          extra: [
            { label: "rows", value: rows },
            { label: "padding tokens", value: counts.padding_tokens },
            { label: "padding rate", value: rows * seqLen === 0 ? 0 : counts.padding_tokens / (rows * seqLen) },
            { label: "documents cut by --num-seqs", value: counts.docs_truncated },
            ...fimBars(m),
          ],
        });
        break;
      }
      case "sample": {
        const counts = m.counts as { seen: number; eligible: number; sampled: number; per_split: Record<string, number> };
        d.tokens.push({
          where: path,
          stage: "sample",
          tokens: 0,
          padding: null,
          bySource: [],
          extra: [
            { label: "seen", value: counts.seen },
            { label: "eligible", value: counts.eligible },
            { label: "sampled", value: counts.sampled },
            ...Object.entries(counts.per_split ?? {}).map(([s, v]) => ({ label: `split ${s}`, value: v })),
          ],
        });
        break;
      }
      case "encode": {
        const counts = (m.counts ?? {}) as Record<string, { rows: number; truncated: number; tokens: number }>;
        const splits = Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1));
        const maxLen = (m.sequence as { maxLen?: number } | undefined)?.maxLen;
        d.tokens.push({
          where: path,
          stage: "encode",
          tokens: splits.reduce((a, [, v]) => a + v.tokens, 0),
          padding: null,
          bySource: splits.map(([label, v]) => ({ label: `split ${label}`, value: v.tokens })),
          extra: splits.flatMap(([s, v]) => [
            { label: `${s}: rows`, value: v.rows },
            { label: `${s}: rows cut at the maximum length`, value: v.truncated },
            ...(typeof maxLen === "number" && v.rows > 0 ? [{ label: `${s}: padding rate`, value: 1 - v.tokens / (v.rows * maxLen) }] : []),
          ]),
        });
        break;
      }
      case "batches": {
        const epochs = (m.epochs as { epoch: number; batches: number; tokens: number; padding_fraction: number }[]) ?? [];
        d.tokens.push({
          where: path,
          stage: "batches",
          tokens: epochs.reduce((a, e) => a + e.tokens, 0),
          padding: null,
          bySource: [],
          extra: epochs.flatMap((e) => [
            { label: `epoch ${e.epoch}: batches`, value: e.batches },
            { label: `epoch ${e.epoch}: padding rate`, value: e.padding_fraction },
          ]),
        });
        break;
      }
      case "ingest": {
        for (const s of (m.sources as { name: string; counts?: StageCounts }[]) ?? [])
          if (isStageCounts(s.counts)) d.funnels.push({ stage: "ingest", where: `${path} (${s.name})`, counts: funnelOf(s.counts) });
        break;
      }
      default: {
        // train-tokenizer and any later understood kind: its counts when they are a funnel.
        if (isStageCounts(m.counts)) d.funnels.push({ stage: c.stage, where: path, counts: funnelOf(m.counts) });
        else if (isStageCounts((m.counts as Record<string, unknown> | undefined)?.docs))
          d.funnels.push({ stage: c.stage, where: path, counts: funnelOf((m.counts as { docs: StageCounts }).docs) });
      }
    }
    const byLang = findByLanguage(m);
    if (byLang) d.languages.push({ where: path, items: byLang });
  }
  const rank = (st: string) => {
    const i = STAGE_ORDER.indexOf(st);
    return i < 0 ? STAGE_ORDER.length : i;
  };
  d.funnels.sort((a, b) => rank(a.stage) - rank(b.stage));
  for (const [source, h] of [...before].sort(([a], [b]) => (a < b ? -1 : 1)))
    d.lengths.push({ source, phase: "before filtering", docs: sum(h), bins: lengthBins(h) });
  for (const [source, h] of [...after].sort(([a], [b]) => (a < b ? -1 : 1)))
    d.lengths.push({ source, phase: "after filtering", docs: sum(h), bins: lengthBins(h) });
  for (const [source, h] of [...deduped].sort(([a], [b]) => (a < b ? -1 : 1)))
    d.lengths.push({ source, phase: "after dedup", docs: sum(h), bins: lengthBins(h) });
  if (langs.size > 0) d.languages.unshift({ where: "meta.language of the normalized documents", items: barsOf(langs) });
  const sizes = new Map<number, number>();
  for (const n of clusters.values()) bump(sizes, n + 1);
  if (sizes.size > 0) {
    const max = Math.max(...sizes.keys());
    for (let s = 2; s <= max; s++) d.clusterSizes.push({ lo: s, hi: s, count: sizes.get(s) ?? 0 });
  }
  if (sims.size > 0) {
    const lo = Math.min(...sims.keys());
    for (let k = lo; k < SIM_BINS; k++) d.similarity.push({ lo: k / SIM_BINS, hi: (k + 1) / SIM_BINS, count: sims.get(k) ?? 0 });
  }
  return d;
}

function sum(h: Map<number, number>): number {
  let s = 0;
  for (const v of h.values()) s += v;
  return s;
}

/** Any `by_language` counts object in the manifest (top level or under counts). */
function findByLanguage(m: Record<string, unknown>): Bar[] | null {
  const v = (m.by_language ?? (m.counts as Record<string, unknown> | undefined)?.by_language) as Record<string, unknown> | undefined;
  if (!v || typeof v !== "object") return null;
  const out: Bar[] = [];
  for (const [k, x] of Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const n = typeof x === "number" ? x : typeof (x as { docs?: unknown })?.docs === "number" ? (x as { docs: number }).docs : null;
    if (n !== null) out.push({ label: k, value: n });
  }
  return out.length > 0 ? out : null;
}

/** Numbers under any key naming FIM (fim_rate, counts.fim.*, params.fim.*). */
function fimBars(m: Record<string, unknown>): Bar[] {
  const out: Bar[] = [];
  const walk = (v: unknown, at: string, inFim: boolean) => {
    if (typeof v === "number" && inFim) out.push({ label: at, value: v });
    else if (v !== null && typeof v === "object" && !Array.isArray(v))
      for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k, inFim || /fim/i.test(k));
  };
  walk(m, "", false);
  return out;
}
