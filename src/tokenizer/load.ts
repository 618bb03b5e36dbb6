/**
 * loadTokenizer: resolve, read, pin-check and build a tokenizer from a tokenizer.json, a
 * tiktoken rank file or a SentencePiece `.model`, choosing gamma's byte-level BPE whenever it is
 * exact for the file and gamma's Unigram encoder for SentencePiece models.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError } from "../errors.ts";
import { sha256Hex } from "../io/hash.ts";
import { checkPin, readTokenizerFile } from "./checksum.ts";
import { buildEncoder, type Encoder, type EncoderSpec } from "./encoder-spec.ts";
import { addedTokens, bpeFromTokenizerJson, vocabIds } from "./hf-json.ts";
import { knownByName, knownBySha256, KNOWN_ENCODINGS, type KnownEncoding } from "./known-encodings.ts";
import { patternKind } from "./pretokenize.ts";
import { fileStem, resolveTokenizer } from "./resolve.ts";
import { sentencePieceParts } from "./spm/load-model.ts";
import { checkEos, specialsFromHfConfig, type SpecialIds } from "./special-tokens.ts";
import { bpeFromRanks, parseRankFile } from "./tiktoken-file.ts";
import type { SpmSettings, Tokenizer } from "./types.ts";

export interface LoadOptions {
  /** Overrides the configured EOS; must be an id the tokenizer has. */
  eosId?: number;
  /** Refuse the file unless its sha256 is this. */
  expectedSha256?: string;
  /** Default true: refuse a tokenizer whose EOS cannot be determined (unless eosId is given). */
  requireEos?: boolean;
  /** Directories searched for a bare name; default: GAMMA_TOKENIZER_DIR. */
  searchDirs?: string[];
}

const specs = new WeakMap<Tokenizer, EncoderSpec>();

/** How to rebuild this tokenizer's encoder in another thread (used by the encode pool). */
export function encoderSpecOf(tok: Tokenizer): EncoderSpec {
  const spec = specs.get(tok);
  if (spec === undefined) throw new Error("not a tokenizer made by loadTokenizer");
  return spec;
}

export interface Parts {
  path: string;
  sha256: string;
  kind: Tokenizer["kind"];
  spec: EncoderSpec;
  ids: SpecialIds;
  vocabSize: number;
  maxId: number;
  isToken: (id: number) => boolean;
  /** Token text -> id for tokens named as a whole (special/added tokens, vocabulary entries). */
  named: (content: string) => number | undefined;
  note: string;
  spm?: SpmSettings;
  /** The encoder, when building it was the way to check the file. */
  built?: Encoder;
}

function assemble(p: Parts, opts: LoadOptions): Tokenizer {
  const eosId = checkEos(p.ids, opts, p.maxId, p.isToken, p.path);
  const eosNote =
    opts.eosId !== undefined ? `eos ${eosId} from --eos-id` : eosId === null ? "no eos" : `eos ${eosId} from ${p.ids.eosSource}`;
  let impl: Encoder | null = p.built ?? null;
  const encoder = () => (impl ??= buildEncoder(p.spec));
  const tok: Tokenizer = {
    path: p.path,
    sha256: p.sha256,
    kind: p.kind,
    encoder: p.spec.encoder,
    eosId,
    bosId: p.ids.bosId,
    vocabSize: p.vocabSize,
    maxId: p.maxId,
    note: `${p.note}; ${eosNote}`,
    spm: p.spm ?? null,
    tokenId: (content) => p.named(content) ?? null,
    encode: (text) => encoder().encode(text),
    decode: (ids) => encoder().decode(ids),
  };
  specs.set(tok, p.spec);
  return tok;
}

export async function loadTokenizer(pathOrName: string, opts: LoadOptions = {}): Promise<Tokenizer> {
  const { path, encodingName } = resolveTokenizer(pathOrName, opts.searchDirs);
  const bytes = await readTokenizerFile(path);
  const sha256 = sha256Hex(bytes);
  checkPin(path, sha256, opts.expectedSha256);
  // A ModelProto starts with its first piece: field 1, length-delimited (byte 0x0a).
  const looksLikeModel =
    bytes[0] === 0x0a && !/\.(json|tiktoken)$/.test(path) && bytes.length > 8 && bytes[bytes[1] < 0x80 ? 2 : 3] === 0x0a;
  if (path.endsWith(".model") || looksLikeModel) return assemble(sentencePieceParts(path, sha256, bytes), opts);
  const text = new TextDecoder().decode(bytes);
  const isJson = path.endsWith(".json") || (!path.endsWith(".tiktoken") && text.trimStart().startsWith("{"));
  const parts = isJson ? fromTokenizerJson(path, sha256, text) : fromTiktoken(path, sha256, text, encodingName);
  return assemble(parts, opts);
}

