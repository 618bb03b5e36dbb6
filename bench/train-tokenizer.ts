/**
 * `gamma train-tokenizer` next to Hugging Face `tokenizers`' BpeTrainer (Rust, all cores) on the
 * same documents: a 32k byte-level BPE from >= 100 MB of real text (the benchmark corpus of
 * bench/make-corpus.ts). Prints wall time, throughput, CPU time and peak RSS of both, and whether
 * the two tokenizer.json files are byte-identical.
 *
 *   node_modules/.bin/bun run bench/make-corpus.ts            # once: bench/data/corpus
 *   python3 -m venv VENV && VENV/bin/pip install tokenizers     # once: the peer
 *   node_modules/.bin/bun run bench/train-tokenizer.ts --python VENV/bin/python \
 *     [--corpus bench/data/corpus] [--vocab-size 32000] [--cpu-threads N] [--bin dist/gamma]
 *
 * Both read one plain JSONL file of the corpus's documents (written first, not timed), parse it
 * and train; each runs under /usr/bin/time -v for CPU time and peak RSS.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { corpusDocs, planCorpus, type CorpusOptions } from "../src/tokenizer/train/corpus.ts";

const ROOT = resolve(import.meta.dir, "..");
const { values: a } = parseArgs({
  options: {
    corpus: { type: "string", default: join(ROOT, "bench/data/corpus") },
    "vocab-size": { type: "string", default: "32000" },
    "cpu-threads": { type: "string", default: String(availableParallelism()) },
    python: { type: "string", default: process.env.GAMMA_BENCH_PYTHON ?? "python3" },
    bin: { type: "string" },
    "min-mb": { type: "string", default: "100" },
  },
});
const work = join(ROOT, "bench/data/train-tokenizer");
mkdirSync(work, { recursive: true });

// 1. The documents, as gamma reads them from the corpus shards, in one plain JSONL file.
const docsPath = join(work, "docs.jsonl");
const opts: CorpusOptions = {
  inputs: [join(a.corpus!, "*.jsonl.zst")],
  textField: "text",
  manifest: null,
  maxDocs: null,
  maxBytes: null,
  seed: 0,
};
if (!existsSync(a.corpus!)) throw new Error(`no corpus at ${a.corpus}: run bun run bench/make-corpus.ts first`);
let textBytes = 0;
let docs = 0;
{
  const lines: string[] = [];
  for await (const d of corpusDocs(planCorpus(opts), opts)) {
    lines.push(JSON.stringify({ doc_id: d.doc_id, text: d.text }));
    textBytes += Buffer.byteLength(d.text);
    docs++;
  }
  writeFileSync(docsPath, lines.join("\n") + "\n");
}
const mb = textBytes / 1e6;
if (mb < Number(a["min-mb"]))
  throw new Error(`the corpus has ${mb.toFixed(1)} MB of text, under --min-mb ${a["min-mb"]}: make it with --mb 120`);

interface Measured {
  wall: number;
  cpu: number;
  rssMb: number;
  out: string;
}

/** Runs argv under /usr/bin/time -v; wall time measured here, CPU and peak RSS from time. */
function measure(argv: string[], env: Record<string, string> = {}): Measured {
  const t0 = performance.now();
  const stats = join(work, "time.txt");
  const r = Bun.spawnSync(["/usr/bin/time", "-v", "-o", stats, ...argv], {
    cwd: ROOT,
    env: { ...process.env, GAMMA_LOG_EVERY: "0", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (${r.exitCode}):\n${r.stderr.toString().slice(-2000)}`);
  const err = readFileSync(stats, "utf8");
  const num = (label: string) => Number(new RegExp(`${label}: ([0-9.]+)`).exec(err)?.[1] ?? NaN);
  return {
    wall,
    cpu: num("User time \\(seconds\\)") + num("System time \\(seconds\\)"),
    rssMb: num("Maximum resident set size \\(kbytes\\)") / 1024,
    out: r.stdout.toString(),
  };
}

const vocab = a["vocab-size"]!;
const threads = a["cpu-threads"]!;
const gammaOut = join(work, "gamma");
const hfOut = join(work, "hf");
rmSync(gammaOut, { recursive: true, force: true });
rmSync(hfOut, { recursive: true, force: true });
mkdirSync(hfOut, { recursive: true });

const gammaCmd = a.bin ? [resolve(a.bin)] : [process.execPath, join(ROOT, "src/cli.ts")];
const g = measure([
  ...gammaCmd,
  "train-tokenizer",
  "--input",
  docsPath,
  "--out-dir",
  gammaOut,
  "--vocab-size",
  vocab,
  "--cpu-threads",
  threads,
]);
const h = measure([a.python!, join(ROOT, "bench/peers/hf_train_bpe.py"), docsPath, hfOut, vocab, "<|endoftext|>"], {
  RAYON_NUM_THREADS: threads,
});

const same = readFileSync(join(gammaOut, "tokenizer.json")).equals(readFileSync(join(hfOut, "tokenizer.json")));
const row = (name: string, m: Measured) =>
  `${name.padEnd(22)} ${m.wall.toFixed(1).padStart(7)} s ${(mb / m.wall).toFixed(1).padStart(7)} MB/s ${m.cpu.toFixed(1).padStart(7)} s CPU ${m.rssMb.toFixed(0).padStart(6)} MB peak RSS`;
console.log(`train-tokenizer bench: ${docs} documents, ${mb.toFixed(1)} MB of text, vocab ${vocab}, ${threads} threads each`);
console.log(row("gamma", g));
console.log(row("HF tokenizers (Rust)", h));
console.log(
  `gamma/HF: ${(h.wall / g.wall).toFixed(2)}x faster (wall), ${(h.cpu / g.cpu).toFixed(2)}x less CPU; tokenizer.json byte-identical: ${same ? "yes" : "NO"}`,
);
console.log(
  JSON.stringify({
    documents: docs,
    text_mb: Number(mb.toFixed(1)),
    vocab_size: Number(vocab),
    threads: Number(threads),
    gamma: { wall_s: g.wall, cpu_s: g.cpu, peak_rss_mb: g.rssMb },
    hf_tokenizers: { wall_s: h.wall, cpu_s: h.cpu, peak_rss_mb: h.rssMb },
    speedup_wall: h.wall / g.wall,
    identical: same,
  }),
);
