/**
 * SentencePiece Unigram, gamma next to Debian's spm_train / spm_encode in the same run:
 *   bun run bench/spm.ts [--threads 1] [--vocab 8000] [--reps 3]
 * Corpus: the Brown corpus (detagged; every tenth file held out) and Python sources of the
 * system Python (every eighth file held out), one paragraph or source line per line.
 * - training: spm_train --model_type=unigram --num_threads=T versus trainUnigram (which runs on
 *   one thread whatever T is), both from the same train.txt, default settings (nmt_nfkc,
 *   character_coverage 0.9995), wall-clock seconds;
 * - quality: tokens per UTF-8 byte of held.txt with each model (lower is better);
 * - parity: spm_encode's ids for held.txt with gamma's model equal gamma's;
 * - encoding: spm_encode --output_format=id over all lines (one thread; it has no thread
 *   option) versus gamma's encoder in-process and on T workers, best of --reps, MB/s.
 * Files go to bench/data/spm/.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BROWN_DIR, brownParagraphs } from "../scripts/lib/brown.ts";
import { createEncodePool, loadTokenizer } from "../src/tokenizer/index.ts";
import { encodeModelProto } from "../src/tokenizer/spm/model-proto.ts";
import { SpmUnigram } from "../src/tokenizer/spm/unigram-encoder.ts";
import { trainUnigram } from "../src/tokenizer/unigram/train.ts";

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const threads = arg("--threads", 1);
const vocab = arg("--vocab", 8000);
const reps = arg("--reps", 3);
const dir = join(import.meta.dir, "data/spm");
mkdirSync(dir, { recursive: true });

// Corpus
const brownFiles = readdirSync(BROWN_DIR)
  .filter((f) => /^c[a-r]\d\d$/.test(f))
  .sort();
const train: string[] = [];
const held: string[] = [];
brownFiles.forEach((f, i) => (i % 10 === 0 ? held : train).push(...brownParagraphs(join(BROWN_DIR, f))));
const pyRoot = readdirSync("/usr/lib")
  .filter((n) => /^python3\.\d+$/.test(n))
  .sort()[0];
if (pyRoot !== undefined) {
  const pyDir = join("/usr/lib", pyRoot);
  const py = readdirSync(pyDir)
    .filter((f) => f.endsWith(".py") && statSync(join(pyDir, f)).size < 200_000)
    .sort();
  py.forEach((f, i) =>
    (i % 8 === 0 ? held : train).push(
      ...readFileSync(join(pyDir, f), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== ""),
    ),
  );
}
const trainFile = join(dir, "train.txt");
const heldFile = join(dir, "held.txt");
const allFile = join(dir, "all.txt");
writeFileSync(trainFile, `${train.join("\n")}\n`);
writeFileSync(heldFile, `${held.join("\n")}\n`);
const all = [...train, ...held];
writeFileSync(allFile, `${all.join("\n")}\n`);
const mb = (s: string[]) => s.reduce((a, l) => a + Buffer.byteLength(l) + 1, 0) / 1e6;
console.log(
  `corpus: train ${mb(train).toFixed(2)} MB (${train.length} lines), held-out ${mb(held).toFixed(2)} MB, threads ${threads}, vocab ${vocab}`,
);

function run(cmd: string, args: string[]): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 30 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-2000)}`);
  return { seconds, stdout: r.stdout };
}

// Training
const spmPrefix = join(dir, "spm");
const spmTrain = run("spm_train", [
  `--input=${trainFile}`,
  `--model_prefix=${spmPrefix}`,
  "--model_type=unigram",
  `--vocab_size=${vocab}`,
  `--num_threads=${threads}`,
  "--minloglevel=2",
]);
const t0 = performance.now();
const trained = await trainUnigram(
  (function* () {
    yield readFileSync(trainFile, "utf8");
  })(),
  { vocabSize: vocab },
);
const gammaTrainSeconds = (performance.now() - t0) / 1000;
const gammaModel = join(dir, "gamma.model");
writeFileSync(gammaModel, encodeModelProto(trained.model));

// Quality and parity
const heldBytes = held.reduce((a, l) => a + Buffer.byteLength(l), 0);
const gammaEnc = new SpmUnigram(readFileSync(gammaModel));
const spmEnc = new SpmUnigram(readFileSync(`${spmPrefix}.model`));
let gammaTokens = 0;
let spmTokens = 0;
for (const l of held) {
  gammaTokens += gammaEnc.encodeToScratch(l);
  spmTokens += spmEnc.encodeToScratch(l);
}
const spmOnGamma = run("spm_encode", [`--model=${gammaModel}`, "--output_format=id", heldFile]).stdout.split("\n");
let mismatches = 0;
held.forEach((l, i) => {
  if (Array.from(gammaEnc.encode(l)).join(" ") !== spmOnGamma[i]) mismatches++;
});
const spmOnSpm = run("spm_encode", [`--model=${spmPrefix}.model`, "--output_format=id", heldFile]).stdout.split("\n");
let spmCount = 0;
for (let i = 0; i < held.length; i++) spmCount += spmOnSpm[i] === "" ? 0 : spmOnSpm[i].split(" ").length;

// Encoding
const allMb = mb(all);
const best = (f: () => number) => Math.min(...Array.from({ length: reps }, f));
const spmEncode = best(
  () =>
    run("spm_encode", [`--model=${spmPrefix}.model`, "--output_format=id", `--input=${allFile}`, `--output=${join(dir, "ids.txt")}`])
      .seconds,
);
const gamma1 = best(() => {
  const t = performance.now();
  const lines = readFileSync(allFile, "utf8").split("\n");
  for (const l of lines) spmEnc.encodeToScratch(l);
  return (performance.now() - t) / 1000;
});
let gammaT = Number.NaN;
if (threads > 1) {
  const tok = await loadTokenizer(`${spmPrefix}.model`);
  const pool = await createEncodePool(tok, threads);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await pool.encodeBatch(readFileSync(allFile, "utf8").split("\n"));
    times.push((performance.now() - t) / 1000);
  }
  gammaT = Math.min(...times);
  await pool.close();
}

const f = (x: number, d = 2) => x.toFixed(d);
console.log("");
console.log("| | spm | gamma | gamma vs spm |");
console.log("| --- | --- | --- | --- |");
console.log(
  `| train ${vocab} Unigram, s (spm ${threads} thread${threads > 1 ? "s" : ""}, gamma 1) | ${f(spmTrain.seconds)} | ${f(gammaTrainSeconds)} | ${f(spmTrain.seconds / gammaTrainSeconds)}x faster |`,
);
console.log(
  `| held-out tokens per byte | ${f(spmTokens / heldBytes, 4)} | ${f(gammaTokens / heldBytes, 4)} | ${f((100 * (gammaTokens - spmTokens)) / spmTokens, 2)} % tokens |`,
);
console.log(`| encode ${f(allMb)} MB, 1 thread, MB/s | ${f(allMb / spmEncode)} | ${f(allMb / gamma1)} | ${f(spmEncode / gamma1)}x |`);
if (threads > 1)
  console.log(
    `| encode, gamma on ${threads} workers, MB/s | ${f(allMb / spmEncode)} (1 thread) | ${f(allMb / gammaT)} | ${f(spmEncode / gammaT)}x |`,
  );
console.log("");
console.log(
  `spm_encode reads gamma's model to gamma's ids: ${mismatches === 0 ? "yes" : "NO"} (${held.length} held-out lines, ${mismatches} differ)`,
);
console.log(
  `gamma's encoder gives spm_encode's token count with spm's model: ${spmCount === spmTokens ? "yes" : "NO"} (${spmTokens} vs ${spmCount})`,
);
console.log(
  `gamma model: ${trained.stats.sentences} sentences, ${trained.stats.words} distinct words, ${trained.stats.seedPieces} seed pieces, ${trained.stats.emRounds} EM rounds`,
);
