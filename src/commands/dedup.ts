import { Command, Option } from "commander";
import { ConfigError } from "../errors.ts";
import { parseMode, runDedup, runDedupTask } from "../stages/dedup.ts";
import { readTask } from "../runtime/flags.ts";
import type { NearSettings } from "../stages/dedup-near.ts";
import { nearParams } from "../near/near-dedup.ts";
import { parseShingleSpec } from "../near/shingle.ts";
import { addGlobals, intArg, numArg, readGlobals, type Globals } from "./globals.ts";

export function nearSettings(o: Record<string, unknown>, g: Globals): NearSettings {
  const shingle = String(o.shingle ?? "word:5");
  parseShingleSpec(shingle);
  const numPerm = intArg("--num-perm", o.numPerm ?? 128, 1);
  const threshold = numArg("--threshold", o.threshold ?? 0.8, 0.01, 1);
  const bands = o.bands === undefined ? undefined : intArg("--bands", o.bands, 1);
  const rows = o.rows === undefined ? undefined : intArg("--rows", o.rows, 1);
  if ((bands === undefined) !== (rows === undefined)) throw new ConfigError("--bands and --rows go together");
  if (bands !== undefined && bands * rows! > numPerm)
    throw new ConfigError(`--bands x --rows (${bands}x${rows}) must not exceed --num-perm ${numPerm}`);
  const verify = String(o.verify ?? "exact");
  if (verify !== "estimate" && verify !== "exact") throw new ConfigError("--verify must be estimate or exact");
  const selection = String(o.nearSelection ?? "first");
  if (selection !== "first" && selection !== "longest") throw new ConfigError("--near-selection must be first or longest");
  const clusters = String(o.nearClusters ?? "greedy");
  if (clusters !== "greedy" && clusters !== "components") throw new ConfigError("--near-clusters must be greedy or components");
  const s: NearSettings = {
    shingle,
    numPerm,
    threshold,
    bands,
    rows,
    seed: g.seed,
    verify,
    selection,
    clusters,
    device: g.device,
    adapterName: g.gpuAdapter,
    cpuThreads: g.cpuThreads,
    describe: () => ({
      shingle,
      num_perm: numPerm,
      threshold,
      bands: bands ?? null,
      rows: rows ?? null,
      seed: g.seed,
      verify,
      selection,
      clusters,
    }),
  };
  // Every near setting is checked here, before any output is opened or thread started: the LSH
  // shape (bands x rows) too.
  nearParams(s);
  return s;
}

export function dedupCommand(): Command {
  return addGlobals(new Command("dedup"), "threads", "seed", "device", "tasks")
    .description(
      "Remove exact and/or near duplicates from normalized shards. Writes DIR/deduped.jsonl.zst (kept docs in input order; not with --decisions-only), DIR/decisions.jsonl.zst (one line per input doc: {doc_id, decision, dup_of, similarity, reason}; dup_of is always a kept doc), DIR/dedup.manifest.json (reproducible) and DIR/dedup.stats.json (timings; not reproducible). Near dedup runs MinHash + LSH as WebGPU compute shaders, or on the CPU twin with bit-identical results. With --task-index I --num-tasks N, task I reads its share of the shards (ids, exact keys and, on the CPU, MinHash signatures) into DIR/.dedup-work/ and marks itself done; then one --num-tasks N --merge makes the decisions and writes the same files, byte for byte, as a run without tasks.",
    )
    .requiredOption("--input <glob...>", "normalized shards (e.g. 'data/normalized/**/*.jsonl.zst')")
    .requiredOption("--out-dir <dir>", "output folder")
    .addOption(
      new Option(
        "--mode <mode>",
        "exact: hash of whitespace-collapsed, lower-cased text; near: MinHash LSH; both: exact first, then near among the rest",
      )
        .choices(["exact", "near", "both"])
        .default("both"),
    )
    .addOption(
      new Option("--scope <scope>", "global, or per-source (duplicates only within one source)")
        .choices(["global", "per-source"])
        .default("global"),
    )
    .addOption(
      new Option(
        "--near-selection <rule>",
        "preference among near duplicates: first (input order) or longest (most bytes, then doc_id, then input order)",
      )
        .choices(["first", "longest"])
        .default("first"),
    )
    .addOption(
      new Option(
        "--near-clusters <how>",
        "greedy: visit documents in --near-selection order, keep one unless a kept document is a verified neighbour at >= --threshold (every near_dup row names a kept document at >= --threshold); components: keep one document per connected component of verified pairs (a chain A~B~C drops C for A even when A and C are far apart)",
      )
        .choices(["greedy", "components"])
        .default("greedy"),
    )
    .option(
      "--shingle <spec>",
      "word:N (lower-cased runs of letters and digits; prose), char:N (code points of that text; CJK) or token:N (whitespace-separated tokens, case and punctuation kept; code: token:5 with --threshold 0.85)",
      "word:5",
    )
    .option("--num-perm <k>", "MinHash permutations", "128")
    .option("--threshold <t>", "Jaccard similarity threshold", "0.8")
    .option("--bands <b>", "LSH bands (with --rows; default chosen from --threshold)")
    .option("--rows <r>", "LSH rows per band (with --bands)")
    .option(
      "--decisions-only",
      "write decisions.jsonl.zst and the manifest but not deduped.jsonl.zst: the shards are read once, for when the decisions are applied elsewhere or only counted",
    )
    .addOption(
      new Option(
        "--verify <how>",
        "exact: verify candidate pairs on the exact Jaccard of their shingle sets; estimate: on the share of equal signature positions, which skips keeping the shingle sets (a little faster, less disk) but trades recall and precision: a pair near the threshold can fall either way, so a document may be dropped whose true similarity is below --threshold",
      )
        .choices(["estimate", "exact"])
        .default("exact"),
    )
    .action(async (o) => {
      const g = readGlobals(o);
      const { task, merge } = readTask(o);
      const options = {
        inputs: o.input,
        outDir: o.outDir,
        mode: parseMode(o.mode),
        scope: o.scope,
        near: nearSettings(o, g),
        decisionsOnly: o.decisionsOnly === true,
        task,
        merge,
      };
      // A task flag given (or set by the scheduler) without --merge: this process is one task.
      const isTask = !merge && (o.taskIndex !== undefined || o.numTasks !== undefined || task.count > 1);
      if (isTask) {
        const r = await runDedupTask(options);
        process.stdout.write(JSON.stringify({ task: { index: task.index, count: task.count }, shards: r.shards, docs: r.docs }) + "\n");
        return;
      }
      const r = await runDedup(options);
      process.stdout.write(JSON.stringify({ manifest: r.manifestPath, counts: r.counts }) + "\n");
    });
}
