/**
 * A trained byte-level BPE as the files Hugging Face tools read: tokenizer.json laid out exactly
 * as `tokenizers` saves it (pretty, same field order, vocabulary in id order, merges as pairs,
 * special tokens as added tokens; ByteLevel pre-tokenizer, decoder and post-processor), and a
 * tokenizer_config.json naming eos/pad/bos and model_max_length.
 */
import type { TrainedBpe } from "./bpe-trainer.ts";
import { PRETOKENIZER_PATTERN, type PretokenizerName } from "./count-words.ts";

const VOCAB_SLOT = "\u0000vocab\u0000";

function preTokenizerJson(p: PretokenizerName): unknown {
  if (p === "gpt2") return { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    type: "Sequence",
    pretokenizers: [
      { type: "Split", pattern: { Regex: PRETOKENIZER_PATTERN[p] }, behavior: "Isolated", invert: false },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  };
}

/** tokenizer.json text (no trailing newline, as `tokenizers` writes it). */
export function tokenizerJson(bpe: TrainedBpe, pretokenizer: PretokenizerName): string {
  const added = bpe.specialTokens.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const doc = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: preTokenizerJson(pretokenizer),
    post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: VOCAB_SLOT,
      merges: bpe.merges,
    },
  };
  // The vocabulary is written by hand: a JS object would list integer-like keys ("0", "12") first.
  const indent = "      ";
  const vocab = bpe.vocab.length === 0 ? "{}" : `{\n${bpe.vocab.map((t, id) => `${indent}${JSON.stringify(t)}: ${id}`).join(",\n")}\n    }`;
  return JSON.stringify(doc, null, 2).replace(JSON.stringify(VOCAB_SLOT), () => vocab);
}

export interface TokenizerConfigOptions {
  eosToken: string | null;
  padToken: string | null;
  bosToken: string | null;
  modelMaxLength: number;
}

/** tokenizer_config.json: what transformers' PreTrainedTokenizerFast and gamma's loader read. */
export function tokenizerConfig(specialTokens: string[], o: TokenizerConfigOptions): Record<string, unknown> {
  const decoder: Record<string, unknown> = {};
  specialTokens.forEach((content, id) => {
    decoder[String(id)] = { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true };
  });
  return {
    added_tokens_decoder: decoder,
    ...(o.bosToken === null ? {} : { bos_token: o.bosToken }),
    clean_up_tokenization_spaces: false,
    ...(o.eosToken === null ? {} : { eos_token: o.eosToken }),
    model_max_length: o.modelMaxLength,
    ...(o.padToken === null ? {} : { pad_token: o.padToken }),
    tokenizer_class: "PreTrainedTokenizerFast",
  };
}
