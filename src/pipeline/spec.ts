/**
 * A pipeline file: stages in order, each a gamma command with its flags as YAML keys, how many
 * tasks share it, and what a scheduler should give each task. Loaded once, checked field by field
 * (a bad field is a ConfigError naming it), and resolved into plain argument lists, so that a task
 * on any node runs exactly the command a local run would.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { Command, Option } from "commander";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../errors.ts";
import { sha256Hex } from "../io/hash.ts";

/** What Slurm gives each task of a stage. */
export interface Resources {
  partition: string | null;
  account: string | null;
  /** Slurm time limit (e.g. "2:00:00"). */
  time: string | null;
  cpus_per_task: number;
  /** Slurm memory per task (e.g. "8G"). */
  mem: string | null;
  gpus_per_task: number;
  /** At most this many tasks of the stage run at once (the array's %max); 0 = no limit. */
  max_parallel: number;
  /** Further sbatch options, passed as given. */
  sbatch: string[];
}

export interface Stage {
  name: string;
  command: string;
  tasks: number;
  /** Whether the stage runs as tasks and a merge (--task-index/--num-tasks/--merge): more than one task of a command that takes them. */
  splits: boolean;
  outDir: string;
  /** The command's arguments, without --out-dir and the task flags. */
  args: string[];
  resources: Resources;
  /** Hash of what the stage does: a completion marker made for other work does not count. */
  key: string;
}

export interface Pipeline {
  /** The pipeline file as given. */
  file: string;
  outDir: string;
  stages: Stage[];
  /** Embedded files the stages refer to (${smoke_sample}), written out before the first stage. */
  assets: string[];
}

/** The embedded smoke sample, as a stage input: `${smoke_sample}`. */
export const SMOKE_SAMPLE_REF = "smoke_sample";

const STAGE_NAME = /^[a-z][a-z0-9_-]*$/;
const RESERVED = new Set(["out-dir", "task-index", "num-tasks", "merge", "help"]);
const TOP_KEYS = new Set(["out_dir", "defaults", "stages"]);
const RESOURCE_KEYS = ["partition", "account", "time", "cpus_per_task", "mem", "gpus_per_task", "max_parallel", "sbatch"] as const;
const STAGE_KEYS = new Set(["name", "command", "tasks", "settings", ...RESOURCE_KEYS]);
/** Commands that are pipelines or tools themselves, not stages. */
const NOT_STAGES = new Set(["smoke", "run", "slurm", "doctor"]);

