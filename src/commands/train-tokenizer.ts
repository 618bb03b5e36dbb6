import { Command, Option } from "commander";
import { ConfigError } from "../errors.ts";
import { intFlag, readContext, withFlags } from "../runtime/index.ts";
import { runTrainTokenizer, TRAINERS, type TrainerName } from "../stages/train-tokenizer.ts";
import { PRETOKENIZERS, type PretokenizerName } from "../tokenizer/train/count-words.ts";

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(",")];

function numFlag(flag: string, v: unknown): number {
  const n = Number(v);
  if (!(n > 0 && n <= 1)) throw new ConfigError(`${flag} must be a number in (0, 1], got ${JSON.stringify(v)}`);
  return n;
}

export function trainTokenizerCommand(): Command {
  return withFlags(new Command("train-tokenizer"), "threads", "seed")
    .description(
      "Train a tokenizer on documents. --model bpe (default): byte-level BPE with the same vocabulary and merges as Hugging Face tokenizers' BpeTrainer with a ByteLevel pre-tokenizer. --model unigram: SentencePiece Unigram (each line a sentence; also writes DIR/tokenizer.model, which spm_encode and gamma read). Writes DIR/tokenizer.json, DIR/tokenizer_config.json, DIR/documents.jsonl.zst (doc_id, source, bytes of each document used) and DIR/train-tokenizer.manifest.json. Pre-tokens are counted on --cpu-threads workers; the files are the same for any thread count.",
    )
    .addOption(new Option("--model <model>", "tokenizer model").choices(Object.keys(TRAINERS)).default("bpe"))
    .option("--input <glob...>", "JSONL files (normalized shards or any JSONL with --text-field), read in sorted order")
    .option("--text-field <name>", "field holding the text in --input lines", "text")
    .option(
      "--manifest <yaml>",
      "Stage A manifest: documents drawn from its sources by weight, seeded by --seed (as gamma pack draws them)",
    )
    .option("--max-docs <n>", "use at most N documents")
    .option("--max-bytes <n>", "stop after the document that brings the text to N UTF-8 bytes")
    .requiredOption("--out-dir <dir>", "output folder")
    .option("--vocab-size <n>", "vocabulary size, special tokens and the 256-byte alphabet included", "32000")
    .option("--min-frequency <n>", "stop merging when the best pair occurs fewer times", "0")
    .option(
      "--special-tokens <list>",
      "comma-separated special tokens, ids 0.. in this order (repeatable; default: <|endoftext|>)",
      collect,
    )
    .option("--max-token-length <n>", "tokens stay shorter than N bytes, as in tokenizers (default: no limit)")
    .addOption(
      new Option("--pretokenizer <name>", "pre-tokenizer regex applied to each document").choices([...PRETOKENIZERS]).default("gpt2"),
    )
    .option("--eos-token <token>", "eos_token in tokenizer_config.json (one of the special tokens)", "<|endoftext|>")
    .option("--pad-token <token>", "pad_token in tokenizer_config.json (one of the special tokens)", "<|endoftext|>")
    .option("--bos-token <token>", "bos_token in tokenizer_config.json (default: none)")
    .option("--model-max-length <n>", "model_max_length in tokenizer_config.json", "8192")
    .option("--character-coverage <f>", "unigram: share of characters the alphabet must cover; rarer ones become <unk> or bytes", "0.9995")
    .option("--byte-fallback", "unigram: spell characters outside the vocabulary as <0xNN> byte pieces")
    .addOption(
      new Option("--normalization <rule>", "unigram: text normalization").choices(["nmt_nfkc", "nfkc", "identity"]).default("nmt_nfkc"),
    )
    .option("--split-digits", "unigram: every digit is a piece of its own")
    .option("--max-sentencepiece-length <n>", "unigram: longest piece in characters", "16")
    .action(async (o) => {
      const ctx = readContext(o);
      if (o.input && o.manifest) throw new ConfigError("train-tokenizer: give --input or --manifest, not both");
      if (!o.input && !o.manifest) throw new ConfigError("train-tokenizer: give --input GLOB (JSONL) or --manifest stageA.yaml");
      const specialTokens: string[] = o.specialTokens ?? ["<|endoftext|>"];
      const m = await runTrainTokenizer({
        model: o.model as TrainerName,
        corpus: {
          inputs: o.input ?? null,
          textField: o.textField,
          manifest: o.manifest ?? null,
          maxDocs: o.maxDocs === undefined ? null : intFlag("--max-docs", o.maxDocs, 1),
          maxBytes: o.maxBytes === undefined ? null : intFlag("--max-bytes", o.maxBytes, 1),
          seed: ctx.seed,
        },
        outDir: o.outDir,
        vocabSize: intFlag("--vocab-size", o.vocabSize, 1, 1 << 24),
        minFrequency: intFlag("--min-frequency", o.minFrequency, 0),
        specialTokens,
        maxTokenLength: o.maxTokenLength === undefined ? null : intFlag("--max-token-length", o.maxTokenLength, 1),
        pretokenizer: o.pretokenizer as PretokenizerName,
        eosToken: o.eosToken === "" ? null : o.eosToken,
        padToken: o.padToken === "" ? null : o.padToken,
        bosToken: o.bosToken ?? null,
        modelMaxLength: intFlag("--model-max-length", o.modelMaxLength, 1),
        threads: ctx.threads,
        unigram: {
          characterCoverage: numFlag("--character-coverage", o.characterCoverage),
          byteFallback: o.byteFallback === true,
          normalization: o.normalization,
          splitDigits: o.splitDigits === true,
          maxSentencepieceLength: intFlag("--max-sentencepiece-length", o.maxSentencepieceLength, 1, 512),
        },
      });
      const t = m.tokenizer as Record<string, unknown>;
      process.stdout.write(
        JSON.stringify({ out_dir: o.outDir, vocab_size: t.vocab_size, merges: t.merges, sha256: t.sha256, counts: m.counts }) + "\n",
      );
    });
}
