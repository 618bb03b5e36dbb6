/**
 * Throughput of `gamma normalize --filters code` with and without the syntax
 * rule, next to a Python reference of the same rules (bench/peers/code_filter.py:
 * ast.parse for Python files) run in the same script on the same input.
 *
 * Input: Stack-style JSONL records ({content, max_stars_repo_path,
 * max_stars_count}) of real source files from this machine — Python library
 * modules (/usr/lib/python3*, and the pyenv ones when present) and
 * JavaScript/TypeScript from node_modules — up to --mb MB of text, in 4
 * plain .jsonl shards (Python reads them without a zstd module). MB is 10^6
 * bytes of text (the `content` fields). Whole processes, median of --reps.
 *   bun run bench/code-normalize.ts [--mb 30] [--reps 3] [--threads 2] [--bin dist/gamma]
 */
import { homedir } from "node:os";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { median, timedRun } from "./lib/timed-run.ts";

const ROOT = join(import.meta.dir, "..");
const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : def;
};
const mb = Number(flag("--mb", "30"));
const reps = Number(flag("--reps", "3"));
const threads = flag("--threads", "2");
const binFlag = flag("--bin", join(ROOT, "dist/gamma"));
const gammaCmd = existsSync(binFlag) ? [binFlag] : [process.execPath, join(ROOT, "src/cli.ts")];
const work = join(ROOT, "bench/out/code");
const data = join(ROOT, "bench/data/code-corpus");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
mkdirSync(data, { recursive: true });

/** Source files under `roots`, sorted, of 1 byte to 1 MB, unique by content. */
function sources(roots: [string, string][], seen: Set<string>): string[] {
  const out: string[] = [];
  for (const [root, glob] of roots) {
    for (const rel of [...new Bun.Glob(glob).scanSync({ cwd: root, followSymlinks: true, onlyFiles: true })].sort()) {
      const p = join(root, rel);
      const size = statSync(p).size;
      if (size === 0 || size > 1_000_000) continue;
      const h = Bun.hash(readFileSync(p)).toString();
      if (seen.has(h)) continue;
      seen.add(h);
      out.push(p);
    }
  }
  return out;
}

function pythonRoots(): [string, string][] {
  const roots: [string, string][] = [];
  if (existsSync("/usr/lib"))
    for (const d of readdirSync("/usr/lib")
      .filter((d) => /^python3(\.\d+)?$/.test(d))
      .sort())
      roots.push([`/usr/lib/${d}`, "**/*.py"]);
  const pyenv = join(homedir(), ".pyenv/versions");
  if (existsSync(pyenv)) {
    for (const v of readdirSync(pyenv).sort()) {
      const lib = join(pyenv, v, "lib");
      if (existsSync(lib)) for (const d of readdirSync(lib).filter((d) => /^python3\.\d+$/.test(d))) roots.push([join(lib, d), "**/*.py"]);
    }
  }
  return roots;
}

/** The corpus: 60 % of the text from Python files, 40 % from JavaScript/TypeScript, interleaved, each list taken at an even stride. */
function makeCorpus(): { files: string[]; bytes: number; docs: number } {
  const files = Array.from({ length: 4 }, (_, i) => join(data, `part-${i}.jsonl`));
  const meta = join(data, "corpus.json");
  if (files.every(existsSync) && existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, "utf8"));
    if (m.mb === mb) return { files, bytes: m.bytes, docs: m.docs };
  }
  const seen = new Set<string>();
  const lists = [
    { share: 0.6, paths: sources(pythonRoots(), seen), bytes: 0, next: 0 },
    { share: 0.4, paths: sources([[join(ROOT, "node_modules"), "**/*.{js,mjs,cjs,ts,tsx}"]], seen), bytes: 0, next: 0 },
  ];
  const lines: string[][] = [[], [], [], []];
  let bytes = 0;
  let docs = 0;
  for (const l of lists) l.next = 0;
  const strides = lists.map((l) => Math.max(1, Math.floor(l.paths.length / Math.max(1, (l.share * mb * 1e6) / 12_000))));
  while (bytes < mb * 1e6) {
    // the list furthest below its share goes next
    const i = lists[0]!.bytes / lists[0]!.share <= lists[1]!.bytes / lists[1]!.share ? 0 : 1;
    const l = lists[i]!;
    if (l.next >= l.paths.length) l.next = (l.next % strides[i]!) + 1;
    if (l.next >= l.paths.length) break;
    const p = l.paths[l.next]!;
    l.next += strides[i]!;
    const content = readFileSync(p, "utf8");
    const rel = p.replace(/^.*?\/(lib\/python3[^/]*|node_modules)\//, "");
    const stars = [0, 5, 50, 500, 5000][docs % 5];
    lines[docs % 4]!.push(JSON.stringify({ content, max_stars_repo_path: rel, max_stars_count: stars }));
    const b = Buffer.byteLength(content);
    l.bytes += b;
    bytes += b;
    docs++;
  }
  lines.forEach((l, i) => writeFileSync(files[i]!, l.join("\n") + "\n"));
  writeFileSync(meta, JSON.stringify({ mb, bytes, docs, python_bytes: lists[0]!.bytes, js_bytes: lists[1]!.bytes }));
  return { files, bytes, docs };
}