const DEFAULT_RESOURCES: Resources = {
  partition: null,
  account: null,
  time: null,
  cpus_per_task: 1,
  mem: null,
  gpus_per_task: 0,
  max_parallel: 0,
  sbatch: [],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function kebab(key: string): string {
  return key.replace(/_/g, "-");
}

function intField(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ConfigError(`${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function stringField(field: string, v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v !== "string" || v === "") throw new ConfigError(`${field} must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function resources(field: string, raw: Record<string, unknown>, base: Resources): Resources {
  const r: Resources = { ...base, sbatch: [...base.sbatch] };
  for (const k of RESOURCE_KEYS) {
    const v = raw[k];
    if (v === undefined || v === null) continue;
    const f = `${field}.${k}`;
    if (k === "cpus_per_task") r.cpus_per_task = intField(f, v, 1, 4096);
    else if (k === "gpus_per_task") r.gpus_per_task = intField(f, v, 0, 64);
    else if (k === "max_parallel") r.max_parallel = intField(f, v, 0, 1 << 20);
    else if (k === "sbatch") {
      if (!Array.isArray(v) || !v.every((s) => typeof s === "string" && s.startsWith("--"))) {
        throw new ConfigError(`${f} must be a list of sbatch options such as "--qos=long", got ${JSON.stringify(v)}`);
      }
      r.sbatch.push(...(v as string[]));
    } else r[k] = stringField(f, v);
  }
  return r;
}

/** Replaces ${name} references: earlier stages' output folders, out_dir and embedded files. */
function substitute(field: string, s: string, refs: Map<string, string>, later: Set<string>): string {
  return s.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    const v = refs.get(name);
    if (v !== undefined) return v;
    if (later.has(name))
      throw new ConfigError(`${field}: \${${name}} refers to a stage that runs later; a stage can use only earlier stages' outputs`);
    throw new ConfigError(
      `${field}: unknown reference \${${name}}; use \${out_dir}, \${${SMOKE_SAMPLE_REF}} or the name of an earlier stage (${[...refs.keys()].filter((k) => k !== "out_dir" && k !== SMOKE_SAMPLE_REF).join(", ") || "none yet"})`,
    );
  });
}

function scalarArg(field: string, v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  throw new ConfigError(`${field} must be a string or a number, got ${JSON.stringify(v)}`);
}

/** A stage's settings as command-line arguments, each checked against the command's flags. */
function settingsArgs(field: string, cmd: Command, settings: Record<string, unknown>, sub: (f: string, s: string) => string): string[] {
  const byLong = new Map<string, Option>();
  for (const o of cmd.options as Option[]) if (o.long) byLong.set(o.long, o);
  const args: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    const f = `${field}.${key}`;
    const flag = kebab(key);
    if (RESERVED.has(flag)) {
      const why = flag === "out-dir" ? "each stage writes to OUT_DIR/<stage name>" : "the pipeline sets the task flags from `tasks`";
      throw new ConfigError(`${f}: not a stage setting (${why})`);
    }
    const opt = byLong.get(`--${flag}`);
    const negated = byLong.get(`--no-${flag}`);
    if (opt === undefined && negated === undefined) {
      const known = [...byLong.keys()].filter((l) => !RESERVED.has(l.slice(2))).map((l) => l.slice(2).replace(/-/g, "_"));
      throw new ConfigError(`${f}: ${cmd.name()} has no flag --${flag}; its settings are: ${known.join(", ")}`);
    }
    if (value === null || value === undefined) continue;
    const takesValue = opt !== undefined && (opt.required || opt.optional);
    if (typeof value === "boolean") {
      if (takesValue) throw new ConfigError(`${f} takes a value (${opt!.flags}), got ${value}`);
      if (value && opt !== undefined && !opt.negate) args.push(opt.long!);
      else if (!value && negated !== undefined) args.push(negated.long!);
      else if (value && opt === undefined) continue; // --no-X exists, X is its default
      continue;
    }
    if (!takesValue) throw new ConfigError(`${f} is a switch: use true or false, got ${JSON.stringify(value)}`);
    if (Array.isArray(value)) {
      if (!opt!.variadic) throw new ConfigError(`${f} takes one value (${opt!.flags}), got a list`);
      if (value.length === 0) throw new ConfigError(`${f}: an empty list`);
      args.push(opt!.long!, ...value.map((v, i) => sub(`${f}[${i}]`, scalarArg(`${f}[${i}]`, v))));
      continue;
    }
    args.push(opt!.long!, sub(f, scalarArg(f, value)));
  }
  return args;
}

/**
 * Loads and checks a pipeline file. `commands` are gamma's commands (a stage names one);
 * `outDirOverride` replaces the file's out_dir. Relative paths are relative to the folder
 * gamma runs in.
 */
