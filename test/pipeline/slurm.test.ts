/**
 * Pipelines on a real single-node Slurm cluster (slurmctld, slurmd, munge; MaxArraySize 3, so
 * a 4-task stage is split into two arrays): the files match `gamma run` here and a single-task
 * run, and a task cancelled mid-run is all that a second submit runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { gamma, ROOT } from "../helpers/cli.ts";
import { REQUIRE_SLURM, slurmMissing, startSlurmCluster, type SlurmCluster } from "../helpers/slurm-cluster.ts";
import { tempDir } from "../helpers/tmp.ts";
import { exampleStages, keep, outputTree, treeDiff, writePipeline, type StageSpec } from "./pipeline-files.ts";

const missing = slurmMissing();
if (missing !== null) {
  if (REQUIRE_SLURM) test("a Slurm cluster can start here (GAMMA_REQUIRE_SLURM=1)", () => expect(missing).toBeNull());
  else console.warn(`SKIPPED: the Slurm pipeline tests: ${missing} (GAMMA_REQUIRE_SLURM=1 makes this a failure)`);
}

const dir = tempDir("gamma-slurm-test-");
const EPOCH = { SOURCE_DATE_EPOCH: "1700000000" };

/** A JSONL file large enough (~40 MB) that normalizing it takes seconds: a task to catch running. */
function slowInput(path: string, prefix: string): void {
  const line = (i: number) =>
    JSON.stringify({ id: `${prefix}${i}`, text: `document ${i}: ${"some words in a row that repeat ".repeat(20 + (i % 7))}` });
  writeFileSync(path, Array.from({ length: 60_000 }, (_, i) => line(i)).join("\n") + "\n");
}