const run = (cmd: string[]) => timedRun(cmd, ROOT);
const corpus = makeCorpus();
const noSyntax = join(work, "no-syntax.yaml");
writeFileSync(noSyntax, "base: code\nsyntax_error_languages: null\n");
const pySyntax = join(work, "python-syntax.yaml");
writeFileSync(pySyntax, "base: code\nsyntax_error_languages: [python]\n");

const gamma = (filters: string) => (rep: number) => [
  ...gammaCmd,
  "normalize",
  "--input",
  ...corpus.files,
  "--out-dir",
  join(work, `g${rep}`),
  "--source",
  "bench",
  "--domain",
  "code",
  "--text-field",
  "content",
  "--filters",
  filters,
  "--cpu-threads",
  threads,
  "--overwrite",
];
const python = (syntax: boolean) => (rep: number) => [
  "python3",
  join(ROOT, "bench/peers/code_filter.py"),
  join(work, `p${rep}`),
  ...(syntax ? [] : ["--no-syntax"]),
  ...corpus.files,
];

const rows: [string, (rep: number) => string[]][] = [
  ["gamma, no syntax rule", gamma(noSyntax)],
  ["python reference, no syntax check", python(false)],
  ["gamma, syntax rule for Python only", gamma(pySyntax)],
  ["python reference, ast.parse for Python", python(true)],
  ["gamma, syntax rule (default languages)", gamma("code")],
];
console.log(
  `code-normalize: ${corpus.docs} files, ${(corpus.bytes / 1e6).toFixed(1)} MB of text, gamma ${gammaCmd.length === 1 ? gammaCmd[0] : "from source"}, --cpu-threads ${threads}, median of ${reps}`,
);
const results: Record<string, { s: number; cpu: number; out: string }> = {};
for (const [name, cmd] of rows) {
  const s: number[] = [];
  const cpu: number[] = [];
  let out = "";
  for (let rep = 0; rep < reps; rep++) {
    const r = run(cmd(rep));
    s.push(r.seconds);
    cpu.push(r.cpu);
    out = r.out;
  }
  results[name] = { s: median(s), cpu: median(cpu), out };
  console.log(
    `  ${name.padEnd(42)} ${(corpus.bytes / 1e6 / median(s)).toFixed(1).padStart(6)} MB/s  (${median(s).toFixed(2)} s wall, ${median(cpu).toFixed(2)} s CPU)`,
  );
}
const ratio = (a: string, b: string) => (results[b]!.s / results[a]!.s).toFixed(2);
console.log(`  gamma / python, no syntax:          ${ratio("gamma, no syntax rule", "python reference, no syntax check")}x`);
console.log(
  `  gamma / python, Python syntax:      ${ratio("gamma, syntax rule for Python only", "python reference, ast.parse for Python")}x`,
);
console.log(
  `  gamma (all grammars) / python ast:  ${ratio("gamma, syntax rule (default languages)", "python reference, ast.parse for Python")}x`,
);
console.log(`  python reference counts (ast): ${results["python reference, ast.parse for Python"]!.out.trim()}`);
console.log(
  `  gamma counts (Python syntax):  ${JSON.stringify(JSON.parse(results["gamma, syntax rule for Python only"]!.out).counts.dropped)}`,
);
