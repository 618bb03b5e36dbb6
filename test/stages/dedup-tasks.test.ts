import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { nearSettings } from "../../src/commands/dedup.ts";
import { readGlobals } from "../../src/commands/globals.ts";
import { runDedup, runDedupTask, type DedupOptions } from "../../src/stages/dedup.ts";
import { dupCorpus } from "../near/fixtures/dup-corpus.ts";
import { tempDir, writeJsonl } from "../helpers/tmp.ts";

process.env.SOURCE_DATE_EPOCH = "1700000000";
const dir = tempDir();

/** Real text with planted exact and near duplicates, as five shards of two sources, plus a line that is not a document. */
function shards(): string[] {
  const corpus = dupCorpus(5, 50, 50);
  const docs = corpus.texts.map((t, i) => ({
    text: t,
    source: i % 3 === 0 ? "web" : "books",
    domain: "prose",
    doc_id: `d${String(i).padStart(4, "0")}`,
    license_tag: null,
    created_at: "2023-11-14T22:13:20.000Z",
    meta: {},
  }));
  const per = Math.ceil(docs.length / 5);
  mkdirSync(join(dir, "in"));
  return [0, 1, 2, 3, 4].map((s) => {
    const rows: unknown[] = docs.slice(s * per, (s + 1) * per);
    if (s === 3) rows.splice(2, 0, "{not json");
    return writeJsonl(join(dir, "in", `part-0000${s}.jsonl.zst`), rows, "zst");
  });
}
const inputs = shards();

let runs = 0;
function options(flags: Record<string, string>, threads: number): DedupOptions {
  const g = readGlobals({ cpuThreads: String(threads), device: "cpu", seed: "0" });
  return {
    inputs,
    outDir: join(dir, `out-${runs++}`),
    mode: (flags.mode ?? "both") as DedupOptions["mode"],
    scope: "global",
    near: nearSettings(flags, g),
  };
}

const OUTPUTS = ["deduped.jsonl.zst", "decisions.jsonl.zst", "dedup.manifest.json"];
const read = (d: string, f: string) => readFileSync(join(d, f));

/** Runs `count` tasks (in reverse order, on two threads) into `outDir`, then the merge. */
async function tasksThenMerge(o: DedupOptions, count: number): Promise<void> {
  for (let index = count - 1; index >= 0; index--) await runDedupTask({ ...o, task: { index, count } });
  await runDedup({ ...o, task: { index: 0, count }, merge: true });
}

describe("dedup split into tasks", () => {
  for (const flags of <Record<string, string>[]>[
    { mode: "exact" },
    { mode: "both", verify: "exact", nearClusters: "greedy", threshold: "0.7" },
    { mode: "both", verify: "exact", nearClusters: "components", threshold: "0.7" },
    { mode: "near", verify: "estimate", nearClusters: "greedy" },
  ]) {
    const label = Object.entries(flags)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    test(`N = 1, 3 and 4 tasks then --merge write the bytes of a single run (${label})`, async () => {
      const single = options(flags, 1);
      const r = await runDedup(single);
      expect(r.counts.rejected.invalid_record).toBe(1);
      if (flags.mode !== "near") expect(r.counts.dropped.exact_dup).toBeGreaterThan(5);
      if (flags.mode !== "exact") expect(r.counts.dropped.near_dup).toBeGreaterThan(3);
      for (const count of [1, 3, 4]) {
        const o = { ...options(flags, 2) };
        await tasksThenMerge(o, count);
        for (const f of OUTPUTS)
          expect(`${count} tasks: ${f}: ${read(o.outDir, f).equals(read(single.outDir, f))}`).toBe(`${count} tasks: ${f}: true`);
        // The work folder and the task markers are gone; the merge's marker stays.
        expect(readdirSync(o.outDir).sort()).toEqual([
          ".gamma-tasks",
          "decisions.jsonl.zst",
          "dedup.manifest.json",
          "dedup.stats.json",
          "deduped.jsonl.zst",
        ]);
        expect(readdirSync(join(o.outDir, ".gamma-tasks"))).toEqual([`dedup-merge.task-00000-of-0000${count}.done.json`]);
      }
    });
  }

  test("on the CPU the tasks sign, and the merge does not read the shards for the near engine", async () => {
    const o = options({ mode: "both" }, 1);
    await tasksThenMerge(o, 3);
    expect(JSON.parse(readFileSync(join(o.outDir, "dedup.stats.json"), "utf8")).near.signedInFirstPass).toBe(true);
  });

  test("--merge before every task finished fails naming the missing tasks and writes no output", async () => {
    const o = options({ mode: "both" }, 1);
    await runDedupTask({ ...o, task: { index: 1, count: 4 } });
    const merge = runDedup({ ...o, task: { index: 0, count: 4 }, merge: true });
    await expect(merge).rejects.toThrow("task(s) 0, 2, 3 of 4 have not finished");
    for (const f of OUTPUTS) expect(existsSync(join(o.outDir, f))).toBe(false);
  });

  test("a finished task run again is skipped; a merge run again changes nothing; another task count is other work", async () => {
    const o = options({ mode: "both" }, 1);
    const first = await runDedupTask({ ...o, task: { index: 0, count: 2 } });
    const facts = join(o.outDir, ".dedup-work", "task-00000-of-00002", "part-00000.facts.jsonl.zst");
    const made = readFileSync(facts);
    const again = await runDedupTask({ ...o, task: { index: 0, count: 2 } });
    expect(again).toEqual(first);
    expect(readFileSync(facts).equals(made)).toBe(true);
    await runDedupTask({ ...o, task: { index: 1, count: 2 } });
    // Three tasks of the same work: none has finished, whatever two tasks did.
    await expect(runDedup({ ...o, task: { index: 0, count: 3 }, merge: true })).rejects.toThrow("task(s) 0, 1, 2 of 3");
    const merged = await runDedup({ ...o, task: { index: 0, count: 2 }, merge: true });
    const bytes = OUTPUTS.map((f) => read(o.outDir, f));
    const rerun = await runDedup({ ...o, task: { index: 0, count: 2 }, merge: true });
    expect(rerun.counts).toEqual(merged.counts);
    OUTPUTS.forEach((f, i) => expect(read(o.outDir, f).equals(bytes[i]!)).toBe(true));
    // With the merged outputs in place a task run again has nothing to do.
    await runDedupTask({ ...o, task: { index: 1, count: 2 } });
    expect(existsSync(join(o.outDir, ".dedup-work"))).toBe(false);
  });

  test("a task removes the temporaries a killed task left", async () => {
    const o = options({ mode: "exact" }, 1);
    const stale = join(o.outDir, ".dedup-work", "task-00000-of-00002.tmp-999999999");
    mkdirSync(stale, { recursive: true });
    await runDedupTask({ ...o, task: { index: 0, count: 2 } });
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(join(o.outDir, ".dedup-work"))).toEqual(["task-00000-of-00002"]);
  });
});
