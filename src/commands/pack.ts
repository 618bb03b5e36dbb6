import { Command, Option } from "commander";
import { ConfigError } from "../errors.ts";
import { expandInputs } from "../io/glob.ts";
import { loadStageAManifest } from "../manifest/stage-a.ts";
import { PACK_WINDOW, runPack, runPackTask, sourcesFromGlob, type PackOptions, type PackSource } from "../stages/pack.ts";
import { addTaskFlags, readTask } from "../runtime/flags.ts";
import { addGlobals, intArg, listArg, readGlobals } from "./globals.ts";

export function packCommand(): Command {
  return addTaskFlags(addGlobals(new Command("pack")))
    .description(
      "Tokenize documents, append EOS, and pack them contiguously into fixed-length rows: DIR/input_ids.mmap (little-endian int32, shape (n_seqs, seq_len); np.memmap(path, dtype=np.int32).reshape(-1, seq_len)), DIR/meta.json and DIR/index.jsonl.zst (row -> {doc_id, doc_token_start, doc_token_end, row_offset}). Either --manifest stageA_manifest.yaml (weighted mixture of sources, seeded) or --input GLOB --tokenizer FILE --seq-len L.",
    )
    .option("--manifest <yaml>", "Stage A manifest: sources + weights, tokenizer, seq_len")
    .option("--input <glob...>", "normalized shards to pack in order (instead of --manifest)")
    .option(
      "--tokenizer <file>",
      "tokenizer.json, a folder holding one (as train-tokenizer writes), .tiktoken, or SentencePiece .model file (overrides the manifest's)",
    )
    .option("--tokenizer-sha256 <hex>", "refuse a tokenizer file with another digest")
    .option("--seq-len <n>", "tokens per row (overrides the manifest's)")
    .option("--num-seqs <n>", "stop after N rows (default: pack everything)")
    .option("--eos-id <id>", "EOS id to append when the tokenizer's config does not name one")
    .option("--pad-id <id>", "id used to pad the last row (default: the EOS id; recorded in meta.json)")
    .addOption(
      new Option(
        "--packing <how>",
        "contiguous: documents continue into the next row; greedy: no document that fits a row is split (a longer one is cut every seq-len tokens), rows filled first-fit-decreasing, each padded",
      )
        .choices(["contiguous", "greedy"])
        .default("contiguous"),
    )
    .option("--pack-window <n>", "greedy: documents packed together in one first-fit-decreasing run", String(PACK_WINDOW))
    .option(
      "--allow-special <tokens>",
      "comma-separated special tokens whose text in a document becomes the token (default: none; such text is encoded as ordinary text)",
    )
    .requiredOption("--out-dir <dir>", "output folder")
    .addHelpText(
      "after",
      "\nTasks: with --task-index I --num-tasks N a task encodes its blocks of each source's documents (blocks of 1,024 in input order; block k goes to task k mod N) into DIR/.gamma-tasks/ and writes its marker (a finished task is skipped when run again); --num-tasks N --merge then writes exactly the files one run writes, byte for byte, and exits 1 naming the tasks not finished.",
    )
    .action(async (o) => {
      const g = readGlobals(o);
      const { task, merge } = readTask(o);
      let sources: PackSource[];
      let tokenizer: string | undefined = o.tokenizer;
      let sha: string | null = o.tokenizerSha256 ?? null;
      let seqLen = o.seqLen === undefined ? undefined : intArg("--seq-len", o.seqLen, 1);
      if (o.manifest && o.input) throw new ConfigError("pack: give --manifest or --input, not both");
      if (o.manifest) {
        const m = loadStageAManifest(o.manifest);
        sources = m.sources.map((s) => ({
          name: s.name,
          share: s.share,
          files: s.share > 0 ? expandInputs(s.paths, { what: `normalized shards of source ${s.name}` }) : [],
        }));
        tokenizer ??= m.tokenizer?.path;
        sha ??= m.tokenizer?.sha256 ?? null;
        seqLen ??= m.seqLen ?? undefined;
      } else if (o.input) {
        sources = sourcesFromGlob(o.input);
      } else throw new ConfigError("pack: give --manifest stageA_manifest.yaml, or --input GLOB with --tokenizer and --seq-len");
      if (!tokenizer) throw new ConfigError("pack: no tokenizer: pass --tokenizer FILE or set tokenizer.path in the manifest");
      if (seqLen === undefined) throw new ConfigError("pack: no sequence length: pass --seq-len L or set seq_len in the manifest");
      const opts: PackOptions = {
        sources,
        tokenizerPath: tokenizer,
        tokenizerSha256: sha,
        eosId: o.eosId === undefined ? undefined : intArg("--eos-id", o.eosId, 0),
        padId: o.padId === undefined ? undefined : intArg("--pad-id", o.padId, 0),
        seqLen,
        numSeqs: o.numSeqs === undefined ? null : intArg("--num-seqs", o.numSeqs, 1),
        outDir: o.outDir,
        seed: g.seed,
        cpuThreads: g.cpuThreads,
        manifestPath: o.manifest ?? null,
        packing: o.packing,
        allowSpecial: listArg(o.allowSpecial),
        packWindow: intArg("--pack-window", o.packWindow, 1),
        merge,
        mergeTasks: task.count,
      };
      if (!merge && (o.taskIndex !== undefined || o.numTasks !== undefined || task.count > 1)) {
        const t = await runPackTask(opts, task);
        process.stdout.write(JSON.stringify(t) + "\n");
        return;
      }
      const meta = await runPack(opts);
      process.stdout.write(
        JSON.stringify({
          out_dir: o.outDir,
          n_seqs: meta.n_seqs,
          seq_len: meta.seq_len,
          tokens: meta.counts.tokens,
          padding_tokens: meta.counts.padding_tokens,
          padding_fraction: meta.counts.padding_fraction,
        }) + "\n",
      );
    });
}
