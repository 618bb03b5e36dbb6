import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { commands } from "../../src/commands/index.ts";
import { ConfigError } from "../../src/errors.ts";
import { parsePipeline } from "../../src/pipeline/spec.ts";
import { arraySpec } from "../../src/pipeline/slurm.ts";
import { readEnv } from "../../src/runtime/env.ts";
import { gamma } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const cmds = commands();
const dir = tempDir();

function parse(raw: unknown, outDir?: string) {
  return parsePipeline("p.yaml", raw, cmds, outDir);
}

function configError(raw: unknown): string {
  try {
    parse(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

const normalize = {
  name: "normalize",
  tasks: 4,
  settings: { input: ["a/*.jsonl", "b.jsonl"], source: "web", domain: "prose", id_field: "id", nfkc: true, strict: false },
};

describe("pipeline files", () => {
  test("settings become the command's flags; references name earlier stages' folders; cpus_per_task sets --cpu-threads", () => {
    const p = parse({
      out_dir: "/data/run",
      stages: [normalize, { name: "dedup", cpus_per_task: 3, settings: { input: "${normalize}/**/*.jsonl.zst", mode: "exact" } }],
    });
    expect(p.outDir).toBe("/data/run");
    expect(p.stages[0]!.args).toEqual([
      "--input",
      "a/*.jsonl",
      "b.jsonl",
      "--source",
      "web",
      "--domain",
      "prose",
      "--id-field",
      "id",
      "--nfkc",
      "--cpu-threads",
      "1",
    ]);
    expect(p.stages[0]!.outDir).toBe("/data/run/normalize");
    expect(p.stages[0]!.splits).toBe(true);
    expect(p.stages[1]!.args).toEqual(["--input", "/data/run/normalize/**/*.jsonl.zst", "--mode", "exact", "--cpu-threads", "3"]);
    expect(p.stages[1]!.resources.cpus_per_task).toBe(3);
  });

  test("--out-dir overrides out_dir, and ${smoke_sample} is written under it", () => {
    const p = parse(
      { out_dir: "/data/run", stages: [{ ...normalize, settings: { ...normalize.settings, input: "${smoke_sample}" } }] },
      "/elsewhere",
    );
    expect(p.outDir).toBe("/elsewhere");
    expect(p.stages[0]!.args.slice(0, 2)).toEqual(["--input", "/elsewhere/inputs/smoke-sample.jsonl.zst"]);
    expect(p.assets).toEqual(["smoke_sample"]);
  });

  test("defaults give every stage its resources; a stage's own win", () => {
    const p = parse({
      out_dir: "/o",
      defaults: { partition: "cpu", time: "1:00:00", mem: "4G", max_parallel: 8 },
      stages: [normalize, { name: "dedup", partition: "gpu", gpus_per_task: 1, settings: { input: "${normalize}/*" } }],
    });
    expect(p.stages[0]!.resources).toMatchObject({ partition: "cpu", time: "1:00:00", mem: "4G", max_parallel: 8, gpus_per_task: 0 });
    expect(p.stages[1]!.resources).toMatchObject({ partition: "gpu", time: "1:00:00", gpus_per_task: 1 });
  });

  test("a stage's key changes with its settings and with any earlier stage's, not with its resources", () => {
    const base = { out_dir: "/o", stages: [normalize, { name: "dedup", settings: { input: "${normalize}/*" } }] };
    const a = parse(base);
    const b = parse({ ...base, stages: [{ ...normalize, settings: { ...normalize.settings, source: "other" } }, base.stages[1]] });
    const c = parse({ ...base, stages: [{ ...normalize, partition: "big" }, base.stages[1]] });
    expect(b.stages[1]!.key).not.toBe(a.stages[1]!.key);
    expect(c.stages.map((s) => s.key)).toEqual(a.stages.map((s) => s.key));
  });

  test("bad fields are errors that name the field", () => {
    expect(configError({ stages: [normalize] })).toContain("out_dir is missing");
    expect(configError({ out_dir: "/o", stage: [] })).toContain("unknown field stage");
    expect(configError({ out_dir: "/o", stages: [] })).toContain("stages must be a non-empty list");
    expect(configError({ out_dir: "/o", stages: [{ ...normalize, settings: { ...normalize.settings, txt_field: "t" } }] })).toContain(
      "stages[0].settings.txt_field: normalize has no flag --txt-field",
    );
    expect(configError({ out_dir: "/o", stages: [{ ...normalize, settings: { ...normalize.settings, out_dir: "x" } }] })).toContain(
      "stages[0].settings.out_dir: not a stage setting",
    );
    expect(configError({ out_dir: "/o", stages: [{ ...normalize, settings: { ...normalize.settings, nfkc: "yes" } }] })).toContain(
      "stages[0].settings.nfkc is a switch",
    );
    expect(configError({ out_dir: "/o", stages: [{ ...normalize, settings: { ...normalize.settings, source: ["a", "b"] } }] })).toContain(
      "stages[0].settings.source takes one value",
    );
    expect(configError({ out_dir: "/o", stages: [{ ...normalize, tasks: 0 }] })).toContain("stages[0].tasks must be an integer from 1");
    expect(configError({ out_dir: "/o", stages: [{ ...normalize, cpus_per_task: "two" }] })).toContain(
      "stages[0].cpus_per_task must be an integer",
    );
    expect(configError({ out_dir: "/o", stages: [{ ...normalize, name: "Bad Name" }] })).toContain("stages[0].name must be lower-case");
    expect(configError({ out_dir: "/o", stages: [normalize, normalize] })).toContain("stages[1].name");
    expect(configError({ out_dir: "/o", stages: [{ name: "x", command: "frobnicate", settings: {} }] })).toContain(
      'stages[0].command: "frobnicate" is not a gamma stage',
    );
    expect(configError({ out_dir: "/o", stages: [{ ...normalize, gpu: 1 }] })).toContain("stages[0].gpu: unknown field");
    expect(configError({ out_dir: "/o", defaults: { gpus: 1 }, stages: [normalize] })).toContain("defaults.gpus: unknown resource");
  });

  test("a reference to a later stage or to nothing is an error naming the setting", () => {
    const later = configError({
      out_dir: "/o",
      stages: [
        { ...normalize, settings: { ...normalize.settings, input: "${dedup}/x" } },
        { name: "dedup", settings: { input: "y" } },
      ],
    });
    expect(later).toContain("p.yaml: stages[0].settings.input:");
    expect(later).toContain("runs later");
    expect(configError({ out_dir: "/o", stages: [{ ...normalize, settings: { ...normalize.settings, input: "${nope}" } }] })).toContain(
      "unknown reference ${nope}",
    );
  });

  test("a command that does not split its work cannot have several tasks", () => {
    const single = cmds.find(
      (c) =>
        c.options.some((o) => o.long === "--out-dir") &&
        !c.options.some((o) => o.long === "--num-tasks") &&
        !["smoke", "run", "slurm"].includes(c.name()),
    );
    if (single === undefined) return; // every stage splits
    expect(configError({ out_dir: "/o", stages: [{ name: "s", command: single.name(), tasks: 2, settings: {} }] })).toContain(
      `stages[0].tasks: ${single.name()} does not split its work`,
    );
  });

  test("gamma run with a bad pipeline file exits 2 naming the file and field", () => {
    const f = join(dir, "bad.yaml");
    writeFileSync(f, "out_dir: o\nstages:\n  - name: normalize\n    settings: {input: x, source: s, domain: d, colour: red}\n");
    const r = gamma(["run", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bad.yaml: stages[0].settings.colour");
    const y = join(dir, "broken.yaml");
    writeFileSync(y, "stages: [oops\n");
    const r2 = gamma(["slurm", "submit", y, "--dry-run"]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("broken.yaml: not valid YAML");
  });

  test("gamma --help lists run and slurm, and slurm's help its subcommands", () => {
    expect(gamma(["--help"]).stdout).toMatch(/\n {2}run \[options\] <pipeline\.yaml>[\s\S]*\n {2}slurm /);
    const h = gamma(["slurm", "--help"]).stdout;
    for (const c of ["submit", "status", "task"]) expect(h).toContain(`  ${c} `);
  });

  test("array specs compress runs of task indices", () => {
    expect(arraySpec([0, 1, 2, 3])).toBe("0-3");
    expect(arraySpec([2])).toBe("2");
    expect(arraySpec([0, 2, 3, 4, 7, 9, 10])).toBe("0,2-4,7,9-10");
  });
});

describe("a task's GPU from the scheduler's environment", () => {
  test("GPU_DEVICE_ORDINAL, then CUDA_VISIBLE_DEVICES, then SLURM_LOCALID give the local GPU index", () => {
    expect(readEnv({ GPU_DEVICE_ORDINAL: "3,4", CUDA_VISIBLE_DEVICES: "1", SLURM_LOCALID: "0" }).gpuLocalIndex).toBe(3);
    expect(readEnv({ CUDA_VISIBLE_DEVICES: "2", SLURM_LOCALID: "0" }).gpuLocalIndex).toBe(2);
    expect(readEnv({ CUDA_VISIBLE_DEVICES: "GPU-8f0c1a2b", SLURM_LOCALID: "1" }).gpuLocalIndex).toBe(1);
    expect(readEnv({}).gpuLocalIndex).toBeNull();
  });

  test("an array task's job is named ARRAYJOB_TASK for scontrol", () => {
    expect(readEnv({ SLURM_JOB_ID: "45", SLURM_ARRAY_JOB_ID: "42", SLURM_ARRAY_TASK_ID: "2" }).slurmJobId).toBe("42_2");
    expect(readEnv({ SLURM_JOB_ID: "45" }).slurmJobId).toBe("45");
    expect(readEnv({}).slurmJobId).toBeNull();
  });
});
