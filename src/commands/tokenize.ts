import { Command, Option } from "commander";
import { runTokenize } from "../stages/tokenize.ts";
import { addGlobals, intArg, numArg, readGlobals } from "./globals.ts";

export function tokenizeCommand(): Command {
  return addGlobals(new Command("tokenize"))
    .description(
      "Tokenize normalized documents into files a trainer reads: Megatron-LM indexed datasets (DIR/train/tokens.bin+.idx, DIR/valid/tokens.bin+.idx; one sequence per document, in input order) or .npy (DIR/<split>/tokens.npy + doc_offsets.npy). A document is in valid iff sha256(doc_id), read as a big-endian 256-bit integer, is below F x 2^256. DIR/manifest.json records the tokenizer and its sha256, the inputs and their manifests' hashes, the split rule, the budget, counts per split and the encoder that ran.",
    )
    .requiredOption("--input <glob...>", "normalized (or deduped) shards")
    .requiredOption("--tokenizer <file>", "tokenizer.json, .tiktoken rank file or SentencePiece .model (a bare name such as o200k_base only resolves to a file you supply)")
    .option("--tokenizer-sha256 <hex>", "refuse a tokenizer file with another sha256")
    .requiredOption("--out-dir <dir>", "output folder")
    .addOption(new Option("--format <format>", "output format").choices(["megatron", "npy"]).default("megatron"))
    .option("--valid-fraction <f>", "share of documents in valid (by sha256 of doc_id)", "0")
    .option("--token-budget <n>", "stop at N tokens in total: documents in input order while they fit; the rest are counted as left out")
    .addOption(new Option("--dtype <dtype>", "token dtype; auto picks uint16 only when every id actually written fits").choices(["int32", "uint16", "auto"]).default("int32"))
    .option("--no-eos", "do not append EOS to each document")
    .option("--eos-id <id>", "EOS id when the tokenizer's config does not name one")
    .action(async (o) => {
      const g = readGlobals(o);
      const m = await runTokenize({
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
      });
      process.stdout.write(JSON.stringify({ out_dir: o.outDir, dtype: m.dtype, counts: m.counts }) + "\n");
    });
}
