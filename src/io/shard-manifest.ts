/** The manifest written beside every normalized shard, and its validation for resume. */
import { existsSync, readFileSync } from "node:fs";
import type { FileDigest } from "./hash.ts";
import type { StageCounts } from "../pipeline.ts";
import type { LanguageCounts } from "../code/code-shard.ts";

export const SHARD_MANIFEST_KIND = "gamma.normalize.shard/v1";

export interface ShardManifest {
  kind: typeof SHARD_MANIFEST_KIND;
  stage: "normalize";
  gamma_version: string;
  created_at: string;
  source: string;
  domain: string;
  shard: FileDigest;
  rejects: FileDigest;
  inputs: FileDigest[];
  counts: StageCounts;
  bytes: { text_in: number; text_kept: number };
  params: Record<string, unknown>;
  /** With `--filters code`: documents, text bytes, kept and dropped by reason, per language. */
  by_language?: Record<string, LanguageCounts>;
}

export function readJsonFile<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}
