/**
 * Facts about OpenAI's published rank files: which pre-tokenizer regex each uses, its special
 * tokens, and the sha256 of the official .tiktoken file. A .tiktoken file carries none of this,
 * so gamma recognises the file by its digest, else by its file name.
 */
import { CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN } from "./pretokenize.ts";

export interface KnownEncoding {
  name: string;
  pattern: string;
  specials: Record<string, number>;
  eos: string;
  bos: string | null;
  /** sha256 of the official rank file this encoding uses. */
  ranksSha256: string;
  /** the rank file's usual name, without extension */
  ranksName: string;
}

const O200K_SHA = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d";

/** Harmony's named specials (as in gpt-oss's tokenizer.json); the ids between are reserved. */
function harmonySpecials(): Record<string, number> {
  const named: Record<number, string> = {
    199998: "<|startoftext|>",
    199999: "<|endoftext|>",
    200002: "<|return|>",
    200003: "<|constrain|>",
    200005: "<|channel|>",
    200006: "<|start|>",
    200007: "<|end|>",
    200008: "<|message|>",
    200012: "<|call|>",
    200018: "<|endofprompt|>",
  };
  const out: Record<string, number> = {};
  for (let id = 199998; id <= 200018; id++) out[named[id] ?? `<|reserved_${id}|>`] = id;
  return out;
}

export const KNOWN_ENCODINGS: KnownEncoding[] = [
  {
    name: "r50k_base",
    pattern: GPT2_PATTERN,
    specials: { "<|endoftext|>": 50256 },
    eos: "<|endoftext|>",
    bos: null,
    ranksSha256: "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
    ranksName: "r50k_base",
  },
  {
    name: "p50k_base",
    pattern: GPT2_PATTERN,
    specials: { "<|endoftext|>": 50256 },
    eos: "<|endoftext|>",
    bos: null,
    ranksSha256: "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    ranksName: "p50k_base",
  },
  {
    name: "cl100k_base",
    pattern: CL100K_PATTERN,
    specials: {
      "<|endoftext|>": 100257,
      "<|fim_prefix|>": 100258,
      "<|fim_middle|>": 100259,
      "<|fim_suffix|>": 100260,
      "<|endofprompt|>": 100276,
    },
    eos: "<|endoftext|>",
    bos: null,
    ranksSha256: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ranksName: "cl100k_base",
  },
  {
    name: "o200k_base",
    pattern: O200K_PATTERN,
    specials: { "<|endoftext|>": 199999, "<|endofprompt|>": 200018 },
    eos: "<|endoftext|>",
    bos: null,
    ranksSha256: O200K_SHA,
    ranksName: "o200k_base",
  },
  {
    name: "o200k_harmony",
    pattern: O200K_PATTERN,
    specials: harmonySpecials(),
    eos: "<|endoftext|>",
    bos: "<|startoftext|>",
    ranksSha256: O200K_SHA,
    ranksName: "o200k_base",
  },
];

export function knownByName(name: string): KnownEncoding | undefined {
  return KNOWN_ENCODINGS.find((k) => k.name === name);
}

/** The base encoding whose official file has this digest (o200k_base, not harmony, for o200k). */
export function knownBySha256(sha256: string): KnownEncoding | undefined {
  return KNOWN_ENCODINGS.find((k) => k.ranksSha256 === sha256 && k.name === k.ranksName);
}
