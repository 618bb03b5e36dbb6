/**
 * The gamma manifests a folder or a list holds, what kind each is, and every file each one
 * names with a sha256: shared by `report` (the input and output files table) and `verify`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { SHARD_MANIFEST_KIND } from "../io/shard-manifest.ts";
import type { StageCounts } from "../pipeline.ts";

export interface ManifestKind {
  /** What the report and verify call it. */
  stage: string;
  understood: boolean;
  /** Why a manifest is not read (unknown kind, a report, ...). */
  reason?: string;
  /** A report or verify record: about other manifests, not a stage's output. */
  record?: boolean;
}

const KNOWN: Record<string, string> = {
  [SHARD_MANIFEST_KIND]: "normalize",
  "gamma.dedup/v1": "dedup",
  "gamma.tokenize/v1": "tokenize",
  "gamma.pack/v1": "pack",
  "gamma.sample/v1": "sample",
  "gamma.ingest/v1": "ingest",
  "gamma.encode/v1": "encode",
  "gamma.batches/v1": "batches",
};

/** Kinds gamma writes that are records about other manifests, not a stage's output. */
const RECORDS = new Set(["gamma.report/v1", "gamma.verify/v1"]);

export function classify(kind: unknown): ManifestKind {
  if (typeof kind !== "string") return { stage: "?", understood: false, reason: 'not a gamma manifest (no "kind")' };
  if (KNOWN[kind]) return { stage: KNOWN[kind]!, understood: true };
  if (/^gamma\.train-tokenizer\/v\d+$/.test(kind) || /^gamma\.train-tokenizer\//.test(kind))
    return { stage: "train-tokenizer", understood: true };
  if (RECORDS.has(kind))
    return { stage: kind.slice(6, kind.indexOf("/")), understood: false, record: true, reason: `a ${kind} record, not a stage manifest` };
  if (kind.startsWith("gamma.")) return { stage: "?", understood: false, reason: `not understood: kind ${kind}` };
  return { stage: "?", understood: false, reason: `not understood: kind ${kind} (not a gamma kind)` };
}

export interface NamedFile {
  /** Where in the manifest: `outputs.deduped`, `inputs[0]`, ... */
  role: string;
  /** As the manifest records it. */
  recorded: string;
  /** Where gamma looks for it now. */
  path: string;
  sha256: string;
  bytes: number | null;
}

export interface Unchecked {
  role: string;
  recorded: string;
  why: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * A recorded path: absolute as is; relative, first against the manifest's folder (where gamma
 * writes outputs relative to), then against the working folder (inputs given on a command line).
 */
export function locate(recorded: string, manifestDir: string): string {
  if (isAbsolute(recorded)) return recorded;
  const near = join(manifestDir, recorded);
  if (existsSync(near)) return near;
  const cwd = resolve(recorded);
  return existsSync(cwd) ? cwd : near;
}

/**
 * Every `{path, sha256}` object anywhere in the manifest (pack's `tokenizer_path` +
 * `tokenizer_sha256` too). Remote files (with a `url`) and null hashes are listed as unchecked.
 */
export function namedFiles(m: Record<string, unknown>, manifestPath: string): { files: NamedFile[]; unchecked: Unchecked[] } {
  const dir = dirname(manifestPath);
  const files: NamedFile[] = [];
  const unchecked: Unchecked[] = [];
  const walk = (v: unknown, role: string) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${role}[${i}]`));
      return;
    }
    if (v === null || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (typeof o.path === "string" && "sha256" in o) {
      if (typeof o.url === "string") unchecked.push({ role, recorded: o.path, why: "remote file (read from its url)" });
      else if (typeof o.sha256 !== "string" || !HEX64.test(o.sha256)) unchecked.push({ role, recorded: o.path, why: "no sha256 recorded" });
      else if (!o.path.includes("/") && !existsSync(locate(o.path, dir)) && role === "tokenizer")
        unchecked.push({ role, recorded: o.path, why: "a built-in name, not a file" });
      else
        files.push({
          role,
          recorded: o.path,
          path: locate(o.path, dir),
          sha256: o.sha256,
          bytes: typeof o.bytes === "number" ? o.bytes : null,
        });
    }
    for (const [k, x] of Object.entries(o)) if (x !== null && typeof x === "object") walk(x, role ? `${role}.${k}` : k);
  };
  walk(m, "");
  if (typeof m.tokenizer_path === "string" && typeof m.tokenizer_sha256 === "string") {
    const p = locate(m.tokenizer_path, dir);
    if (!m.tokenizer_path.includes("/") && !existsSync(p))
      unchecked.push({ role: "tokenizer_path", recorded: m.tokenizer_path, why: "a built-in name, not a file" });
    else files.push({ role: "tokenizer_path", recorded: m.tokenizer_path, path: p, sha256: m.tokenizer_sha256, bytes: null });
  }
  return { files, unchecked };
}

/** Every .json file under dir (sorted, byte order) whose top-level `kind` starts with "gamma.". */
export function findManifests(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name.endsWith(".json") && st.size < 64 << 20 && kindOf(p) !== null) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function readManifest(path: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(readFileSync(path, "utf8"));
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function kindOf(path: string): string | null {
  const m = readManifest(path);
  return typeof m?.kind === "string" && m.kind.startsWith("gamma.") ? m.kind : null;
}

/** A `{in, kept, dropped, rejected}` object: a stage's document counts. */
export function isStageCounts(v: unknown): v is StageCounts {
  const c = v as StageCounts;
  return (
    c !== null &&
    typeof c === "object" &&
    typeof c.in === "number" &&
    typeof c.kept === "number" &&
    typeof c.dropped === "object" &&
    typeof c.rejected === "object"
  );
}
