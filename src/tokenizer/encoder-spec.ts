/**
 * What a thread needs to build an encoder: gamma's BPE tables (typed arrays, cheap to post to a
 * worker), a SentencePiece `.model` file's bytes, or the tokenizer.json text for @huggingface/tokenizers.
 */
import type { BpeData } from "./bpe-data.ts";
import { GammaBpe } from "./fast-encoder.ts";
import { HfEncoder } from "./hf-fallback.ts";
import { SpmUnigram } from "./spm/unigram-encoder.ts";

export type EncoderSpec =
  | { encoder: "gamma-bpe"; data: BpeData }
  | { encoder: "gamma-unigram"; model: Uint8Array }
  | { encoder: "hf-tokenizers"; jsonText: string; config: unknown };

export interface Encoder {
  encode(text: string): Uint32Array;
  decode(ids: ArrayLike<number>): string;
}

export function buildEncoder(spec: EncoderSpec): Encoder {
  if (spec.encoder === "gamma-bpe") return new GammaBpe(spec.data);
  if (spec.encoder === "gamma-unigram") return new SpmUnigram(spec.model);
  return new HfEncoder(JSON.parse(spec.jsonText), spec.config);
}
