/**
 * Reading a tiktoken rank file: one `base64(token bytes) rank` per line.
 */
import { ConfigError } from "../errors.ts";
import { tokensWithBytes, type BpeData } from "./bpe-data.ts";
import type { KnownEncoding } from "./known-encodings.ts";

export interface RankFile {
  keys: Uint8Array[];
  ranks: number[];
  maxRank: number;
}

export function parseRankFile(text: string, path: string): RankFile {
  const keys: Uint8Array[] = [];
  const ranks: number[] = [];
  const seen = new Set<number>();
  let maxRank = -1;
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(pos, end).trimEnd();
    pos = end + 1;
    if (line.length === 0) continue;
    const sp = line.indexOf(" ");
    const rank = sp > 0 ? Number(line.slice(sp + 1)) : NaN;
    const b64 = line.slice(0, sp);
    if (!Number.isInteger(rank) || rank < 0 || rank >= 0x1000000 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
      throw new ConfigError(`${path}:${lineNo}: not a tiktoken rank line ("base64 rank"): ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (seen.has(rank)) throw new ConfigError(`${path}:${lineNo}: rank ${rank} appears twice; the rank file is corrupt`);
    seen.add(rank);
    keys.push(new Uint8Array(Buffer.from(b64, "base64")));
    ranks.push(rank);
    if (rank > maxRank) maxRank = rank;
  }
  if (keys.length === 0) throw new ConfigError(`${path}: the tiktoken rank file is empty`);
  return { keys, ranks, maxRank };
}

export function bpeFromRanks(file: RankFile, enc: KnownEncoding, path: string): BpeData {
  let built;
  try {
    built = tokensWithBytes(file.keys, file.ranks);
  } catch (e) {
    throw new ConfigError(`${path}: ${(e as Error).message}; is this a complete tiktoken rank file?`, { cause: e });
  }
  const enc8 = new TextEncoder();
  const specials = Object.entries(enc.specials);
  return {
    mode: "ranks",
    pattern: enc.pattern,
    tokens: built.tokens,
    byteIds: built.byteIds,
    wholeFirst: true,
    merges: null,
    extraIds: Uint32Array.from(specials.map(([, id]) => id)),
    extraBytes: specials.map(([s]) => enc8.encode(s)),
  };
}
