/**
 * Near dedup's memory at a million documents: peak RSS of `gamma dedup --mode near` against the
 * 2 GB allowed, with default settings (--verify exact, --near-clusters greedy; full output and
 * --decisions-only), then --verify estimate and --near-clusters components. The corpus is made here from nlp-corpus sentences (real English): 1,000,000
 * documents of 1-3 consecutive sentences in 8 shards, drawn so that most of them have near or
 * exact copies (the hard case for memory: nearly every document is in a candidate pair, so
 * every signature row is read, greedy holds the most passing pairs and the union-find joins
 * almost everything).
 *   bun run bench/near-memory.ts [--bin dist/gamma] [--threads 2] [--docs 1000000]
 * Prints one row per run: wall, CPU, peak RSS and the documents removed.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";

const ROOT = join(import.meta.dir, "..");
const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : def;
};
const bin = flag("--bin", join(ROOT, "dist/gamma"));
const threads = flag("--threads", "2");
const nDocs = Number(flag("--docs", "1000000"));
const LIMIT_MB = 2000;
const work = join(ROOT, "bench/out/near-memory");
const raw = join(work, "raw");
const normalized = join(work, "normalized");

if (!existsSync(bin)) {
  console.error(`bench: ${bin} is missing; run \`bun run scripts/build.ts\` first`);
  process.exit(2);
}

// ---------- the corpus (made once; a rerun reuses it) ----------

const SHARDS = 8;
const stamp = join(work, `corpus-${nDocs}.done`);
if (!existsSync(stamp)) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(raw, { recursive: true });
  const nm = join(ROOT, "node_modules/nlp-corpus/builds");
  const sentences = Array.from({ length: 20 }, (_, i) => JSON.parse(readFileSync(join(nm, `doc-${i}.json`), "utf8")) as string[]).flat();
  let id = 0;
  for (let f = 0; f < SHARDS; f++) {
    const lines: string[] = [];
    const per = Math.ceil(nDocs / SHARDS);
    for (let i = 0; i < per && id < nDocs; i++) {
      const k = 1 + (id % 3);
      const start = (id * 7919) % (sentences.length - k);
      lines.push(JSON.stringify({ id: `d${id++}`, text: sentences.slice(start, start + k).join(" ") }));
    }
    writeFileSync(join(raw, `part-${f}.jsonl.zst`), zlib.zstdCompressSync(Buffer.from(lines.join("\n") + "\n")));
  }
  const r = Bun.spawnSync(
    [
      bin,
      "normalize",
      "--input",
      join(raw, "*.jsonl.zst"),
      "--out-dir",
      normalized,
      "--source",
      "s",
      "--domain",
      "d",
      "--id-field",
      "id",
      "--filters",
      "none",
      "--cpu-threads",
      threads,
    ],
    {
      stdout: "ignore",
      stderr: "pipe",
    },
  );
  if (r.exitCode !== 0) throw new Error(`normalize failed:\n${r.stderr.toString()}`);
  writeFileSync(stamp, "");
}

// ---------- the runs ----------

const shards = join(normalized, "s/d/part-*.jsonl.zst");
console.log(`| run | docs | wall s | cpu s | peak RSS MB | under ${LIMIT_MB} MB | removed |`);
console.log("| --- | ---: | ---: | ---: | ---: | --- | ---: |");
const variants: [string, string[]][] = [
  ["defaults (verify exact, greedy)", []],
  ["defaults, --decisions-only", ["--decisions-only"]],
  ["--verify estimate", ["--verify", "estimate"]],
  ["--near-clusters components", ["--near-clusters", "components"]],
];
for (const [label, extra] of variants) {
  const out = join(work, "dedup");
  rmSync(out, { recursive: true, force: true });
  const cmd = [bin, "dedup", "--input", shards, "--out-dir", out, "--mode", "near", "--device", "cpu", "--cpu-threads", threads, ...extra];
  const tfile = join(work, "time.txt");
  const r = Bun.spawnSync(["/usr/bin/time", "-o", tfile, "-f", "%M %e %U %S", ...cmd], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, GAMMA_LOG_EVERY: "0" },
  });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed:\n${r.stderr.toString()}`);
  const [kb, wall, user, sys] = readFileSync(tfile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  const counts = JSON.parse(r.stdout.toString()).counts;
  const rss = kb! / 1024;
  const name = `${label}, ${threads} threads`;
  console.log(
    `| ${name} | ${counts.in} | ${wall!.toFixed(2)} | ${(user! + sys!).toFixed(1)} | ${rss.toFixed(0)} | ${rss < LIMIT_MB ? "yes" : "NO"} | ${counts.dropped.near_dup ?? 0} |`,
  );
}
console.log(`\n${bin}; ${nDocs} documents in ${SHARDS} shards (nlp-corpus sentences, 1-3 per document); K = 128, threshold 0.8`);