function chooseEncoding(path: string, sha256: string, encodingName: string | null): KnownEncoding {
  const stem = encodingName ?? fileStem(path);
  const byName = knownByName(stem);
  const byDigest = knownBySha256(sha256);
  if (byName && byDigest && byName.ranksSha256 !== sha256) {
    throw new ConfigError(
      `${path}: the name says ${byName.name} but the file is the official ${byDigest.name} rank file (sha256 ${sha256}); rename it or use the right file`,
    );
  }
  const enc = byName ?? byDigest;
  if (enc === undefined) {
    const names = KNOWN_ENCODINGS.map((k) => k.name).join(", ");
    throw new ConfigError(
      `${path}: not a known tiktoken rank file (sha256 ${sha256}), so its pre-tokenizer regex and special tokens are unknown; ` +
        `name it after its encoding (${names}).tiktoken`,
    );
  }
  return enc;
}

function fromTiktoken(path: string, sha256: string, text: string, encodingName: string | null): Parts {
  const enc = chooseEncoding(path, sha256, encodingName);
  const file = parseRankFile(text, path);
  const rankSet = new Set(file.ranks);
  let maxId = file.maxRank;
  for (const [s, id] of Object.entries(enc.specials)) {
    if (rankSet.has(id))
      throw new ConfigError(`${path}: special token ${s} (${id}) collides with a rank in the file; is this really ${enc.name}?`);
    if (id > maxId) maxId = id;
  }
  const specialIds = new Set(Object.values(enc.specials));
  const data = bpeFromRanks(file, enc, path);
  return {
    path,
    sha256,
    kind: "tiktoken",
    spec: { encoder: "gamma-bpe", data },
    ids: {
      eosId: enc.specials[enc.eos],
      bosId: enc.bos === null ? null : enc.specials[enc.bos],
      eosSource: `${enc.name} ${enc.eos}`,
    },
    vocabSize: maxId + 1,
    maxId,
    isToken: (id) => rankSet.has(id) || specialIds.has(id),
    named: (content) => (Object.hasOwn(enc.specials, content) ? enc.specials[content] : undefined),
    note: `gamma-bpe, ${enc.name} (${patternKind(enc.pattern)} pre-tokenizer, tiktoken ranks)`,
  };
}

function fromTokenizerJson(path: string, sha256: string, text: string): Parts {
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: not valid JSON (${(e as Error).message}); expected a Hugging Face tokenizer.json`, { cause: e });
  }
  if (!json || typeof json !== "object" || !json.model) {
    throw new ConfigError(`${path}: has no "model"; expected a Hugging Face tokenizer.json`);
  }
  const configPath = join(dirname(path), "tokenizer_config.json");
  let config = null;
  if (existsSync(configPath)) {
    try {
      config = JSON.parse(readFileSync(configPath, "utf8"));
    } catch (e) {
      throw new ConfigError(`${configPath}: not valid JSON (${(e as Error).message})`, { cause: e });
    }
  }
  const { vocabSize, maxId, byContent } = vocabIds(json);
  const specialContents = addedTokens(json)
    .filter((t) => t.special)
    .map((t) => t.content);
  const ids = specialsFromHfConfig(byContent, specialContents, config, configPath);
  const allIds = new Set(byContent.values());
  const fast = bpeFromTokenizerJson(json);
  const spec: EncoderSpec =
    typeof fast === "string" ? { encoder: "hf-tokenizers", jsonText: text, config } : { encoder: "gamma-bpe", data: fast };
  const note =
    typeof fast === "string"
      ? `hf-tokenizers, because ${fast}`
      : `gamma-bpe, ${json.model.type} (${patternKind(fast.pattern)} pre-tokenizer, tokenizer.json merges)`;
  return {
    path,
    sha256,
    kind: "tokenizer.json",
    spec,
    ids,
    vocabSize,
    maxId,
    isToken: (id) => allIds.has(id),
    named: (c) => byContent.get(c),
    note,
  };
}
