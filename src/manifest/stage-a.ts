/**
 * The Stage A manifest (stageA_manifest.yaml): sources with mixture weights,
 * where their normalized shards live, the tokenizer and the sequence length.
 *
 *   outputs: { normalized_dir: data/normalized }
 *   tokenizer: { path: tokenizer.json, sha256: <optional pin> }
 *   seq_len: 2048
 *   sources:
 *     - name: fineweb2          # shards default to <normalized_dir>/<name>/**\/*.jsonl.zst
 *       weight: 0.7
 *     - name: wiki
 *       weight: 0.3
 *       paths: [data/normalized/wikipedia/**\/*.jsonl.zst]
 *
 * Relative paths are resolved against the manifest's own folder. Errors name
 * the field path (sources[1].weight).
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import YAML from "yaml";
import { ConfigError } from "../errors.ts";

export interface StageASource {
  name: string;
  weight: number;
  /** Normalized weight: weight / sum(weights). */
  share: number;
  paths: string[];
  /** Everything else the entry carries (hf:, local:) for ingest-manifest. */
  extra: Record<string, unknown>;
}

export interface StageAManifest {
  path: string;
  normalizedDir: string;
  tokenizer: { path: string; sha256: string | null } | null;
  seqLen: number | null;
  sources: StageASource[];
  raw: Record<string, unknown>;
}

export function loadStageAManifest(path: string): StageAManifest {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`--manifest ${path}: cannot read it (${(e as Error).message})`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new ConfigError(`--manifest ${path}: invalid YAML: ${(e as Error).message}`, { cause: e });
  }
  const bad = (field: string, why: string): never => {
    throw new ConfigError(`--manifest ${path}: ${field}: ${why}`);
  };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) bad("(top level)", "expected a mapping with sources:");
  const m = raw as Record<string, unknown>;
  const base = dirname(resolve(path));
  const abs = (p: string) => (isAbsolute(p) ? p : join(base, p));

  const outputs = (m.outputs ?? {}) as Record<string, unknown>;
  if (typeof outputs !== "object" || Array.isArray(outputs)) bad("outputs", "expected a mapping");
  const nd = outputs.normalized_dir ?? "data/normalized";
  if (typeof nd !== "string") bad("outputs.normalized_dir", "expected a path string");
  const normalizedDir = abs(nd as string);

  let tokenizer: StageAManifest["tokenizer"] = null;
  if (m.tokenizer !== undefined) {
    const t = m.tokenizer;
    if (typeof t === "string") tokenizer = { path: abs(t), sha256: null };
    else if (t && typeof t === "object" && !Array.isArray(t)) {
      const tp = (t as Record<string, unknown>).path;
      const ts = (t as Record<string, unknown>).sha256;
      if (typeof tp !== "string") bad("tokenizer.path", "expected a path string");
      if (ts !== undefined && (typeof ts !== "string" || !/^[0-9a-f]{64}$/.test(ts)))
        bad("tokenizer.sha256", "expected 64 lower-case hex digits");
      tokenizer = { path: abs(tp as string), sha256: (ts as string | undefined) ?? null };
    } else bad("tokenizer", "expected a path or { path, sha256 }");
  }

  let seqLen: number | null = null;
  if (m.seq_len !== undefined) {
    if (!Number.isInteger(m.seq_len) || (m.seq_len as number) < 1)
      bad("seq_len", `expected a positive integer, got ${JSON.stringify(m.seq_len)}`);
    seqLen = m.seq_len as number;
  }

  if (!Array.isArray(m.sources) || m.sources.length === 0) bad("sources", "expected a non-empty list of { name, weight }");
  const sources: StageASource[] = [];
  const names = new Set<string>();
  (m.sources as unknown[]).forEach((s, i) => {
    const at = `sources[${i}]`;
    if (!s || typeof s !== "object" || Array.isArray(s)) bad(at, "expected a mapping { name, weight }");
    const e = s as Record<string, unknown>;
    if (typeof e.name !== "string" || e.name.length === 0) bad(`${at}.name`, "expected a non-empty string");
    const name = e.name as string;
    if (names.has(name)) bad(`${at}.name`, `duplicate source name ${JSON.stringify(name)}`);
    names.add(name);
    const w = e.weight ?? 1;
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0)
      bad(`${at}.weight (${name})`, `expected a finite non-negative number, got ${JSON.stringify(e.weight)}`);
    let paths: string[];
    if (e.paths === undefined) paths = [join(normalizedDir, name, "**", "*.jsonl.zst")];
    else if (Array.isArray(e.paths) && e.paths.every((p) => typeof p === "string")) paths = (e.paths as string[]).map(abs);
    else if (typeof e.paths === "string") paths = [abs(e.paths)];
    else bad(`${at}.paths (${name})`, "expected a path or a list of paths/globs");
    const { name: _n, weight: _w, paths: _p, ...extra } = e;
    sources.push({ name, weight: w as number, share: 0, paths: paths!, extra });
  });
  const total = sources.reduce((a, s) => a + s.weight, 0);
  if (!(total > 0)) bad("sources[*].weight", "all weights are zero; at least one source needs a positive weight");
  for (const s of sources) s.share = s.weight / total;
  return { path, normalizedDir, tokenizer, seqLen, sources, raw: m };
}
