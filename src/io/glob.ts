/**
 * Expands --input patterns. `**` works quoted (expanded here) or unquoted
 * (already expanded by the shell). Reject files and manifests are never inputs.
 */
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";
import { ConfigError } from "../errors.ts";

const GLOB_CHARS = /[*?[\]{}]/;
const NEVER_DATA = [/\.rejects\.jsonl(\.zst|\.gz)?$/, /\.manifest\.json$/, /\.tmp-\d+$/];

export interface GlobOptions {
  /** What the files are for, for the error message ("input shards"). */
  what?: string;
  /** Also drop files that are not data (rejects, manifests). Default true. */
  dataOnly?: boolean;
}

export function expandInputs(patterns: string[], opts: GlobOptions = {}): string[] {
  const dataOnly = opts.dataOnly ?? true;
  const found = new Set<string>();
  for (const pattern of patterns) {
    for (const f of expandOne(pattern)) {
      if (dataOnly && NEVER_DATA.some((re) => re.test(f))) continue;
      found.add(f);
    }
  }
  const files = [...found].sort(byteOrder);
  if (files.length === 0) {
    throw new ConfigError(
      `no ${opts.what ?? "input files"} match ${patterns.map((p) => JSON.stringify(p)).join(" ")}; check the path, and quote patterns that use **`,
      { code: "empty_glob" },
    );
  }
  return files;
}

function expandOne(pattern: string): string[] {
  if (!GLOB_CHARS.test(pattern)) {
    if (!existsSync(pattern)) return [];
    if (statSync(pattern).isDirectory()) return [];
    return [resolve(pattern)];
  }
  const { root, rest } = splitPattern(pattern);
  const base = isAbsolute(root) ? root : resolve(root);
  if (!existsSync(base)) return [];
  const out: string[] = [];
  for (const rel of new Bun.Glob(rest).scanSync({ cwd: base, onlyFiles: true, dot: false })) {
    out.push(join(base, rel));
  }
  return out;
}

/** The directory a pattern lists: its segments before the first one with a glob character ("." when none). */
export function patternRoot(pattern: string): string {
  return splitPattern(pattern).root;
}

function splitPattern(pattern: string): { root: string; rest: string } {
  const parts = pattern.split(/[\\/]/);
  const fixed: string[] = [];
  for (const p of parts) {
    if (GLOB_CHARS.test(p)) break;
    fixed.push(p);
  }
  const root = fixed.length === 0 ? "." : fixed.join(sep) || sep;
  return { root, rest: parts.slice(fixed.length).join("/") };
}

export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