describe.skipIf(missing !== null)("pipelines as Slurm array jobs", () => {
  let cluster: SlurmCluster;
  beforeAll(async () => {
    cluster = await startSlurmCluster({ maxArraySize: 3 });
  }, 60_000);
  afterAll(() => cluster?.stop());

  const env = () => ({ ...EPOCH, ...cluster.env });

  /** A run that must succeed (its stderr shown when it did not). */
  function ok(r: { code: number; stderr: string }) {
    expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
  }

  /** Waits until Slurm has no job left (squeue answering, and listing nothing). */
  /** Waits until squeue has shown no job three times in a row (a job changing state can drop out of one listing). */
  async function queueDrained(limitMs: number) {
    let empty = 0;
    for (let t = 0; t < limitMs; t += 100) {
      const q = cluster.client("squeue", ["-h"]);
      empty = q.code === 0 && q.stdout.trim() === "" ? empty + 1 : 0;
      if (empty === 3) return;
      await Bun.sleep(100);
    }
    throw new Error(`jobs still queued after ${limitMs} ms: ${cluster.client("squeue", []).stdout}`);
  }

  function submit(pipeline: string, ...extra: string[]) {
    return gamma(["slurm", "submit", pipeline, ...extra], { env: env() });
  }

  /** Runs `stages` three ways in one out_dir (manifests name their inputs' paths): Slurm with 4 tasks, gamma run with 4, gamma run with 1. */
  function threeWays(name: string, stages: StageSpec[]) {
    const out = join(dir, name, "out");
    const onSlurm = writePipeline(join(dir, `${name}-4.yaml`), out, stages, 4);
    const single = writePipeline(join(dir, `${name}-1.yaml`), out, stages, 1);
    const s = submit(onSlurm, "--wait");
    ok(s);
    const jobs = JSON.parse(s.stdout).jobs as { label: string; tasks: number[] }[];
    // MaxArraySize 3: the 4 normalize tasks go as two arrays.
    expect(jobs.filter((j) => j.label.startsWith("normalize task")).map((j) => j.tasks)).toEqual([[0, 1, 2], [3]]);
    const status = gamma(["slurm", "status", onSlurm, "--json"], { env: env() });
    expect(
      JSON.parse(status.stdout).stages.map((x: { completed: number; tasks: number; merged: boolean }) => [
        x.completed === x.tasks,
        x.merged,
      ]),
    ).toEqual(stages.map(() => [true, true]));
    const slurmTree = outputTree(keep(out, join(dir, name, "slurm")));
    const local = gamma(["run", onSlurm, "--cpu-threads", "2"], { env: EPOCH });
    ok(local);
    const localTree = outputTree(keep(out, join(dir, name, "local")));
    const one = gamma(["run", single, "--cpu-threads", "2"], { env: EPOCH });
    ok(one);
    const oneTree = outputTree(keep(out, join(dir, name, "single")));
    return { slurmTree, localTree, oneTree };
  }

  test("examples/pipeline.yaml (normalize, dedup, tokenize, pack on the embedded sample) on Slurm gives the files of gamma run and of one task", () => {
    const { slurmTree, localTree, oneTree } = threeWays("smoke", exampleStages());
    expect(slurmTree.has("pack/input_ids.mmap")).toBe(true);
    expect(slurmTree.has("tokenize/train/tokens.bin")).toBe(true);
    expect(treeDiff(slurmTree, localTree)).toEqual([]);
    expect(treeDiff(slurmTree, oneTree)).toEqual([]);
  }, 120_000);

  test("a bench-sized corpus (3 MB in 8 shards) on Slurm gives the files of gamma run and of one task", () => {
    const corpus = join(dir, "corpus");
    const made = spawnSync(process.execPath, [join(ROOT, "bench/make-corpus.ts"), "--out", corpus, "--mb", "3"], { encoding: "utf8" });
    expect(made.status).toBe(0);
    const stages: StageSpec[] = [
      {
        name: "normalize",
        settings: { input: `${corpus}/corpus/*.jsonl.zst`, source: "bench", domain: "mixed", id_field: "id", max_nul_fraction: 0.05 },
      },
      { name: "dedup", cpus_per_task: 2, settings: { input: "${normalize}/**/*.jsonl.zst", mode: "both" } },
    ];
    const { slurmTree, localTree, oneTree } = threeWays("bench", stages);
    expect([...slurmTree.keys()].filter((k) => k.endsWith(".jsonl.zst") && k.startsWith("normalize/")).length).toBe(16);
    expect(treeDiff(slurmTree, localTree)).toEqual([]);
    expect(treeDiff(slurmTree, oneTree)).toEqual([]);
  }, 150_000);

  test("a task cancelled with scancel mid-run fails --wait; a second submit runs only it, and the files match one task's", async () => {
    const inputs = join(dir, "cancel-in");
    mkdirSync(inputs, { recursive: true });
    const texts = (f: number) =>
      Array.from({ length: 40 }, (_, i) =>
        JSON.stringify({ id: `f${f}-${i}`, text: `document ${i} of file ${f}: ${"words in a row ".repeat(10 + ((i * 7 + f) % 13))}` }),
      ).join("\n") + "\n";
    for (const f of [0, 1, 3]) writeFileSync(join(inputs, `part-${f}.jsonl`), texts(f));
    // Task 2's input takes seconds: time to cancel it while it runs.
    slowInput(join(inputs, "part-2.jsonl"), "slow-");
    const stages: StageSpec[] = [
      { name: "normalize", settings: { input: `${inputs}/*.jsonl`, source: "s", domain: "d", id_field: "id", filters: "none" } },
      { name: "dedup", settings: { input: "${normalize}/**/*.jsonl.zst", mode: "exact" } },
    ];
    const out = join(dir, "cancel", "out");
    const p = writePipeline(join(dir, "cancel-4.yaml"), out, stages, 4);
    // The first submit waits for the pipeline, which will not finish.
    const first = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), "slurm", "submit", p, "--wait"], {
      env: { ...process.env, GAMMA_LOG_EVERY: "0", ...env() },
      stdout: "pipe",
      stderr: "pipe",
    });
    // Wait until task 2 runs (its log has its start line and Slurm says RUNNING), then cancel it.
    let cancelled = false;
    for (let i = 0; i < 600 && !cancelled; i++) {
      const q = cluster.client("squeue", ["-h", "-o", "%i %T", "-n", "gamma-normalize"]);
      const line = q.stdout.split("\n").find((l) => /^\d+_2 RUNNING$/.test(l));
      if (line !== undefined && existsSync(join(out, "logs/normalize/task-00002.log"))) {
        expect(cluster.client("scancel", [line.split(" ")[0]!]).code).toBe(0);
        cancelled = true;
      } else await Bun.sleep(50);
    }
    expect(cancelled).toBe(true);
    // The merge and dedup jobs can never run now: Slurm drops them, and --wait fails naming the task.
    expect(await first.exited).toBe(1);
    expect(await new Response(first.stderr).text()).toContain(
      "the pipeline did not finish: normalize: task(s) 2 not finished; dedup: task(s) 0, 1, 2, 3 not finished",
    );
    expect(cluster.client("squeue", ["-h"]).stdout.trim()).toBe("");
    const st = JSON.parse(gamma(["slurm", "status", p, "--json"], { env: env() }).stdout).stages;
    expect(st[0]).toMatchObject({ completed: 3, tasks: 4, merged: false, missing: [2] });
    expect(readFileSync(join(out, "logs/normalize/task-00002.log"), "utf8")).not.toContain(": done");
    // The second submit runs task 2, the merge and dedup's tasks and merge only.
    const again = submit(p, "--wait");
    ok(again);
    const jobs = JSON.parse(again.stdout).jobs as { label: string; tasks: number[] }[];
    expect(jobs.map((j) => j.label)).toEqual(["normalize task 2", "normalize merge", "dedup tasks 0-2", "dedup task 3", "dedup merge"]);
    expect(jobs[0]!.tasks).toEqual([2]);
    for (const t of [0, 1, 3])
      expect(readFileSync(join(out, `logs/normalize/task-0000${t}.log`), "utf8").match(/: start: /g)?.length).toBe(1);
    const resumed = outputTree(keep(out, join(dir, "cancel", "slurm")));
    expect(gamma(["run", writePipeline(join(dir, "cancel-1.yaml"), out, stages, 1)], { env: EPOCH }).code).toBe(0);
    expect(treeDiff(resumed, outputTree(out))).toEqual([]);
    expect(resumed.size).toBeGreaterThan(8);
  }, 120_000);

  test("a task warned with USR1 (preemption) requeues its own job and finishes on the next run", async () => {
    const inputs = join(dir, "requeue-in");
    mkdirSync(inputs, { recursive: true });
    writeFileSync(join(inputs, "a.jsonl"), JSON.stringify({ id: "a", text: "a document long enough to pass ".repeat(8) }) + "\n");
    slowInput(join(inputs, "b.jsonl"), "b-");
    const stages: StageSpec[] = [
      { name: "normalize", settings: { input: `${inputs}/*.jsonl`, source: "s", domain: "d", id_field: "id", filters: "none" } },
    ];
    const out = join(dir, "requeue", "out");
    const p = writePipeline(join(dir, "requeue.yaml"), out, stages, 2);
    const first = submit(p);
    ok(first);
    const arrayId = JSON.parse(first.stdout).jobs[0].id as string;
    let signalled = false;
    for (let i = 0; i < 600 && !signalled; i++) {
      const q = cluster.client("squeue", ["-h", "-o", "%i %T", "-j", arrayId]);
      if (q.stdout.includes(`${arrayId}_1 RUNNING`) && existsSync(join(out, "logs/normalize/task-00001.log"))) {
        expect(cluster.client("scancel", ["--batch", "--signal=USR1", `${arrayId}_1`]).code).toBe(0);
        signalled = true;
      } else await Bun.sleep(50);
    }
    expect(signalled).toBe(true);
    // Requeued: the job is pending again; the test lifts the two minutes Slurm waits before
    // restarting a requeued job.
    const slurmOut = () =>
      readdirSync(join(out, "logs/slurm"))
        .filter((f) => f.startsWith("normalize-") && f.endsWith("_1.out"))
        .map((f) => readFileSync(join(out, "logs/slurm", f), "utf8"))
        .join("");
    for (let i = 0; i < 300 && !slurmOut().includes("requeued job"); i++) await Bun.sleep(100);
    expect(slurmOut()).toContain("requeued job");
    for (let i = 0; i < 300 && !cluster.client("squeue", ["-h", "-o", "%i %T", "-j", arrayId]).stdout.includes(`${arrayId}_1 PENDING`); i++)
      await Bun.sleep(100);
    // gamma slurm status lists the jobs still queued: the requeued task and the merge.
    const queued = JSON.parse(gamma(["slurm", "status", p, "--json"], { env: env() }).stdout).queued;
    expect(queued).toEqual([
      { label: "normalize tasks 0-1", id: arrayId, states: { PENDING: 1 } },
      { label: "normalize merge", id: expect.any(String), states: { PENDING: 1 } },
    ]);
    expect(cluster.client("scontrol", ["update", `JobId=${arrayId}_1`, "StartTime=now"]).code).toBe(0);
    await queueDrained(90_000);
    const st = JSON.parse(gamma(["slurm", "status", p, "--json"], { env: env() }).stdout).stages;
    const taskLog = readFileSync(join(out, "logs/normalize/task-00001.log"), "utf8");
    // On a mismatch, the task's own logs say why (they are in the failure message).
    expect({ ...st[0], logs: st[0].completed === 2 ? "" : `${slurmOut()}\n${taskLog}` }).toMatchObject({
      completed: 2,
      tasks: 2,
      merged: true,
      logs: "",
    });
    expect(taskLog.match(/: start: /g)?.length).toBe(2);
  }, 120_000);
});
