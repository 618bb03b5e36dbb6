/**
 * `gamma ingest-manifest`: runs every source of a Stage A manifest (Hub
 * streams and local files; src/manifest/ingest-spec.ts says how an entry
 * is read) into DIR/<name>/<domain>/part-NNNNN.*, then writes the inventory
 * DIR/ingest.manifest.json: each source with its resolved revision, its
 * parameters and counts, every output file with sha256 and size, and
 * `english_filter_applied` with the `language_filter` that ran (see
 * languageSummary; a config chosen by language, such as eng_Latn, is
 * recorded as the config, not as a filter).
 * Each source resumes as its command does, so a rerun after an
 * interruption picks up where it stopped.
 */
import { dirname, relative, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { sha256File, type FileDigest } from "../io/hash.ts";
import { readJsonFile, type ShardManifest } from "../io/shard-manifest.ts";
import { createdAt } from "../io/timestamp.ts";
import { info } from "../log.ts";
import { ingestSpecOf, type HfIngestSpec, type LocalIngestSpec } from "../manifest/ingest-spec.ts";
import { loadStageAManifest } from "../manifest/stage-a.ts";
import { keepsEnglishOnly, languageFilterRecord } from "../lang/language-filter.ts";
import { emptyCounts, mergeCounts, type StageCounts } from "../pipeline.ts";
import { GAMMA_VERSION, gitSha } from "../version.ts";
import type { HfHubClient } from "../ingest/hf-hub.ts";
import { expandInputs } from "../io/glob.ts";
import { planHfSource } from "./hf-plan.ts";
import { runHfSource } from "./hf-stream.ts";
import { runIngestStackExchange } from "./ingest-stackexchange.ts";
import { runIngestWikipedia } from "./ingest-wikipedia.ts";
import { paramsRecord, type NormalizeParams } from "./normalize-core.ts";
import { runNormalize } from "./normalize.ts";

export const INGEST_MANIFEST_KIND = "gamma.ingest/v1";
export const INGEST_MANIFEST_NAME = "ingest.manifest.json";

export interface IngestManifestOptions {
  manifest: string;
  outDir: string;
  overwrite: boolean;
  cpuThreads: number;
  client?: HfHubClient;
}

interface OutputFile extends FileDigest {
  kind: "shard" | "rejects" | "manifest";
}

const BASE = { nfkc: false, strict: false, keepRejectedText: false, maxNulFraction: 0.01 };

function hasGlob(p: string): boolean {
  return /[*?[\]{}]/.test(p);
}

/** Reader inputs: a glob becomes its files; a plain path (a folder, Posts.xml, a .7z) stays as it is. */
function readerInputs(inputs: string[]): string[] {
  return inputs.flatMap((p) => (hasGlob(p) ? expandInputs([p], { what: "input files" }) : [p]));
}

async function outputsOf(outDir: string, manifests: string[]): Promise<OutputFile[]> {
  const out: OutputFile[] = [];
  const rel = (p: string) => relative(outDir, p);
  for (const mp of manifests) {
    const m = readJsonFile<ShardManifest>(mp);
    if (!m) throw new Error(`ingest-manifest: internal error: ${mp} vanished`);
    const dir = dirname(mp);
    out.push({ kind: "shard", path: rel(resolve(dir, m.shard.path)), sha256: m.shard.sha256, bytes: m.shard.bytes });
    out.push({ kind: "rejects", path: rel(resolve(dir, m.rejects.path)), sha256: m.rejects.sha256, bytes: m.rejects.bytes });
    out.push({ kind: "manifest", ...(await sha256File(mp)), path: rel(mp) });
  }
  return out;
}

function inputsOf(manifests: string[]): FileDigest[] {
  return manifests.flatMap((mp) => readJsonFile<ShardManifest>(mp)?.inputs ?? []);
}

export async function runIngestManifest(o: IngestManifestOptions) {
  const stageA = loadStageAManifest(o.manifest);
  const manifestDir = dirname(resolve(o.manifest));
  const specs = stageA.sources.map((s, i) => ingestSpecOf(o.manifest, manifestDir, s, i));
  const outDir = resolve(o.outDir);
  const totals: StageCounts = emptyCounts();
  const sources: Record<string, unknown>[] = [];
  const revisions: Record<string, unknown>[] = [];

  for (const spec of specs) {
    if (spec.kind === "none") {
      info(`ingest-manifest: ${spec.name}: no hf:, source: or local: entry; nothing to ingest`);
      sources.push({ name: spec.name, kind: "none", note: "no hf:, source: or local: entry; nothing ingested" });
      continue;
    }
    info(
      `ingest-manifest: ${spec.name} (${spec.kind === "hf" ? `Hub ${spec.request.dataset ?? spec.request.source}` : `local ${spec.format}`})`,
    );
    const entry = spec.kind === "hf" ? await runHf(spec, outDir, o) : await runLocal(spec, outDir, o);
    mergeCounts(totals, entry.counts);
    const outputs = await outputsOf(outDir, entry.manifests);
    const { manifests: _m, ...rest } = entry;
    sources.push({ ...rest, outputs });
    if (spec.kind === "hf") {
      const hf = (rest as { hf: Record<string, unknown> }).hf;
      revisions.push({
        name: spec.name,
        dataset: hf.dataset,
        config: hf.config,
        split: hf.split,
        revision: hf.revision,
        resolved_sha: hf.resolved_sha,
      });
    }
  }

  const inventory = {
    kind: INGEST_MANIFEST_KIND,
    gamma_version: GAMMA_VERSION,
    git_sha: gitSha(),
    created_at: createdAt(),
    manifest: { ...(await sha256File(o.manifest)), path: o.manifest },
    out_dir: o.outDir,
    ...languageSummary(specs),
    revisions,
    sources,
    totals,
  };
  const path = resolve(outDir, INGEST_MANIFEST_NAME);
  writeJsonAtomic(path, inventory);
  return { path, inventory };
}

/**
 * `english_filter_applied`: every ingested source ran a language rule that
 * keeps English only. `language_filter`: the rule they share, null when none
 * ran one, or {kind: "per_source", sources: {name: rule or null}} when they differ.
 */
function languageSummary(specs: ReturnType<typeof ingestSpecOf>[]) {
  const ran = specs.filter((s) => s.kind !== "none");
  const rules = ran.map((s) => (s.filters.language ? languageFilterRecord(s.filters.language) : null));
  const same = rules.every((r) => JSON.stringify(r) === JSON.stringify(rules[0] ?? null));
  return {
    english_filter_applied: ran.length > 0 && ran.every((s) => keepsEnglishOnly(s.filters.language)),
    language_filter: same ? (rules[0] ?? null) : { kind: "per_source", sources: Object.fromEntries(ran.map((s, i) => [s.name, rules[i]])) },
  };
}

async function runHf(spec: HfIngestSpec, outDir: string, o: IngestManifestOptions) {
  const plan = planHfSource(spec.request);
  const normalize = { ...BASE, filters: spec.filters };
  const r = await runHfSource({ plan, outDir, normalize, limit: spec.limit, overwrite: o.overwrite, client: o.client });
  const p: NormalizeParams = {
    ...normalize,
    source: plan.sourceName,
    domain: plan.domain,
    textField: plan.textField,
    idField: plan.idField,
    licenseTag: plan.licenseTag,
  };
  return {
    name: spec.name,
    kind: "hf",
    registry_source: plan.registry?.name ?? null,
    hf: {
      dataset: r.datasetId,
      config: r.config,
      split: r.split,
      revision: r.revision,
      resolved_sha: r.resolvedSha,
      limit: spec.limit ?? null,
      files: r.files,
    },
    params: { source: p.source, domain: p.domain, ...paramsRecord(p) },
    counts: r.counts,
    shards_skipped: r.skipped,
    manifests: r.manifests,
  };
}

async function runLocal(spec: LocalIngestSpec, outDir: string, o: IngestManifestOptions) {
  const p: NormalizeParams = {
    ...BASE,
    filters: spec.filters,
    source: spec.name,
    domain: spec.domain,
    textField: spec.textField,
    idField: spec.idField,
    licenseTag: spec.licenseTag,
  };
  let manifests: string[];
  let counts: StageCounts;
  let skipped: number;
  let reader: Record<string, number> | undefined;
  if (spec.format === "wikipedia" || spec.format === "stackexchange") {
    const inputs = readerInputs(spec.inputs);
    const s =
      spec.format === "wikipedia"
        ? await runIngestWikipedia({ inputs, outDir, overwrite: o.overwrite, params: p })
        : await runIngestStackExchange({ inputs, outDir, overwrite: o.overwrite, minScore: spec.minScore, site: spec.site, params: p });
    ({ manifests, counts, skipped, reader } = s);
  } else {
    const files = expandInputs(spec.inputs, { what: `input files of source ${spec.name}` });
    const ext = spec.format === "parquet" ? /\.parquet$/ : /\.jsonl?(\.gz|\.zst|\.zstd)?$/;
    const wrong = files.filter((f) => !ext.test(f));
    if (wrong.length > 0) {
      throw new ConfigError(
        `--manifest ${o.manifest}: source ${spec.name} has local.format ${spec.format}, but ${wrong.length} input(s) are not ${spec.format} files (e.g. ${wrong[0]}); fix local.input or local.format`,
      );
    }
    const s = await runNormalize({ ...p, inputs: files, outDir, overwrite: o.overwrite, cpuThreads: o.cpuThreads });
    manifests = s.shards.map((f) => f.replace(/\.jsonl\.zst$/, ".manifest.json"));
    ({ counts, skipped } = s);
  }
  return {
    name: spec.name,
    kind: "local",
    local: { format: spec.format, input: spec.inputsAsWritten, inputs: inputsOf(manifests) },
    params: {
      source: p.source,
      domain: p.domain,
      ...paramsRecord(p),
      ...(spec.format === "stackexchange" ? { min_score: spec.minScore, site: spec.site } : {}),
    },
    counts,
    shards_skipped: skipped,
    ...(reader ? { reader_counts: reader } : {}),
    manifests,
  };
}
