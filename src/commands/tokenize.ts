import { Command, Option } from "commander";
import { DEFAULT_TAG_TEMPLATE, runTokenize, runTokenizeTask, type TokenizeOptions } from "../stages/tokenize.ts";
import { addTaskFlags, readTask } from "../runtime/flags.ts";
import { addGlobals, intArg, listArg, numArg, readGlobals } from "./globals.ts";

export function tokenizeCommand(): Command {
  return addTaskFlags(addGlobals(new Command("tokenize")))
    .description(
      "Tokenize normalized documents into files a trainer reads: Megatron-LM indexed datasets (DIR/train/tokens.bin+.idx, DIR/valid/tokens.bin+.idx; one sequence per sample, in input order), .npy (DIR/<split>/tokens.npy + doc_offsets.npy), or shards of {input_ids, language, length} as JSONL.zst or Parquet (DIR/<split>/part-NNNNN.*). Each document is one sequence: optional language tag, its text (in a fill-in-the-middle layout for --fim-rate of them), EOS; --max-length cuts it into samples. A document is in valid iff sha256(doc_id), read as a big-endian 256-bit integer, is below F x 2^256. DIR/index.jsonl.zst says where each document's samples are and how it was transformed; DIR/manifest.json records the tokenizer and its sha256, the inputs and their manifests' hashes, the split rule, the budget, counts per split, metrics (samples, tokens, languages, FIM, chunks) and the encoder that ran.",
    )
    .requiredOption("--input <glob...>", "normalized (or deduped) shards")
    .requiredOption(
      "--tokenizer <file>",
      "tokenizer.json, a folder holding one (as train-tokenizer writes), .tiktoken rank file or SentencePiece .model (a bare name such as o200k_base only resolves to a file you supply)",
    )
    .option("--tokenizer-sha256 <hex>", "refuse a tokenizer file with another sha256")
    .requiredOption("--out-dir <dir>", "output folder")
    .addOption(
      new Option(
        "--format <format>",
        "output format: megatron (.bin/.idx), npy, jsonl (part-NNNNN.jsonl.zst of {input_ids, language, length}), parquet (the same columns, zstd, readable by Hugging Face datasets)",
      )
        .choices(["megatron", "npy", "jsonl", "parquet"])
        .default("megatron"),
    )
    .option("--samples-per-shard <n>", "samples per jsonl/parquet shard", "10000")
    .option(
      "--allow-special <tokens>",
      "comma-separated special tokens whose text in a document becomes the token (default: none; such text is encoded as ordinary text)",
    )
    .option("--language-tags", "prepend each document's language tag token (from meta.language)")
    .option("--language-tag-template <t>", "the tag token's text; {language} is replaced by meta.language", DEFAULT_TAG_TEMPLATE)
    .addOption(
      new Option(
        "--missing-tag <what>",
        "a language whose tag is not a token: error (list them), skip (keep the document untagged, counted) or drop (leave it out, counted)",
      )
        .choices(["error", "skip", "drop"])
        .default("error"),
    )
    .option(
      "--fim-rate <f>",
      "share of documents given a fill-in-the-middle layout (needs <|fim_prefix|>, <|fim_suffix|>, <|fim_middle|> tokens)",
      "0",
    )
    .option("--fim-spm-rate <f>", "share of FIM documents laid out suffix-prefix-middle instead of prefix-suffix-middle", "0")
    .addOption(
      new Option(
        "--fim-mode <mode>",
        "how the middle is cut: char (two random cuts), line (whole lines), ast (one whole syntax node, tree-sitter), multi (2-3 spans)",
      )
        .choices(["char", "line", "ast", "multi"])
        .default("char"),
    )
    .option("--max-length <n>", "cut each sequence into samples of at most N tokens (default: one sample per document)")
    .option("--min-chunk-tokens <n>", "leave out samples shorter than N tokens (counted)", "0")
    .option("--valid-fraction <f>", "share of documents in valid (by sha256 of doc_id)", "0")
    .option("--token-budget <n>", "stop at N tokens in total: documents in input order while they fit; the rest are counted as left out")
    .addOption(
      new Option("--dtype <dtype>", "token dtype; auto picks uint16 only when every id actually written fits")
        .choices(["int32", "uint16", "auto"])
        .default("int32"),
    )
    .option("--no-eos", "do not append EOS to each document")
    .option("--eos-id <id>", "EOS id when the tokenizer's config does not name one")
    .addHelpText(
      "after",
      "\nTasks: with --task-index I --num-tasks N a task encodes its blocks of the input's documents (blocks of 1,024 in input order; block k goes to task k mod N) into DIR/.gamma-tasks/ and writes its marker (a finished task is skipped when run again); --num-tasks N --merge then writes exactly the files one run writes, byte for byte, and exits 1 naming the tasks not finished.",
    )
    .action(async (o) => {
      const g = readGlobals(o);
      const { task, merge } = readTask(o);
      const opts: TokenizeOptions = {
        inputs: o.input,
        tokenizer: o.tokenizer,
        tokenizerSha256: o.tokenizerSha256 ?? null,
        eosId: o.eosId === undefined ? undefined : intArg("--eos-id", o.eosId, 0),
        outDir: o.outDir,
        format: o.format,
        validFraction: numArg("--valid-fraction", o.validFraction, 0, 1),
        tokenBudget: o.tokenBudget === undefined ? null : intArg("--token-budget", o.tokenBudget, 1),
        dtype: o.dtype,
        noEos: o.eos === false,
        cpuThreads: g.cpuThreads,
        seed: g.seed,
        allowSpecial: listArg(o.allowSpecial),
        languageTags: Boolean(o.languageTags),
        languageTagTemplate: o.languageTagTemplate,
        missingTag: o.missingTag,
        fim: { rate: numArg("--fim-rate", o.fimRate, 0, 1), spmRate: numArg("--fim-spm-rate", o.fimSpmRate, 0, 1), mode: o.fimMode },
        maxLength: o.maxLength === undefined ? null : intArg("--max-length", o.maxLength, 1),
        minChunkTokens: intArg("--min-chunk-tokens", o.minChunkTokens, 0),
        samplesPerShard: intArg("--samples-per-shard", o.samplesPerShard, 1),
        merge,
        mergeTasks: task.count,
      };
      if (!merge && (o.taskIndex !== undefined || o.numTasks !== undefined || task.count > 1)) {
        const t = await runTokenizeTask(opts, task);
        process.stdout.write(JSON.stringify(t) + "\n");
        return;
      }
      const m = await runTokenize(opts);
      process.stdout.write(JSON.stringify({ out_dir: o.outDir, dtype: m.dtype, counts: m.counts, metrics: m.metrics }) + "\n");
    });
}
