import { describe, expect, test } from "bun:test";
import { join, relative } from "node:path";
import { ConfigError, InputError } from "../../src/errors.ts";
import { DEFAULT_FILTERS } from "../../src/filters/rules.ts";
import { readTask } from "../../src/runtime/flags.ts";
import { checkTask, shareRange } from "../../src/runtime/tasks.ts";
import { runNormalize, type NormalizeOptions } from "../../src/stages/normalize.ts";
import { brownFiles, brownParagraphs } from "../../scripts/lib/brown.ts";
import { fileTree, tempDir, writeJsonl } from "../helpers/tmp.ts";

process.env.SOURCE_DATE_EPOCH = "1700000000";
const dir = tempDir();

const tree = fileTree;

describe("task shares", () => {
  test("cover every item once, in order, with sizes differing by at most one", () => {
    for (const n of [0, 1, 5, 7, 100]) {
      for (const count of [1, 2, 3, 4, 9]) {
        const seen: number[] = [];
        const sizes: number[] = [];
        for (let index = 0; index < count; index++) {
          const [a, b] = shareRange(n, { index, count });
          for (let i = a; i < b; i++) seen.push(i);
          sizes.push(b - a);
        }
        expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  test("a task index outside the world size is a configuration error naming the flag", () => {
    expect(() => checkTask({ index: 4, count: 4 })).toThrow(/--task-index must be an integer from 0 to 3/);
    expect(() => readTask({ numTasks: "0" })).toThrow(ConfigError);
    expect(() => readTask({ merge: true, taskIndex: "1", numTasks: "2" })).toThrow(/--merge runs once/);
  });

  test("the task comes from Slurm's array variables when no flag is given", () => {
    const saved = { ...process.env };
    try {
      process.env.SLURM_ARRAY_TASK_ID = "2";
      process.env.SLURM_ARRAY_TASK_COUNT = "3";
      expect(readTask({}).task).toEqual({ index: 2, count: 3 });
      expect(readTask({ taskIndex: "0" }).task).toEqual({ index: 0, count: 3 });
    } finally {
      delete process.env.SLURM_ARRAY_TASK_ID;
      delete process.env.SLURM_ARRAY_TASK_COUNT;
      Object.assign(process.env, saved);
    }
  });
});

describe("normalize as tasks", () => {
  const paras = brownFiles()
    .slice(0, 14)
    .flatMap((f) => brownParagraphs(f))
    .filter((p) => p.length > 200);
  const inputs: string[] = [];
  for (let f = 0; f < 7; f++) {
    const rows = paras.slice(f * 20, f * 20 + 20).map((text, i) => (i === 3 ? "{broken" : { text }));
    inputs.push(writeJsonl(join(dir, `in-${f}.jsonl`), rows));
  }
  const opts = (outDir: string, over: Partial<NormalizeOptions> = {}): NormalizeOptions => ({
    inputs: [join(dir, "in-*.jsonl")],
    outDir,
    source: "brown",
    domain: "prose",
    textField: "text",
    idField: null,
    licenseTag: null,
    filters: { ...DEFAULT_FILTERS },
    nfkc: false,
    strict: false,
    keepRejectedText: false,
    maxNulFraction: 0.5,
    overwrite: false,
    cpuThreads: 1,
    ...over,
  });

  test("N tasks and their merge give the files and counts of one run, for N = 1, 3 and 4", async () => {
    const single = await runNormalize(opts(join(dir, "one")));
    expect(single.counts.rejected.invalid_json).toBe(7);
    const reference = tree(join(dir, "one"));
    expect(reference.size).toBe(21);
    for (const count of [1, 3, 4]) {
      const out = join(dir, `tasks-${count}`);
      // Run the tasks out of order: a task's share does not depend on the others.
      for (const index of Array.from({ length: count }, (_, i) => count - 1 - i)) await runNormalize(opts(out, { task: { index, count } }));
      const merged = await runNormalize(opts(out, { task: { index: 0, count }, merge: true }));
      expect(tree(out)).toEqual(reference);
      expect(merged.counts).toEqual(single.counts);
      expect(merged.shards.map((s) => relative(out, s))).toEqual(single.shards.map((s) => relative(join(dir, "one"), s)));
    }
  });

  test("merging before every task has finished names the missing tasks", async () => {
    const out = join(dir, "partial");
    await runNormalize(opts(out, { task: { index: 1, count: 3 } }));
    const e = await runNormalize(opts(out, { task: { index: 0, count: 3 }, merge: true })).catch((x) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/task\(s\) 0, 2 of 3 have not finished/);
  });

  test("a finished task is skipped on rerun, and a task for other settings is not", async () => {
    const out = join(dir, "rerun");
    const first = await runNormalize(opts(out, { task: { index: 0, count: 2 } }));
    const again = await runNormalize(opts(out, { task: { index: 0, count: 2 } }));
    expect(again).toEqual(first);
    const other = await runNormalize(
      opts(out, { task: { index: 0, count: 2 }, overwrite: true, filters: { ...DEFAULT_FILTERS, min_chars: 5000 } }),
    );
    expect(other.counts.dropped).not.toEqual(first.counts.dropped);
  });
});
