/**
 * Which ids end (EOS) and begin (BOS) a document, from the tokenizer's own configuration:
 * tokenizer_config.json's eos_token/bos_token when the file sits beside tokenizer.json, else a
 * single well-known end-of-text token among the added tokens; for tiktoken files, the known
 * special tokens of the encoding. An explicit eosId overrides and is range-checked.
 */
import { ConfigError } from "../errors.ts";

const WELL_KNOWN_EOS = ["<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>"];
const WELL_KNOWN_BOS = ["<|begin_of_text|>", "<|startoftext|>", "<s>", "<bos>"];

type Json = any; // parsed tokenizer.json / tokenizer_config.json

function tokenContent(v: Json): string | null {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof v.content === "string") return v.content;
  return null;
}

export interface SpecialIds {
  eosId: number | null;
  bosId: number | null;
  eosSource: string;
}

/** From tokenizer_config.json (when present) or the added special tokens of tokenizer.json. */
export function specialsFromHfConfig(
  byContent: Map<string, number>,
  specialContents: string[],
  config: Json | null,
  configPath: string,
): SpecialIds {
  const pick = (field: "eos_token" | "bos_token", known: string[]): { id: number | null; source: string } => {
    if (config && config[field] !== undefined && config[field] !== null) {
      const content = tokenContent(config[field]);
      const id = content === null ? undefined : byContent.get(content);
      if (content === null || id === undefined) {
        throw new ConfigError(
          `${configPath}: ${field} ${JSON.stringify(config[field])} is not a token of the tokenizer beside it; fix the config or pass --eos-id`,
        );
      }
      return { id, source: `${configPath} ${field} ${JSON.stringify(content)}` };
    }
    const found = known.filter((k) => specialContents.includes(k));
    if (found.length === 1) return { id: byContent.get(found[0])!, source: `added special token ${found[0]}` };
    return { id: null, source: "" };
  };
  const eos = pick("eos_token", WELL_KNOWN_EOS);
  const bos = pick("bos_token", WELL_KNOWN_BOS);
  return { eosId: eos.id, bosId: bos.id, eosSource: eos.source };
}

export function checkEos(
  ids: SpecialIds,
  opts: { eosId?: number; requireEos?: boolean },
  maxId: number,
  isToken: (id: number) => boolean,
  path: string,
): number | null {
  if (opts.eosId !== undefined) {
    const id = opts.eosId;
    if (!Number.isInteger(id) || id < 0 || id > maxId || !isToken(id)) {
      throw new ConfigError(`--eos-id ${id} is not a token id of ${path} (ids run 0..${maxId}); pass one the tokenizer has`);
    }
    return id;
  }
  if (ids.eosId === null && opts.requireEos !== false) {
    throw new ConfigError(
      `${path}: cannot tell which token ends a document (no eos_token in a tokenizer_config.json beside it, ` +
        `and no single well-known end-of-text token); pass --eos-id N, or --no-eos`,
    );
  }
  return ids.eosId;
}
