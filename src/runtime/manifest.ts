/**
 * The manifest every stage writes: one standard header (kind, stage, gamma version, created_at),
 * then the stage's parameters, inputs and outputs with sha256, counts that must add up, and what
 * else the stage records. Nothing in it depends on the clock (unless SOURCE_DATE_EPOCH is unset),
 * the thread count or timings: two runs on the same inputs give the same bytes.
 */
import type { FileDigest } from "../io/hash.ts";
import { createdAt } from "../io/timestamp.ts";
import { countsAddUp, sortedCounts, type StageCounts } from "../pipeline.ts";
import { GAMMA_VERSION } from "../version.ts";

export interface ManifestHeader {
  kind: string;
  stage: string;
  gamma_version: string;
  created_at: string;
}

export function manifestHeader(kind: string, stage: string): ManifestHeader {
  return { kind, stage, gamma_version: GAMMA_VERSION, created_at: createdAt() };
}

export interface ManifestBody {
  params: Record<string, unknown>;
  inputs: FileDigest[] | Record<string, unknown>[];
  outputs: Record<string, unknown>;
  counts?: StageCounts;
  [extra: string]: unknown;
}

/** Throws when in != kept + dropped + rejected: a stage that loses documents is a bug. */
export function checkCounts(stage: string, c: StageCounts): void {
  if (!countsAddUp(c)) {
    throw new Error(
      `${stage}: internal error: counts do not add up (in ${c.in}, kept ${c.kept}, dropped ${JSON.stringify(c.dropped)}, rejected ${JSON.stringify(c.rejected)})`,
    );
  }
}

/** The manifest object: header first, counts checked and sorted. */
export function stageManifest(kind: string, stage: string, body: ManifestBody): Record<string, unknown> {
  if (body.counts !== undefined) checkCounts(stage, body.counts);
  const { params, inputs, outputs, counts, ...rest } = body;
  return {
    ...manifestHeader(kind, stage),
    params,
    inputs,
    outputs,
    ...(counts === undefined ? {} : { counts: sortedCounts(counts) }),
    ...rest,
  };
}
