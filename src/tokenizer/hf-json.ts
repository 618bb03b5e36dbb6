/**
 * Reading a Hugging Face tokenizer.json: decides whether gamma's byte-level BPE can run it
 * exactly (and builds its tables), or why not, in which case @huggingface/tokenizers does.
 */
import { buildMergeTable, tokensWithBytes, type BpeData } from "./bpe-data.ts";
import { byteLevelDecode, byteLevelDecodeInto } from "./byte-level.ts";
import { GPT2_PATTERN, scannerFor } from "./pretokenize.ts";
import { lookupToken } from "./token-table.ts";

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

type Json = any; // parsed tokenizer.json / tokenizer_config.json

export function addedTokens(json: Json): AddedToken[] {
  const list = Array.isArray(json.added_tokens) ? json.added_tokens : [];
  return list.map((t: Json) => ({ id: Number(t.id), content: String(t.content), special: t.special === true }));
}

/** Every id the tokenizer can emit or name: model vocab plus added tokens. */
export function vocabIds(json: Json): { vocabSize: number; maxId: number; byContent: Map<string, number> } {
  const byContent = new Map<string, number>();
  const ids = new Set<number>();
  const vocab = json.model?.vocab;
  if (Array.isArray(vocab)) {
    // Unigram: [[piece, score], ...], id = position
    vocab.forEach((entry: Json, id: number) => {
      byContent.set(String(entry[0]), id);
      ids.add(id);
    });
  } else if (vocab && typeof vocab === "object") {
    for (const [k, v] of Object.entries(vocab)) {
      byContent.set(k, Number(v));
      ids.add(Number(v));
    }
  }
  for (const t of addedTokens(json)) {
    byContent.set(t.content, t.id);
    ids.add(t.id);
  }
  let maxId = -1;
  for (const id of ids) if (id > maxId) maxId = id;
  return { vocabSize: ids.size, maxId, byContent };
}

/** The pre-tokenizer regex of a byte-level BPE tokenizer.json, or a reason it has none we can run. */
function byteLevelPattern(pre: Json): { pattern: string } | { reason: string } {
  if (!pre) return { reason: "it has no pre_tokenizer" };
  if (pre.type === "ByteLevel") {
    if (pre.add_prefix_space) return { reason: "its ByteLevel pre-tokenizer adds a prefix space" };
    if (pre.use_regex === false) return { reason: "its ByteLevel pre-tokenizer does not split" };
    return { pattern: GPT2_PATTERN };
  }
  if (pre.type !== "Sequence" || !Array.isArray(pre.pretokenizers) || pre.pretokenizers.length !== 2) {
    return { reason: `its pre_tokenizer is ${pre.type}, not Split + ByteLevel` };
  }
  const [split, bl] = pre.pretokenizers;
  if (split.type !== "Split" || typeof split.pattern?.Regex !== "string" || split.behavior !== "Isolated" || split.invert) {
    return { reason: "its first pre-tokenizer is not an isolating Split on a regex" };
  }
  if (bl.type !== "ByteLevel" || bl.add_prefix_space || bl.use_regex) {
    return { reason: "its second pre-tokenizer is not a plain ByteLevel" };
  }
  return { pattern: split.pattern.Regex };
}

/** Builds gamma's tables for a byte-level BPE tokenizer.json; returns a reason string when it cannot. */
export function bpeFromTokenizerJson(json: Json): BpeData | string {
  const model = json.model;
  if (model?.type !== "BPE") return `its model is ${model?.type ?? "missing"}, not BPE`;
  if (json.normalizer) return `it has a normalizer (${json.normalizer.type})`;
  if (model.dropout) return "its BPE uses dropout";
  if (model.continuing_subword_prefix || model.end_of_word_suffix) return "its BPE uses subword prefixes/suffixes";
  if (model.byte_fallback) return "its BPE uses byte fallback (SentencePiece style)";
  if (json.decoder && json.decoder.type !== "ByteLevel") return `its decoder is ${json.decoder.type}, not ByteLevel`;
  const pat = byteLevelPattern(json.pre_tokenizer);
  if ("reason" in pat) return pat.reason;
  if (scannerFor(pat.pattern) === null) return "its Split regex does not compile as a JavaScript regex";
  const added = addedTokens(json);
  if (added.some((t) => !t.special)) return "it has non-special added tokens, which split the text";

  const keys: Uint8Array[] = [];
  const ids: number[] = [];
  for (const [tok, id] of Object.entries(model.vocab as Record<string, number>)) {
    const bytes = byteLevelDecode(tok);
    if (bytes === null) return `its vocab entry ${JSON.stringify(tok)} is not byte-level`;
    keys.push(bytes);
    ids.push(Number(id));
  }
  let built;
  try {
    built = tokensWithBytes(keys, ids);
  } catch (e) {
    return (e as Error).message;
  }
  // Merge parts and results are looked up by their bytes (typed-array hashing, no strings built).
  const left: number[] = [];
  const right: number[] = [];
  const result: number[] = [];
  const pair = new Uint8Array(4096);
  for (const m of model.merges as (string | [string, string])[]) {
    let a: string, b: string;
    if (Array.isArray(m)) [a, b] = m;
    else {
      const sp = m.indexOf(" ", 1);
      a = m.slice(0, sp);
      b = m.slice(sp + 1);
    }
    const la = byteLevelDecodeInto(a, pair, 0);
    const lb = la < 0 ? -1 : byteLevelDecodeInto(b, pair, la);
    const ia = la < 0 ? -1 : lookupToken(built.tokens, pair, 0, la);
    const ib = lb < 0 ? -1 : lookupToken(built.tokens, pair, la, la + lb);
    const ir = ia < 0 || ib < 0 ? -1 : lookupToken(built.tokens, pair, 0, la + lb);
    if (ir < 0) return `its merge ${JSON.stringify(m)} is not in the vocab`;
    left.push(ia);
    right.push(ib);
    result.push(ir);
  }
  const enc = new TextEncoder();
  const vocab = model.vocab as Record<string, number>;
  const extra = added.filter((t) => !Object.hasOwn(vocab, t.content) || Number(vocab[t.content]) !== t.id);
  return {
    mode: "merges",
    pattern: pat.pattern,
    tokens: built.tokens,
    byteIds: built.byteIds,
    wholeFirst: model.ignore_merges === true,
    merges: buildMergeTable(left, right, result),
    extraIds: Uint32Array.from(extra.map((t) => t.id)),
    extraBytes: extra.map((t) => enc.encode(t.content)),
  };
}
