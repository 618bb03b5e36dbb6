import { beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHUNK_CHARS, chunkByLength } from "../../src/tokenizer/encode-pool.ts";
import { createEncodePool, loadTokenizer, type Tokenizer } from "../../src/tokenizer/index.ts";
import { tempDir } from "../helpers/tmp.ts";
import { brown, hostile, NM, nlpCorpus } from "./corpora.ts";
import { tinyWordPiece } from "./fixtures.ts";

const O200K = join(NM, "gpt-tokenizer/data/o200k_base.tiktoken");
const tmp = tempDir("gamma-tok-pool-");

describe("encode pool", () => {
  let tok: Tokenizer;
  let texts: string[];
  beforeAll(async () => {
    tok = await loadTokenizer(O200K);
    texts = [...brown(300_000).map((d) => d.text), "", ...hostile().map((d) => d.text), ...nlpCorpus(300_000).map((d) => d.text), ""];
  });

  test("gives the same ids, in input order, for 1, 2 and 3 threads (batches of several chunks)", async () => {
    expect(chunkByLength(texts, CHUNK_CHARS).length - 1).toBeGreaterThanOrEqual(4);
    const expected = texts.map((t) => Array.from(tok.encode(t)));
    for (const threads of [1, 2, 3]) {
      const pool = await createEncodePool(tok, threads);
      try {
        const got = await pool.encodeBatch(texts);
        expect(got.map((x) => Array.from(x))).toEqual(expected);
        // a second, smaller batch on the same pool, concurrently with a third
        const [a, b] = await Promise.all([pool.encodeBatch(texts.slice(0, 3)), pool.encodeBatch(texts.slice(-4))]);
        expect(a.map((x) => Array.from(x))).toEqual(expected.slice(0, 3));
        expect(b.map((x) => Array.from(x))).toEqual(expected.slice(-4));
      } finally {
        await pool.close();
      }
    }
  });

  test("an empty batch gives an empty result", async () => {
    const pool = await createEncodePool(tok, 2);
    expect(await pool.encodeBatch([])).toEqual([]);
    await pool.close();
  });

  test("runs @huggingface/tokenizers in workers too", async () => {
    const wp = await loadTokenizer(tinyWordPiece(join(tmp, "wp")));
    const pool = await createEncodePool(wp, 2);
    const texts = ["Hello worlds", "hello, hello", "[SEP] world"];
    const got = await pool.encodeBatch(texts);
    await pool.close();
    expect(got.map((x) => Array.from(x))).toEqual(texts.map((t) => Array.from(wp.encode(t))));
  });

  test("refuses a thread count below 1", async () => {
    await expect(createEncodePool(tok, 0)).rejects.toThrow();
  });
});

describe("inside a compiled binary", () => {
  test("workers start and give the in-process ids when encode-worker.ts is an extra entrypoint", async () => {
    // Mirror the repo layout (src/<main>.ts + src/tokenizer/encode-worker.ts) in a temp dir.
    const root = join(tmp, "bin");
    mkdirSync(root);
    cpSync(join(import.meta.dir, "../../src"), join(root, "src"), { recursive: true });
    symlinkSync(NM, join(root, "node_modules"));
    writeFileSync(
      join(root, "src/compile-check.ts"),
      `import { createEncodePool, loadTokenizer } from "./tokenizer/index.ts";
const tok = await loadTokenizer(process.argv[2]);
const texts = ["hello world", "日本語 😀", "x".repeat(300), ""];
const pool = await createEncodePool(tok, 2);
const a = await pool.encodeBatch(texts);
await pool.close();
console.log(JSON.stringify({ pooled: a.map((x) => Array.from(x)), direct: texts.map((t) => Array.from(tok.encode(t))) }));
`,
    );
    const bun = join(NM, ".bin/bun");
    const build = Bun.spawnSync(
      [bun, "build", "--compile", "src/compile-check.ts", "src/tokenizer/encode-worker.ts", "--outfile", "out/check"],
      {
        cwd: root,
        stderr: "pipe",
      },
    );
    expect(build.exitCode).toBe(0);
    const run = Bun.spawnSync([join(root, "out/check"), O200K], { cwd: tmp, stderr: "pipe" });
    expect(run.stderr.toString()).toBe("");
    const { pooled, direct } = JSON.parse(run.stdout.toString());
    expect(direct[0].length).toBeGreaterThan(0);
    expect(pooled).toEqual(direct);
  }, 60_000);
});
