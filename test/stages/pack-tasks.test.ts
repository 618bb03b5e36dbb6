import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../src/errors.ts";
import { NO_FILTERS } from "../../src/filters/rules.ts";
import { runNormalize } from "../../src/stages/normalize.ts";
import { runPack, runPackTask, type PackOptions } from "../../src/stages/pack.ts";
import { brownFiles, brownParagraphs } from "../../scripts/lib/brown.ts";
import { gamma } from "../helpers/cli.ts";
import { writeCodeTokenizer } from "../helpers/code-tokenizer.ts";
import { fileTree, tempDir, writeJsonl } from "../helpers/tmp.ts";

process.env.SOURCE_DATE_EPOCH = "1700000000";
const dir = tempDir();
const TOKENIZER = writeCodeTokenizer(join(dir, "tok"), []);
const paras = brownFiles()
  .slice(40, 50)
  .flatMap((f) => brownParagraphs(f))
  .filter((p) => p.length > 100);

async function shard(source: string, rows: unknown[]): Promise<string> {
  await runNormalize({
    inputs: [writeJsonl(join(dir, `${source}.jsonl`), rows)],
    outDir: join(dir, "norm"),
    source,
    domain: "prose",
    textField: "text",
    idField: "id",
    licenseTag: null,
    filters: { ...NO_FILTERS },
    nfkc: false,
    strict: false,
    keepRejectedText: false,
    maxNulFraction: 1,
    overwrite: true,
  });
  return join(dir, "norm", source, "prose", "part-00000.jsonl.zst");
}

const news = await shard("news", [...paras.slice(0, 30).map((text, i) => ({ id: `news-${i}`, text })), "{bad"]);
const fiction = await shard(
  "fiction",
  paras.slice(30, 90).map((text, i) => ({ id: `fiction-${i}`, text })),
);
const mixture = [
  { name: "news", share: 0.3, files: [news] },
  { name: "fiction", share: 0.7, files: [fiction] },
];
/** Blocks of 6 documents: each task owns several blocks of each source. */
const BLOCK = 6;

const CASES: Record<string, Partial<PackOptions>> = {
  "contiguous rows of one source with a line that is no document": {},
  "greedy rows of a two-source mixture": { sources: mixture, packing: "greedy", packWindow: 16, seed: 5 },
  "contiguous rows of a two-source mixture cut by --num-seqs": { sources: mixture, numSeqs: 40, seed: 2 },
};

function opts(outDir: string, over: Partial<PackOptions>): PackOptions {
  return {
    sources: [{ name: "news", share: 1, files: [news] }],
    tokenizerPath: TOKENIZER,
    tokenizerSha256: null,
    seqLen: 128,
    numSeqs: null,
    outDir,
    seed: 0,
    cpuThreads: 1,
    manifestPath: null,
    taskBlock: BLOCK,
    ...over,
  };
}

describe("pack as tasks", () => {
  for (const [name, over] of Object.entries(CASES)) {
    test(`N tasks run out of order and their merge write one run's files byte for byte, N = 1, 3, 4: ${name}`, async () => {
      const tag = name.replaceAll(" ", "-").slice(0, 30);
      const single = await runPack(opts(join(dir, `one-${tag}`), over));
      expect(single.n_seqs).toBeGreaterThan(10);
      const reference = fileTree(join(dir, `one-${tag}`));
      for (const count of [1, 3, 4]) {
        const out = join(dir, `tasks-${count}-${tag}`);
        for (const index of Array.from({ length: count }, (_, i) => count - 1 - i)) await runPackTask(opts(out, over), { index, count });
        const merged = await runPack(opts(out, { ...over, merge: true, mergeTasks: count }));
        expect(fileTree(out)).toEqual(reference);
        expect(merged.counts).toEqual(single.counts);
        expect(readdirSync(join(out, ".gamma-tasks")).filter((f) => !f.endsWith(".done.json"))).toEqual([]);
      }
      if (over.sources) expect(Object.keys(single.counts.by_source).sort()).toEqual(["fiction", "news"]);
      if (over.numSeqs) expect(single.counts.docs.dropped.num_seqs_reached).toBeGreaterThan(0);
      else expect(single.counts.docs.kept + (single.counts.docs.rejected.invalid_record ?? 0)).toBe(single.counts.docs.in);
    });
  }

  test("--merge before every task has finished names the missing tasks", async () => {
    const out = join(dir, "partial");
    await runPackTask(opts(out, { sources: mixture }), { index: 2, count: 4 });
    const e = await runPack(opts(out, { sources: mixture, merge: true, mergeTasks: 4 })).catch((x) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/task\(s\) 0, 1, 3 of 4 have not finished/);
    expect(existsSync(join(out, "meta.json"))).toBe(false);
  });

  test("a finished task is skipped on rerun; one made for other settings is redone", async () => {
    const out = join(dir, "rerun");
    const first = await runPackTask(opts(out, {}), { index: 1, count: 2 });
    const records = join(out, ".gamma-tasks", "pack.task-00001-of-00002.source-000.ids");
    const made = statSync(records).mtimeMs;
    const again = await runPackTask(opts(out, {}), { index: 1, count: 2 });
    expect(again).toEqual({ ...first, skipped: true });
    expect(statSync(records).mtimeMs).toBe(made);
    const other = await runPackTask(opts(out, { seqLen: 64 }), { index: 1, count: 2 });
    expect(other.skipped).toBe(false);
  });

  test("the command line runs tasks and the merge: a merge before the tasks exits 1 naming them", () => {
    const args = (out: string) => [
      "pack",
      "--input",
      news,
      "--tokenizer",
      TOKENIZER,
      "--seq-len",
      "100",
      "--out-dir",
      out,
      "--cpu-threads",
      "1",
    ];
    const env = { SOURCE_DATE_EPOCH: "1700000000" };
    expect(gamma(args(join(dir, "cli-one")), { env }).code).toBe(0);
    const out = join(dir, "cli-tasks");
    expect(gamma([...args(out), "--task-index", "0", "--num-tasks", "2"], { env }).code).toBe(0);
    const early = gamma([...args(out), "--num-tasks", "2", "--merge"], { env });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("task(s) 1 of 2 have not finished");
    expect(gamma([...args(out), "--task-index", "1", "--num-tasks", "2"], { env }).code).toBe(0);
    const merged = gamma([...args(out), "--num-tasks", "2", "--merge"], { env });
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout).n_seqs).toBeGreaterThan(5);
    expect(fileTree(out)).toEqual(fileTree(join(dir, "cli-one")));
  });
});
