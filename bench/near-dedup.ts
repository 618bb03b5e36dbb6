/**
 * Near-dedup throughput and quality on the bench corpus (bench/make-corpus.ts), gamma next to
 * datasketch (MinHash + MinHashLSH, pure Python) in the same run, on the same normalized shards,
 * shingles (word 5-grams) and parameters (K = 128, threshold 0.8, 17 bands x 7 rows):
 *   - gamma --device cpu --cpu-threads 2 with default settings (--verify exact, --near-clusters
 *     greedy), writing the deduplicated copy: the run the target is about
 *   - the same with --decisions-only (what the peer produces: which documents go)
 *   - --verify estimate, and --near-clusters components (today's union-find), for comparison
 *   - gamma --device gpu (any adapter; lavapipe here), on --gpu-subset MB of shards if given
 *   - bench/peers/datasketch_near.py with a datasketch checkout kept outside the repository
 * Every run is a whole process under /usr/bin/time (wall, user + sys, peak RSS); the runs of a
 * repetition alternate, and the table quotes medians of --reps. Quality is scored against the
 * duplicates planted by make-corpus (bench/data/corpus.json), per word 5-gram Jaccard bucket.
 *   bun run bench/near-dedup.ts [--datasketch DIR] [--reps N] [--gpu-subset MB]
 *                               [--python python3] [--threads 2] [--bin dist/gamma]
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { setJaccard, wordShingles } from "../scripts/lib/word-shingles.ts";

const ROOT = join(import.meta.dir, "..");
const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : def;
};
const reps = Number(flag("--reps", "1"));
const threads = flag("--threads", "2");
const gpuSubsetMb = Number(flag("--gpu-subset", "0"));
const bin = flag("--bin", join(ROOT, "dist/gamma"));
const python = flag("--python", process.env.PYTHON ?? "python3");
const datasketch = flag("--datasketch", process.env.DATASKETCH_DIR ?? join(ROOT, "../peers/datasketch"));
const corpus = join(ROOT, "bench/data/corpus");
const plan = join(ROOT, "bench/data/corpus.json");
const work = join(ROOT, "bench/out/near");
const normalized = join(work, "normalized");
const runner = join(ROOT, "bench/peers/datasketch_near.py");
const T = 0.8;
const BANDS = 17;
const ROWS = 7;

if (!existsSync(join(corpus, "part-00000.jsonl.zst")) || !existsSync(plan)) {
  console.error("bench: no corpus; run `bun run bench/make-corpus.ts` first");
  process.exit(2);
}
if (!existsSync(bin)) {
  console.error(`bench: ${bin} is missing; run \`bun run scripts/build.ts\` first`);
  process.exit(2);
}
if (!existsSync(join(datasketch, "datasketch/lsh.py"))) {
  console.error(`bench: no datasketch checkout at ${datasketch}; see bench/README.md ("Near-dedup benchmark") and pass --datasketch DIR`);
  process.exit(2);
}
mkdirSync(work, { recursive: true });

// ---------- running and timing whole processes ----------

interface Timed {
  wall: number;
  cpu: number;
  rssMb: number;
  out: string;
}

function run(cmd: string[]): Timed {
  const tfile = join(work, "time.txt");
  const r = Bun.spawnSync(["/usr/bin/time", "-o", tfile, "-f", "%M %e %U %S", ...cmd], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, GAMMA_LOG_EVERY: "0" },
  });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed (${r.exitCode}):\n${r.stderr.toString()}`);
  const [kb, e, u, s] = readFileSync(tfile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  return { wall: e!, cpu: u! + s!, rssMb: kb! / 1024, out: r.stdout.toString() };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const shown = (cmd: string[]) => cmd.map((a) => a.replace(ROOT + "/", "")).join(" ");

// ---------- normalized shards (not timed; a rerun skips shards already made) ----------

const inputs = Array.from(new Bun.Glob("part-*.jsonl.zst").scanSync(corpus))
  .sort()
  .map((f) => join(corpus, f));
const normCmd = [
  bin,
  "normalize",
  "--input",
  ...inputs,
  "--out-dir",
  normalized,
  "--source",
  "bench",
  "--domain",
  "mix",
  "--id-field",
  "id",
  "--filters",
  "none",
];
console.error(`bench: ${shown(normCmd.slice(0, 3))} ... (normalize, not timed)`);
run(normCmd);
const shardDir = join(normalized, "bench/mix");
const shards = Array.from(new Bun.Glob("part-*.jsonl.zst").scanSync(shardDir))
  .filter((f) => !f.includes("rejects"))
  .sort()
  .map((f) => join(shardDir, f));
interface ShardInfo {
  path: string;
  docs: number;
  textBytes: number;
}
const shardInfo: ShardInfo[] = shards.map((path) => {
  const m = JSON.parse(readFileSync(path.replace(/\.jsonl\.zst$/, ".manifest.json"), "utf8"));
  return { path, docs: m.counts.kept, textBytes: m.bytes.text_kept };
});
const sum = (xs: ShardInfo[], k: "docs" | "textBytes") => xs.reduce((a, s) => a + s[k], 0);

let gpuShards = shardInfo;
if (gpuSubsetMb > 0) {
  gpuShards = [];
  for (const s of shardInfo) {
    if (sum(gpuShards, "textBytes") >= gpuSubsetMb * 1e6) break;
    gpuShards.push(s);
  }
}

// ---------- the runs ----------

interface Run {
  name: string;
  cmd: string[];
  shards: ShardInfo[];
  outDir?: string;
  removedTsv?: string;
  times: Timed[];
}

const gammaRun = (name: string, dir: string, set: ShardInfo[], extra: string[]): Run => {
  const outDir = join(work, dir);
  const cmd = [bin, "dedup", "--input", ...set.map((s) => s.path), "--out-dir", outDir, "--mode", "near", ...extra];
  return { name, cmd, shards: set, outDir, times: [] };
};
const dsTsv = join(work, "datasketch-removed.tsv");
const cpu = ["--device", "cpu", "--cpu-threads", threads];
const cpuRun = gammaRun(`gamma cpu, ${threads} threads, defaults (verify exact, greedy)`, "cpu", shardInfo, cpu);
// --decisions-only: what the peer produces (which documents go), no deduplicated copy of the corpus.
const decisionsRun = gammaRun(`gamma cpu, ${threads} threads, defaults, --decisions-only`, "cpu-decisions", shardInfo, [
  ...cpu,
  "--decisions-only",
]);
const estimateRun = gammaRun(`gamma cpu, ${threads} threads, --verify estimate`, "cpu-estimate", shardInfo, [
  ...cpu,
  "--verify",
  "estimate",
]);
const componentsRun = gammaRun(`gamma cpu, ${threads} threads, --near-clusters components`, "cpu-components", shardInfo, [
  ...cpu,
  "--near-clusters",
  "components",
]);
const gpuRun = gammaRun(`gamma gpu (lavapipe), defaults`, "gpu", gpuShards, ["--device", "gpu"]);
const dsRun: Run = {
  name: "datasketch MinHash + MinHashLSH (1 process)",
  cmd: [
    python,
    runner,
    "--datasketch",
    datasketch,
    "--removed",
    dsTsv,
    "--num-perm",
    "128",
    "--threshold",
    String(T),
    "--bands",
    String(BANDS),
    "--rows",
    String(ROWS),
    ...shards,
  ],
  shards: shardInfo,
  removedTsv: dsTsv,
  times: [],
};
const runs: Run[] = [cpuRun, decisionsRun, estimateRun, componentsRun, gpuRun, dsRun];
const at = (r: Run) => runs.indexOf(r);

for (const r of runs) console.error(`bench: ${shown(r.cmd)}`);
for (let i = 0; i < reps; i++) {
  for (const r of runs) {
    if (r.outDir) rmSync(r.outDir, { recursive: true, force: true });
    const t = run(r.cmd);
    r.times.push(t);
    const mb = sum(r.shards, "textBytes") / 1e6;
    console.error(
      `rep ${i + 1}/${reps} ${r.name}: ${t.wall.toFixed(2)} s, ${(mb / t.wall).toFixed(2)} MB/s, cpu ${t.cpu.toFixed(1)} s, peak ${t.rssMb.toFixed(0)} MB`,
    );
  }
}

// ---------- decisions of each run ----------

interface Removed {
  dupOf: string;
}
interface Outcome {
  docs: Set<string>;
  removed: Map<string, Removed>;
  near?: { dispatches: number; bytesToGpu: number; bytesFromGpu: number; kernelMs: number; backendReason: string; candidates: number };
  decisions?: Buffer;
}

function outcome(r: Run): Outcome {
  const docs = new Set<string>();
  const removed = new Map<string, Removed>();
  if (r.outDir) {
    const decisions = zlib.zstdDecompressSync(readFileSync(join(r.outDir, "decisions.jsonl.zst")));
    for (const line of decisions.toString("utf8").split("\n")) {
      if (!line) continue;
      const d = JSON.parse(line) as { doc_id: string; decision: string; dup_of: string | null };
      docs.add(d.doc_id);
      if (d.decision !== "kept") removed.set(d.doc_id, { dupOf: d.dup_of! });
    }
    const manifest = JSON.parse(readFileSync(join(r.outDir, "dedup.manifest.json"), "utf8"));
    // Timings and transfer figures are in dedup.stats.json (not reproducible), the rest in the manifest.
    const stats = JSON.parse(readFileSync(join(r.outDir, "dedup.stats.json"), "utf8"));
    return { docs, removed, near: { ...manifest.near, ...stats.near }, decisions };
  }
  for (const line of readFileSync(r.removedTsv!, "utf8").split("\n")) {
    if (!line) continue;
    const [id, dupOf] = line.split("\t");
    removed.set(id!, { dupOf: dupOf! });
  }
  return { docs, removed };
}
const outcomes = runs.map(outcome);

// ---------- the plan and exact word 5-gram Jaccard ----------

interface Planted {
  id: string;
  of: string;
  kind: "exact" | "variant" | "near";
  jaccard: number;
}
const corpusJson = JSON.parse(readFileSync(plan, "utf8"));
const planted = new Map<string, Planted>();
for (const p of corpusJson.planted.exact) planted.set(p.id, { id: p.id, of: p.of, kind: "exact", jaccard: 1 });
for (const p of corpusJson.planted.whitespace_case_variant) planted.set(p.id, { id: p.id, of: p.of, kind: "variant", jaccard: 1 });
for (const p of corpusJson.planted.near) planted.set(p.id, { id: p.id, of: p.of, kind: "near", jaccard: p.jaccard_word5 });

// Texts of the documents the checks need: planted near pairs and removed documents outside the plan.
const needed = new Set<string>();
for (const p of planted.values()) if (p.kind === "near") needed.add(p.id).add(p.of);
for (const o of outcomes) for (const [id, r] of o.removed) needed.add(id).add(r.dupOf);
const texts = new Map<string, string>();
for (const s of shards) {
  for (const line of zlib.zstdDecompressSync(readFileSync(s)).toString("utf8").split("\n")) {
    if (!line) continue;
    const d = JSON.parse(line) as { doc_id: string; text: string };
    if (needed.has(d.doc_id)) texts.set(d.doc_id, d.text);
  }
}
// The reference shingles (scripts/lib/word-shingles.ts), not gamma's.
function jaccard(a: string, b: string): number {
  return setJaccard(wordShingles(texts.get(a) ?? ""), wordShingles(texts.get(b) ?? ""));
}
let recomputeMaxDiff = 0;
for (const p of planted.values()) {
  if (p.kind === "near") recomputeMaxDiff = Math.max(recomputeMaxDiff, Math.abs(jaccard(p.id, p.of) - p.jaccard));
}

// ---------- scoring ----------

const BUCKETS: { name: string; test: (p: Planted) => boolean }[] = [
  { name: "exact copy", test: (p) => p.kind === "exact" },
  { name: "ws/case variant", test: (p) => p.kind === "variant" },
  { name: "near J>=0.9", test: (p) => p.kind === "near" && p.jaccard >= 0.9 },
  { name: "near 0.8-0.9", test: (p) => p.kind === "near" && p.jaccard >= 0.8 && p.jaccard < 0.9 },
  { name: "near 0.7-0.8", test: (p) => p.kind === "near" && p.jaccard >= 0.7 && p.jaccard < 0.8 },
  { name: "near 0.5-0.7", test: (p) => p.kind === "near" && p.jaccard >= 0.5 && p.jaccard < 0.7 },
  { name: "near J<0.5", test: (p) => p.kind === "near" && p.jaccard < 0.5 },
];
const shouldGo = (p: Planted) => p.jaccard >= T;

interface Score {
  buckets: string[];
  recall: number;
  precision: number;
  removed: number;
  outsidePlan: number;
  outsideJ: number[];
  wrongDupOf: number;
  /** Planted groups (an original and its copies) none of whose documents was kept. */
  clustersLost: number;
  /** Removed documents whose dup_of was removed too, or is at exact J < T: no kept document at >= T named. */
  noKeptAtT: number;
  lowestJ: number;
}
function score(r: Run, o: Outcome): Score {
  const inRun = (id: string) => (r.outDir ? o.docs.has(id) : true);
  const plan = [...planted.values()].filter((p) => inRun(p.id));
  const buckets = BUCKETS.map((b) => {
    const ps = plan.filter(b.test);
    return `${ps.filter((p) => o.removed.has(p.id)).length}/${ps.length}`;
  });
  const go = plan.filter(shouldGo);
  const hit = go.filter((p) => o.removed.has(p.id)).length;
  let good = 0;
  let outsidePlan = 0;
  let wrongDupOf = 0;
  const outsideJ: number[] = [];
  for (const [id, rm] of o.removed) {
    const p = planted.get(id);
    if (!p) {
      outsidePlan++;
      outsideJ.push(jaccard(id, rm.dupOf));
      continue;
    }
    if (shouldGo(p)) good++;
    if (rm.dupOf !== p.of) wrongDupOf++;
  }
  // Planted groups: an original and every planted copy of it (inside this run's shards).
  const groups = new Map<string, string[]>();
  for (const p of plan) (groups.get(p.of) ?? groups.set(p.of, [p.of]).get(p.of)!).push(p.id);
  let clustersLost = 0;
  for (const members of groups.values()) if (members.every((id) => o.removed.has(id))) clustersLost++;
  let noKeptAtT = 0;
  let lowestJ = 1;
  for (const [id, rm] of o.removed) {
    const j = jaccard(id, rm.dupOf);
    lowestJ = Math.min(lowestJ, j);
    if (o.removed.has(rm.dupOf) || j < T) noKeptAtT++;
  }
  return {
    clustersLost,
    noKeptAtT,
    lowestJ,
    buckets,
    recall: go.length ? hit / go.length : 1,
    precision: o.removed.size ? good / o.removed.size : 1,
    removed: o.removed.size,
    outsidePlan,
    outsideJ,
    wrongDupOf,
  };
}
const scores = runs.map((r, i) => score(r, outcomes[i]!));

