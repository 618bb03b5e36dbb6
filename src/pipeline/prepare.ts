/**
 * Before a pipeline's first stage: the embedded files its stages name are written out, and the
 * resolved pipeline (stages as argument lists) is saved in OUT_DIR, where Slurm tasks read it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sampleFile from "../../assets/smoke/sample.jsonl.zst" with { type: "file" };
import { InputError } from "../errors.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { SMOKE_SAMPLE_REF, type Pipeline } from "./spec.ts";

export function resolvedPath(outDir: string): string {
  return join(outDir, ".gamma-pipeline", "pipeline.json");
}

export function preparePipeline(p: Pipeline): string {
  if (p.assets.includes(SMOKE_SAMPLE_REF)) {
    const path = join(p.outDir, "inputs", "smoke-sample.jsonl.zst");
    const data = readFileSync(sampleFile);
    if (!existsSync(path) || !readFileSync(path).equals(data)) writeFileAtomic(path, data);
  }
  const path = resolvedPath(p.outDir);
  writeJsonAtomic(path, p);
  return path;
}

/** The pipeline `preparePipeline` saved (what a Slurm task runs). */
export function readResolved(path: string): Pipeline {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Pipeline;
  } catch (e) {
    throw new InputError(`cannot read the resolved pipeline ${path}: ${(e as Error).message}; submit the pipeline again`);
  }
}
