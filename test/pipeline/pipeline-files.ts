/** Pipeline files for the tests, and the output trees they compare. */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, stringify } from "yaml";
import { gamma, ROOT } from "../helpers/cli.ts";

/** Whether a gamma command splits its work into tasks (has --num-tasks). */
const splitCache = new Map<string, boolean>();
export function splits(command: string): boolean {
  if (!splitCache.has(command)) splitCache.set(command, gamma([command, "--help"]).stdout.includes("--num-tasks"));
  return splitCache.get(command)!;
}

export interface StageSpec {
  name: string;
  settings: Record<string, unknown>;
  [resource: string]: unknown;
}

/**
 * Writes a pipeline file; each stage runs `tasks` tasks when its command splits (1 otherwise,
 * until it does).
 */
export function writePipeline(path: string, outDir: string, stages: StageSpec[], tasks: number): string {
  const doc = { out_dir: outDir, stages: stages.map((s) => ({ ...s, tasks: splits(String(s.command ?? s.name)) ? tasks : 1 })) };
  writeFileSync(path, stringify(doc));
  return path;
}

/** examples/pipeline.yaml's stages: normalize -> dedup -> tokenize -> pack on the embedded sample. */
export function exampleStages(): StageSpec[] {
  const doc = parse(readFileSync(join(ROOT, "examples/pipeline.yaml"), "utf8")) as { stages: StageSpec[] };
  return doc.stages;
}

/**
 * The outputs of a pipeline run: relative path -> content; markers, logs, the saved pipeline and
 * dedup.stats.json (timings and thread counts: how it ran, not what it made) left out.
 */
export function outputTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== ".gamma-tasks" && e.name !== ".gamma-pipeline" && !(d === dir && e.name === "logs")) walk(p);
        continue;
      }
      if (e.name !== "dedup.stats.json") out.set(relative(dir, p), readFileSync(p).toString("base64"));
    }
  };
  walk(dir);
  return out;
}

/** Moves a finished run's folder aside (runs compare in one place: manifests name their inputs' paths). */
export function keep(outDir: string, as: string): string {
  rmSync(as, { recursive: true, force: true });
  renameSync(outDir, as);
  return as;
}

/** Names of files that differ or exist on one side only. */
export function treeDiff(a: Map<string, string>, b: Map<string, string>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => a.get(n) !== b.get(n)).sort();
}

export function exists(p: string): boolean {
  return existsSync(p);
}
