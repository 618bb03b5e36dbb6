/**
 * The floor of `gamma pack`: load the tokenizer and encode every document's
 * text with gamma's encoder pool, nothing else.
 *   bun run bench/floor-tokenize.ts --threads 2 TOKENIZER FILE...
 */
import { readFileSync } from "node:fs";
import zlib from "node:zlib";
import { createEncodePool, loadTokenizer } from "../src/tokenizer/index.ts";

const args = process.argv.slice(2);
const ti = args.indexOf("--threads");
const threads = ti >= 0 ? Number(args.splice(ti, 2)[1]) : 1;
const [tokPath, ...files] = args;
const tok = await loadTokenizer(tokPath!, { requireEos: false });
const pool = await createEncodePool(tok, threads);
let tokens = 0;
for (const f of files) {
  const texts = zlib
    .zstdDecompressSync(readFileSync(f))
    .toString("utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as { text: string }).text);
  for (let i = 0; i < texts.length; i += 256) for (const ids of await pool.encodeBatch(texts.slice(i, i + 256))) tokens += ids.length;
}
await pool.close();
console.log(JSON.stringify({ tokens }));