// ---------- tables ----------

const fmt = (x: number, d = 1) => x.toFixed(d);
console.log(`\n### Throughput (median of ${reps} whole-process run${reps > 1 ? "s" : ""} each, runs alternating)\n`);
console.log("| run | docs | text MB | wall s | MB/s | docs/s | cpu s (user+sys) | MB per cpu-s | peak RSS MB | removed |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
runs.forEach((r, i) => {
  const mb = sum(r.shards, "textBytes") / 1e6;
  const docs = sum(r.shards, "docs");
  const wall = median(r.times.map((t) => t.wall));
  const cpu = median(r.times.map((t) => t.cpu));
  const rss = median(r.times.map((t) => t.rssMb));
  console.log(
    `| ${r.name} | ${docs} | ${fmt(mb)} | ${fmt(wall, 2)} | ${fmt(mb / wall, 2)} | ${fmt(docs / wall, 0)} | ${fmt(cpu, 1)} | ${fmt(mb / cpu, 2)} | ${fmt(rss, 0)} | ${scores[i]!.removed} |`,
  );
});
const ds = dsRun;
const TARGET = 25;
const BAR = 0.99;
const paired = (r: Run) => median(r.times.map((t, i) => ds.times[i]!.wall / t.wall));
const ratio = (r: Run) => {
  const cpu = median(ds.times.map((t) => t.cpu)) / median(r.times.map((t) => t.cpu));
  const s = scores[at(r)]!;
  const met = paired(r) >= TARGET && s.recall >= BAR && s.precision >= BAR && s.clustersLost === 0 && s.noKeptAtT === 0;
  return (
    `${fmt(paired(r), 2)}x throughput (median of per-rep pairs), ${fmt(cpu, 2)}x per cpu-second; ` +
    `recall ${fmt(s.recall, 4)}, precision ${fmt(s.precision, 4)}, clusters lost ${s.clustersLost}, ` +
    `dropped without a kept document at >= ${T} ${s.noKeptAtT}: target ${met ? "met" : "not met"}`
  );
};
console.log(
  `\nThe target: default settings, deduplicated copy written: >= ${TARGET}x datasketch's throughput, recall and precision >= ${BAR}, ` +
    `no cluster lost, no document dropped without a kept document at >= ${T}.`,
);
console.log(`gamma cpu (defaults, deduplicated copy written) / datasketch: ${ratio(cpuRun)}`);
console.log(`gamma cpu (defaults, --decisions-only: the peer's output) / datasketch: ${ratio(decisionsRun)}`);
console.log(`gamma cpu (--verify estimate) / datasketch: ${ratio(estimateRun)}`);
console.log(`gamma cpu (--near-clusters components) / datasketch: ${ratio(componentsRun)}`);

console.log(`\n### Quality against the planted duplicates (removed / planted; J = exact word 5-gram Jaccard to the original)\n`);
console.log(
  `| run | ${BUCKETS.map((b) => b.name).join(" | ")} | recall (J>=${T}) | precision | clusters lost | dropped without a kept doc at >= ${T} | lowest J to dup_of | removed outside the plan (their J to dup_of) | dup_of != original |`,
);
console.log(`| --- | ${BUCKETS.map(() => "---:").join(" | ")} | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
runs.forEach((r, i) => {
  const s = scores[i]!;
  const js = s.outsideJ.length ? ` (J ${fmt(Math.min(...s.outsideJ), 3)}-${fmt(Math.max(...s.outsideJ), 3)})` : "";
  console.log(
    `| ${r.name} | ${s.buckets.join(" | ")} | ${fmt(s.recall, 4)} | ${fmt(s.precision, 4)} | ${s.clustersLost} | ${s.noKeptAtT} | ${fmt(s.lowestJ, 3)} | ${s.outsidePlan}${js} | ${s.wrongDupOf} |`,
  );
});
console.log(
  `\nShould go: exact copies, whitespace/case variants and near copies with J >= ${T}; precision = removed documents that should go / all removed ` +
    `(removals in 0.7-0.8 count against it). "Dropped without a kept document at >= ${T}": removed documents whose dup_of was removed too or is below ${T} in exact J. The J recorded by make-corpus (on 32-bit shingle hashes) agrees with this script's recomputation on shingle strings from the normalized text to ${recomputeMaxDiff.toExponential(1)}.`,
);

const gpu = gpuRun;
const g = outcomes[at(gpuRun)]!.near!;
const gpuMb = sum(gpu.shards, "textBytes") / 1e6;
console.log(
  `\n### GPU row (${fmt(gpuMb)} MB, ${sum(gpu.shards, "docs")} docs${gpuSubsetMb > 0 ? `, first ${gpu.shards.length} shards` : ""})\n`,
);
console.log(`- ${g.backendReason}`);
console.log(
  `- ${g.dispatches} dispatches (${fmt(g.dispatches / gpuMb, 2)} per MB of text), ${fmt(g.bytesToGpu / 1e6, 1)} MB to the GPU (${fmt(g.bytesToGpu / 1e6 / gpuMb, 3)} MB per MB), ` +
    `${fmt(g.bytesFromGpu / 1e6, 1)} MB back (${fmt(g.bytesFromGpu / 1e6 / gpuMb, 3)} MB per MB), kernel time ${fmt(g.kernelMs / 1000, 2)} s`,
);
if (gpu.shards.length === shardInfo.length) {
  const same = Buffer.compare(outcomes[at(cpuRun)]!.decisions!, outcomes[at(gpuRun)]!.decisions!) === 0;
  console.log(`- decisions.jsonl byte-identical to the cpu run: ${same ? "yes" : "NO"}`);
}
const dsOut = JSON.parse(ds.times.at(-1)!.out.trim().split("\n").pop()!);
console.log(
  `\nCandidates verified: gamma cpu ${outcomes[at(cpuRun)]!.near!.candidates}, datasketch ${dsOut.candidates}. ` +
    `datasketch's own phases (last rep): read ${dsOut.seconds_read} s, shingle + MinHash ${dsOut.seconds_shingle_minhash} s, LSH + verify ${dsOut.seconds_lsh_verify} s.`,
);
console.log(`\n${bin}; datasketch from ${datasketch}; ${python}; K = 128, threshold ${T}, ${BANDS} bands x ${ROWS} rows, word 5-grams`);
