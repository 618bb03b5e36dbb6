import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../src/errors.ts";
import { NO_FILTERS } from "../../src/filters/rules.ts";
import { runNormalize } from "../../src/stages/normalize.ts";
import { runTokenize, runTokenizeTask, type TokenizeOptions } from "../../src/stages/tokenize.ts";
import { brownFiles, brownParagraphs } from "../../scripts/lib/brown.ts";
import { gamma } from "../helpers/cli.ts";
import { codeFiles } from "../helpers/code-files.ts";
import { writeCodeTokenizer } from "../helpers/code-tokenizer.ts";
import { fileTree, tempDir, writeJsonl } from "../helpers/tmp.ts";

process.env.SOURCE_DATE_EPOCH = "1700000000";
const dir = tempDir();
const TOKENIZER = writeCodeTokenizer(join(dir, "tok"), [
  "<|fim_prefix|>",
  "<|fim_middle|>",
  "<|fim_suffix|>",
  "<|lang_python|>",
  "<|lang_javascript|>",
]);

async function normalized(name: string, rows: unknown[]): Promise<string> {
  const out = join(dir, `norm-${name}`);
  await runNormalize({
    inputs: [writeJsonl(join(dir, `${name}.jsonl`), rows)],
    outDir: out,
    source: name,
    domain: "d",
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
  return join(out, name, "d", "part-00000.jsonl.zst");
}

const paras = brownFiles()
  .slice(30, 40)
  .flatMap((f) => brownParagraphs(f))
  .filter((p) => p.length > 200)
  .slice(0, 90);
/** Two shards of prose, the first with a line that is no document. */
const prose = [
  await normalized("prose0", [...paras.slice(0, 40).map((text, i) => ({ id: `p-${i}`, text })), "{bad"]),
  await normalized(
    "prose1",
    paras.slice(40).map((text, i) => ({ id: `q-${i}`, text })),
  ),
];
const code = await normalized(
  "code",
  codeFiles(40, 8_000).map((f, i) => ({ id: `code-${i}`, text: f.text, language: f.language })),
);

/** Blocks of 7 documents: every task owns blocks of both prose shards. */
const BLOCK = 7;

const CASES: Record<string, Partial<TokenizeOptions>> = {
  "megatron with a valid fraction and a budget that cuts, dtype auto": {
    format: "megatron",
    validFraction: 0.25,
    tokenBudget: 6_000,
    dtype: "auto",
    noEos: true,
  },
  "jsonl of code with FIM, language tags and a budget, cut into chunks": {
    inputs: [code],
    format: "jsonl",
    languageTags: true,
    fim: { rate: 0.5, spmRate: 0.3, mode: "line" },
    seed: 3,
    maxLength: 300,
    minChunkTokens: 20,
    samplesPerShard: 25,
    tokenBudget: 40_000,
  },
  "npy with a valid fraction": { format: "npy", validFraction: 0.1, allowSpecial: ["<|endoftext|>"] },
};

function opts(outDir: string, over: Partial<TokenizeOptions>): TokenizeOptions {
  return {
    inputs: prose,
    tokenizer: TOKENIZER,
    tokenizerSha256: null,
    outDir,
    format: "megatron",
    validFraction: 0,
    tokenBudget: null,
    dtype: "int32",
    noEos: false,
    cpuThreads: 1,
    taskBlock: BLOCK,
    ...over,
  };
}

describe("tokenize as tasks", () => {
  for (const [name, over] of Object.entries(CASES)) {
    test(`N tasks run out of order and their merge write one run's files byte for byte, N = 1, 3, 4: ${name}`, async () => {
      const one = join(dir, `one-${name.split(" ")[0]}`);
      const single = await runTokenize(opts(one, over));
      expect(single.counts.docs.kept).toBeGreaterThan(20);
      const reference = fileTree(one);
      for (const count of [1, 3, 4]) {
        const out = join(dir, `tasks-${count}-${name.split(" ")[0]}`);
        let encoded = 0;
        for (const index of Array.from({ length: count }, (_, i) => count - 1 - i))
          encoded += (await runTokenizeTask(opts(out, over), { index, count })).docs;
        // Past a budget that a task's own documents pass, the task encodes no more.
        // (Blocks are read at most three ahead of the one written.)
        if (over.tokenBudget && count === 1) expect(encoded).toBeLessThanOrEqual(single.counts.docs.kept + 1 + 3 * BLOCK);
        const merged = await runTokenize(opts(out, { ...over, merge: true, mergeTasks: count }));
        expect(fileTree(out)).toEqual(reference);
        expect(merged.counts).toEqual(single.counts);
        // The tasks' records are gone once merged; their markers stay.
        expect(readdirSync(join(out, ".gamma-tasks")).filter((f) => !f.endsWith(".done.json"))).toEqual([]);
      }
      if (over.tokenBudget) expect(single.budget.reached).toBe(true);
      if (over.fim) expect(single.metrics.fim!.transformed).toBeGreaterThan(5);
    });
  }

  test("--merge before every task has finished names the missing tasks", async () => {
    const out = join(dir, "partial");
    await runTokenizeTask(opts(out, {}), { index: 1, count: 3 });
    const e = await runTokenize(opts(out, { merge: true, mergeTasks: 3 })).catch((x) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/task\(s\) 0, 2 of 3 have not finished/);
    expect(existsSync(join(out, "manifest.json"))).toBe(false);
  });

  test("a finished task is skipped on rerun; one made for other settings is redone", async () => {
    const out = join(dir, "rerun");
    const first = await runTokenizeTask(opts(out, {}), { index: 0, count: 2 });
    const records = join(out, ".gamma-tasks", "tokenize.task-00000-of-00002.ids");
    const made = statSync(records).mtimeMs;
    const again = await runTokenizeTask(opts(out, {}), { index: 0, count: 2 });
    expect(again).toEqual({ ...first, skipped: true });
    expect(statSync(records).mtimeMs).toBe(made);
    const other = await runTokenizeTask(opts(out, { noEos: true }), { index: 0, count: 2 });
    expect(other.skipped).toBe(false);
    expect(other.tokens).toBe(first.tokens - first.docs);
  });

  test("the command line runs tasks and the merge: a merge before the tasks exits 1 naming them", () => {
    const args = (out: string) => [
      "tokenize",
      "--input",
      ...prose,
      "--tokenizer",
      TOKENIZER,
      "--out-dir",
      out,
      "--valid-fraction",
      "0.2",
      "--cpu-threads",
      "1",
    ];
    const env = { SOURCE_DATE_EPOCH: "1700000000" };
    expect(gamma(args(join(dir, "cli-one")), { env }).code).toBe(0);
    const out = join(dir, "cli-tasks");
    const task1 = gamma([...args(out), "--task-index", "1", "--num-tasks", "2"], { env });
    expect(task1.code).toBe(0);
    expect(JSON.parse(task1.stdout)).toMatchObject({ task: { index: 1, count: 2 }, skipped: false });
    const early = gamma([...args(out), "--num-tasks", "2", "--merge"], { env });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("task(s) 0 of 2 have not finished");
    expect(gamma([...args(out), "--num-tasks", "2"], { env: { ...env, GAMMA_TASK_INDEX: "0" } }).code).toBe(0);
    expect(gamma([...args(out), "--num-tasks", "2", "--merge"], { env }).code).toBe(0);
    expect(fileTree(out)).toEqual(fileTree(join(dir, "cli-one")));
  });
});
