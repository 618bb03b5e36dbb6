/**
 * Tokenizer throughput on English prose with o200k, every encoder measured in the same run:
 *   bun run bench/tokenize.ts [MB=4] [repetitions=7]
 * gamma's encoder in-process (1 thread) and on 2 workers, tiktoken (Rust in WASM), gpt-tokenizer
 * (JS), @huggingface/tokenizers (JS, gpt-oss's o200k tokenizer.json). Each encoder runs in its
 * own process (bench/tokenize-one.ts): its ids are checked against tiktoken's, it warms up for
 * two passes, then `repetitions` timed passes; the table shows the median MB/s (10^6 UTF-8
 * bytes per second), the ratios, and how many cores other processes kept busy meanwhile (the
 * 2-thread figure needs two idle cores to mean anything).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Busy CPU seconds of the whole machine so far (Linux /proc/stat), to show other load. */
function machineBusySeconds(): number | null {
  if (!existsSync("/proc/stat")) return null;
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return (total - f[3] - f[4]) / 100; // minus idle and iowait; USER_HZ is 100
}

const mb = process.argv[2] ?? "4";
const reps = process.argv[3] ?? "7";
const one = join(import.meta.dir, "tokenize-one.ts");
const encoders = ["gamma-1", "gamma-2", "tiktoken", "gpt-tokenizer", "hf"];

const rows: { name: string; median: number; min: number; max: number; others: string }[] = [];
let corpus = "";
for (const e of encoders) {
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const r = Bun.spawnSync([process.execPath, one, e, mb, "2", reps], { stderr: "inherit" });
  const wall = (performance.now() - t0) / 1000;
  const busy1 = machineBusySeconds();
  const ours = Number(r.resourceUsage?.cpuTime.total ?? 0) / 1e6; // microseconds
  const others = busy0 === null || busy1 === null ? "?" : Math.max(0, (busy1 - busy0 - ours) / wall).toFixed(1);
  if (r.exitCode !== 0) throw new Error(`bench/tokenize-one.ts ${e} failed`);
  const { name, bytes, docs, speeds } = JSON.parse(r.stdout.toString()) as { name: string; bytes: number; docs: number; speeds: number[] };
  corpus = `${docs} documents, ${(bytes / 1e6).toFixed(2)} MB`;
  const s = [...speeds].sort((a, b) => a - b);
  rows.push({ name, median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], others });
  console.error(`${name}: ${speeds.map((x) => x.toFixed(1)).join(" ")} MB/s`);
}

const median = (n: string) => rows.find((r) => r.name === n)!.median;
const tk = median("tiktoken (WASM)");
const gt = median("gpt-tokenizer");
console.log(`\no200k on English prose (Brown + nlp-corpus, ${corpus}), median of ${reps} passes\n`);
console.log("| encoder | MB/s (median) | range | vs tiktoken | vs gpt-tokenizer | other load (cores) |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)}-${r.max.toFixed(1)} | ${(r.median / tk).toFixed(2)}x | ${(r.median / gt).toFixed(2)}x | ${r.others} |`,
  );
}
const g1 = median("gamma, 1 thread");
const g2 = median("gamma, 2 threads");
console.log(
  `\ngamma per process: ${(g1 / tk).toFixed(2)}x tiktoken (target >= 3), ${(g1 / gt).toFixed(2)}x gpt-tokenizer (target >= 2); ` +
    `2 threads / 1 thread: ${(g2 / g1).toFixed(2)}x`,
);
