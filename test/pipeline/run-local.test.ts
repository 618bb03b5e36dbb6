import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { gamma } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { keep, outputTree, treeDiff, writePipeline, type StageSpec } from "./pipeline-files.ts";

const dir = tempDir("gamma-run-test-");
const EPOCH = { SOURCE_DATE_EPOCH: "1700000000" };
const inputs = join(dir, "in");
mkdirSync(inputs);

function docs(f: number): string {
  // Every third document repeats one of file 0's, so dedup has work across tasks.
  return (
    Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({
        id: `f${f}-${i}`,
        text: i % 3 === 0 ? `shared text number ${i} `.repeat(6) : `file ${f} document ${i} `.repeat(4 + (i % 5)),
      }),
    ).join("\n") + "\n"
  );
}
for (let f = 0; f < 6; f++) writeFileSync(join(inputs, `part-${f}.jsonl.zst`), zlib.zstdCompressSync(Buffer.from(docs(f))));

const stages: StageSpec[] = [
  { name: "normalize", settings: { input: `${inputs}/*.jsonl.zst`, source: "web", domain: "prose", id_field: "id", filters: "none" } },
  { name: "dedup", settings: { input: "${normalize}/**/*.jsonl.zst", mode: "exact" } },
];

function starts(log: string): number {
  return readFileSync(log, "utf8").match(/: start: /g)?.length ?? 0;
}

describe("gamma run", () => {
  const out = join(dir, "out");

  test("4 tasks per stage (normalize, dedup) give the files of 1 task and of the commands run by hand; a second run runs nothing", () => {
    const four = writePipeline(join(dir, "four.yaml"), out, stages, 4);
    const r = gamma(["run", four, "--cpu-threads", "2"], { env: EPOCH });
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stages[0]).toMatchObject({ name: "normalize", tasks: 4, ran: 4, merged: true });
    const again = gamma(["run", four], { env: EPOCH });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).stages.map((s: { ran: number }) => s.ran)).toEqual([0, 0]);
    expect(again.stderr).toContain("normalize: all 4 task(s) and the merge already done");
    // Nothing is left for Slurm either, and status says so.
    expect(gamma(["slurm", "submit", four, "--dry-run"]).stdout).toBe("# nothing to submit: every task and merge is done\n");
    expect(gamma(["slurm", "status", four]).stdout).toMatch(/normalize\s+4\/4 tasks\s+merge done\ndedup\s+4\/4 tasks\s+merge done/);
    // What a Slurm job runs: a task by the array's index (or --task-index), skipped when done.
    const resolved = join(out, ".gamma-pipeline/pipeline.json");
    const noArray = gamma(["slurm", "task", resolved, "--stage", "normalize"]);
    expect(noArray.code).toBe(2);
    expect(noArray.stderr).toContain("SLURM_ARRAY_TASK_ID");
    const byArray = gamma(["slurm", "task", resolved, "--stage", "normalize", "--task-offset", "2"], {
      env: { SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_COUNT: "1" },
    });
    expect(byArray.code).toBe(0);
    expect(byArray.stderr).toContain("normalize task 3 of 4: already done; skipped");
    const fourTree = outputTree(keep(out, join(dir, "four")));
    expect([...fourTree.keys()].filter((k) => k.startsWith("normalize/web/prose/part-")).length).toBe(18);

    expect(gamma(["run", writePipeline(join(dir, "one.yaml"), out, stages, 1)], { env: EPOCH }).code).toBe(0);
    expect(treeDiff(fourTree, outputTree(keep(out, join(dir, "one"))))).toEqual([]);

    const n = gamma(
      [
        "normalize",
        "--input",
        `${inputs}/*.jsonl.zst`,
        "--source",
        "web",
        "--domain",
        "prose",
        "--id-field",
        "id",
        "--filters",
        "none",
        "--out-dir",
        join(out, "normalize"),
      ],
      { env: EPOCH },
    );
    expect(n.code).toBe(0);
    expect(
      gamma(["dedup", "--input", `${out}/normalize/**/*.jsonl.zst`, "--mode", "exact", "--out-dir", join(out, "dedup")], { env: EPOCH })
        .code,
    ).toBe(0);
    expect(treeDiff(fourTree, outputTree(keep(out, join(dir, "by-hand"))))).toEqual([]);
  }, 120_000);

  test("a failed task fails the run naming it and its log; after the fix a rerun runs that task alone", () => {
    const good = readFileSync(join(inputs, "part-4.jsonl.zst"));
    // 6 files in 4 tasks: task 2 has part-4 alone.
    writeFileSync(join(inputs, "part-4.jsonl.zst"), good.subarray(0, good.length - 9));
    const p = writePipeline(join(dir, "fail.yaml"), out, stages, 4);
    const r = gamma(["run", p, "--cpu-threads", "2"], { env: EPOCH });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("normalize: task(s) 2 of 4 failed");
    expect(r.stderr).toContain(join(out, "logs/normalize"));
    expect(readFileSync(join(out, "logs/normalize/task-00002.log"), "utf8")).toContain("part-4.jsonl.zst");
    const status = JSON.parse(gamma(["slurm", "status", p, "--json"]).stdout).stages;
    expect(status[0]).toMatchObject({ completed: 3, merged: false, missing: [2] });
    writeFileSync(join(inputs, "part-4.jsonl.zst"), good);
    const again = gamma(["run", p, "--cpu-threads", "2"], { env: EPOCH });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).stages[0].ran).toBe(1);
    expect([0, 1, 2, 3].map((t) => starts(join(out, `logs/normalize/task-0000${t}.log`)))).toEqual([1, 1, 2, 1]);
    expect(treeDiff(outputTree(keep(out, join(dir, "resumed"))), outputTree(join(dir, "four")))).toEqual([]);
  }, 120_000);
});