export function loadPipeline(file: string, commands: Command[], outDirOverride?: string): Pipeline {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read the pipeline file ${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  return parsePipeline(file, raw, commands, outDirOverride);
}

export function parsePipeline(file: string, raw: unknown, commands: Command[], outDirOverride?: string): Pipeline {
  const at = (f: string) => `${file}: ${f}`;
  if (!isRecord(raw)) throw new ConfigError(`${file}: a pipeline file is a mapping with out_dir and stages`);
  for (const k of Object.keys(raw))
    if (!TOP_KEYS.has(k)) throw new ConfigError(at(`unknown field ${k} (fields: ${[...TOP_KEYS].join(", ")})`));
  const outRaw = outDirOverride ?? raw.out_dir;
  if (outRaw === undefined) throw new ConfigError(at("out_dir is missing (or pass --out-dir)"));
  const outDir = resolve(stringField(at("out_dir"), outRaw));
  if (raw.defaults !== undefined && !isRecord(raw.defaults)) throw new ConfigError(at("defaults must be a mapping of resources"));
  const defaults = raw.defaults ?? {};
  for (const k of Object.keys(defaults))
    if (!(RESOURCE_KEYS as readonly string[]).includes(k))
      throw new ConfigError(at(`defaults.${k}: unknown resource (resources: ${RESOURCE_KEYS.join(", ")})`));
  const base = resources(at("defaults"), defaults, DEFAULT_RESOURCES);
  if (!Array.isArray(raw.stages) || raw.stages.length === 0) throw new ConfigError(at("stages must be a non-empty list"));
  const byName = new Map(commands.map((c) => [c.name(), c]));
  const names = raw.stages.map((s, i) => (isRecord(s) && typeof s.name === "string" ? s.name : `#${i}`));
  const refs = new Map<string, string>([["out_dir", outDir]]);
  const assets = new Set<string>();
  const smokeSample = join(outDir, "inputs", "smoke-sample.jsonl.zst");
  const stages: Stage[] = [];
  raw.stages.forEach((s, i) => {
    const field = `stages[${i}]`;
    if (!isRecord(s)) throw new ConfigError(at(`${field} must be a mapping with name, command, tasks and settings`));
    for (const k of Object.keys(s))
      if (!STAGE_KEYS.has(k)) throw new ConfigError(at(`${field}.${k}: unknown field (fields: ${[...STAGE_KEYS].join(", ")})`));
    const name = stringField(at(`${field}.name`), s.name);
    if (!STAGE_NAME.test(name))
      throw new ConfigError(at(`${field}.name must be lower-case letters, digits, - and _ (a folder name), got ${JSON.stringify(name)}`));
    if (refs.has(name) || name === SMOKE_SAMPLE_REF)
      throw new ConfigError(at(`${field}.name: ${JSON.stringify(name)} is used twice or is reserved`));
    const commandName = s.command === undefined ? name : stringField(at(`${field}.command`), s.command);
    const cmd = byName.get(commandName);
    if (cmd === undefined || NOT_STAGES.has(commandName)) {
      const usable = commands
        .filter((c) => !NOT_STAGES.has(c.name()) && c.options.some((o) => o.long === "--out-dir"))
        .map((c) => c.name());
      throw new ConfigError(at(`${field}.command: ${JSON.stringify(commandName)} is not a gamma stage; stages: ${usable.join(", ")}`));
    }
    if (!cmd.options.some((o) => o.long === "--out-dir"))
      throw new ConfigError(at(`${field}.command: ${commandName} writes no --out-dir folder, so it cannot be a pipeline stage`));
    const canSplit = cmd.options.some((o) => o.long === "--num-tasks");
    const tasks = s.tasks === undefined ? 1 : intField(at(`${field}.tasks`), s.tasks, 1, 1 << 20);
    // One task runs the command once, as by hand, with no merge (a dedup stage's one job keeps its GPU for the near engine).
    const splits = canSplit && tasks > 1;
    if (tasks > 1 && !canSplit)
      throw new ConfigError(at(`${field}.tasks: ${commandName} does not split its work into tasks yet; use tasks: 1`));
    const settings = s.settings ?? {};
    if (!isRecord(settings)) throw new ConfigError(at(`${field}.settings must be a mapping of ${commandName}'s flags`));
    const later = new Set(names.slice(i + 1));
    const sub = (f: string, v: string) => {
      const out = substitute(f, v, refs, later);
      if (v.includes(`\${${SMOKE_SAMPLE_REF}}`)) assets.add(SMOKE_SAMPLE_REF);
      return out;
    };
    refs.set(SMOKE_SAMPLE_REF, smokeSample);
    const args = settingsArgs(at(`${field}.settings`), cmd, settings, sub);
    refs.delete(SMOKE_SAMPLE_REF);
    const res = resources(at(field), s, base);
    // The key chains the earlier stages' keys: redoing a stage redoes what reads its outputs.
    const stageOut = join(outDir, name);
    const key = sha256Hex(JSON.stringify({ before: stages.at(-1)?.key ?? null, command: commandName, args, tasks, outDir: stageOut }));
    // Each task uses the CPUs the scheduler gives it, unless the stage says otherwise.
    if (cmd.options.some((o) => o.long === "--cpu-threads") && !("cpu_threads" in settings) && !("cpu-threads" in settings)) {
      args.push("--cpu-threads", String(res.cpus_per_task));
    }
    stages.push({ name, command: commandName, tasks, splits, outDir: stageOut, args, resources: res, key });
    refs.set(name, stageOut);
  });
  return { file: isAbsolute(file) ? file : resolve(file), outDir, stages, assets: [...assets] };
}

/** The stage named `name`, or a ConfigError listing the stages. */
export function stageNamed(p: Pipeline, name: string): Stage {
  const s = p.stages.find((x) => x.name === name);
  if (s === undefined)
    throw new ConfigError(`--stage ${name}: no such stage in ${p.file} (stages: ${p.stages.map((x) => x.name).join(", ")})`);
  return s;
}
