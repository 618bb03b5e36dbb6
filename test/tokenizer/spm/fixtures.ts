/**
 * The SentencePiece fixtures made by scripts/fixtures/make-spm-fixtures.ts: models trained by
 * spm_train, held-out lines, and spm_encode's ids for each line and model.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export const SPM_DIR = import.meta.dir;
export const SPM_MODELS = ["nmt-bf", "nmt-unk", "identity-unk", "identity-bf"] as const;

export function modelPath(name: string): string {
  return join(SPM_DIR, `${name}.model`);
}

function gzLines(file: string): string[] {
  const lines = gunzipSync(readFileSync(join(SPM_DIR, file)))
    .toString("utf8")
    .split("\n");
  lines.pop(); // after the last newline
  return lines;
}

/** The held-out lines (prose, code, hostile text), one sentence each as spm_encode reads them. */
export function heldOutLines(): string[] {
  return gzLines("lines.txt.gz");
}

/** spm_encode --output_format=id's ids for each held-out line. */
export function expectedIds(name: string): number[][] {
  return gzLines(`${name}.ids.gz`).map((l) => (l === "" ? [] : l.split(" ").map(Number)));
}