describe("gamma slurm submit --dry-run", () => {
  test("prints one array per MaxArraySize slice of the tasks, the merge after them, and each stage's resources", () => {
    const p = join(dir, "dry.yaml");
    writeFileSync(
      p,
      [
        `out_dir: ${join(dir, "dry")}`,
        "defaults: {partition: cpu, time: '2:00:00', mem: 4G}",
        "stages:",
        "  - name: normalize",
        "    tasks: 7",
        "    max_parallel: 2",
        "    account: proj",
        "    sbatch: ['--qos=long']",
        `    settings: {input: '${inputs}/*.jsonl.zst', source: web, domain: prose}`,
        "  - name: dedup",
        "    partition: gpu",
        "    gpus_per_task: 2",
        "    cpus_per_task: 4",
        "    settings: {input: '${normalize}/**/*.jsonl.zst'}",
      ].join("\n"),
    );
    const r = gamma(["slurm", "submit", p, "--dry-run", "--max-array-size", "3"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const jobs = r.stdout.split(/^# job /m).slice(1);
    expect(jobs.map((j) => j.split("\n")[0])).toEqual([
      "1 of 5: normalize tasks 0-2",
      "2 of 5: normalize tasks 3-5",
      "3 of 5: normalize task 6",
      "4 of 5: normalize merge (sbatch --dependency=afterok on: normalize tasks 0-2, normalize tasks 3-5, normalize task 6)",
      "5 of 5: dedup task 0 (sbatch --dependency=afterok on: normalize merge)",
    ]);
    expect(jobs[0]).toContain("#SBATCH --array=0-2%2\n");
    expect(jobs[1]).toContain("#SBATCH --array=0-2%2\n");
    expect(jobs[1]).toMatch(/slurm task \S+pipeline\.json --stage normalize --task-offset 3\n/);
    expect(jobs[2]).toContain("#SBATCH --array=0%2\n");
    for (const line of [
      "--partition=cpu",
      "--account=proj",
      "--time=2:00:00",
      "--mem=4G",
      "--cpus-per-task=1",
      "--qos=long",
      "--requeue",
      "--signal=B:USR1@60",
      "--kill-on-invalid-dep=yes",
    ])
      expect(jobs[0]).toContain(`#SBATCH ${line}\n`);
    expect(jobs[3]).toContain("--stage normalize --merge\n");
    expect(jobs[3]).not.toContain("--array");
    for (const line of ["--partition=gpu", "--gres=gpu:2", "--cpus-per-task=4"]) expect(jobs[4]).toContain(`#SBATCH ${line}\n`);
    expect(jobs[0]).not.toContain("--gres");
    // The script starts this same gamma: the binary, or Bun with gamma's entry point.
    expect(jobs[0]).toMatch(/^exec \S+ \S*src\/cli\.ts slurm task /m);
  });
});
