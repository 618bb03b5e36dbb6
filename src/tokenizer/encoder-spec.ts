/**
 * What a thread needs to build an encoder: gamma's BPE tables (typed arrays, cheap to post to a
 * worker) or the tokenizer.json text for @huggingface/tokenizers.
 */
import type { BpeData } from "./bpe-data.ts";
import { GammaBpe } from "./fast-encoder.ts";
import { HfEncoder } from "./hf-fallback.ts";

export type EncoderSpec =
  | { encoder: "gamma-bpe"; data: BpeData }
  | { encoder: "hf-tokenizers"; jsonText: string; config: unknown };

export interface Encoder {
  encode(text: string): Uint32Array;
  decode(ids: ArrayLike<number>): string;
}

export function buildEncoder(spec: EncoderSpec): Encoder {
  if (spec.encoder === "gamma-bpe") return new GammaBpe(spec.data);
  return new HfEncoder(JSON.parse(spec.jsonText), spec.config);
}
