/**
 * Everything gamma's byte-level BPE encoder needs, as plain typed arrays and strings so that
 * one copy built on the main thread can be posted to every worker.
 *
 * Two merge rules exist in the wild and both are kept exact:
 *  - "ranks" (tiktoken files): two adjacent parts merge when their concatenated bytes are a
 *    token; lower rank first. A token's id is its rank.
 *  - "merges" (tokenizer.json): two adjacent parts merge when the pair (left id, right id) is in
 *    the merges list; earlier merge first; the result is the vocab id of the concatenation.
 * In both, ties go to the leftmost pair.
 */
import { buildTokenTable, type TokenTableData } from "./token-table.ts";

export interface BpeData {
  mode: "ranks" | "merges";
  pattern: string; // pre-tokenizer regex (one of the known ones, or any JS-compilable regex)
  tokens: TokenTableData; // bytes -> id, every mergeable token
  byteIds: Int32Array; // id of each single byte
  wholeFirst: boolean; // look the whole pre-token up before merging (tiktoken; HF ignore_merges)
  merges: MergeTableData | null; // "merges" mode only
  extraIds: Uint32Array; // ids outside `tokens` that decode to text (added/special tokens)
  extraBytes: Uint8Array[]; // their UTF-8 bytes
}

export interface MergeTableData {
  left: Int32Array;
  right: Int32Array;
  result: Int32Array;
  slots: Int32Array; // open addressing: merge index (= its rank) or -1
}

export function hashPair(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 16;
  return Math.imul(h, 0x27d4eb2d) ^ (h >>> 13);
}

export function buildMergeTable(left: number[], right: number[], result: number[]): MergeTableData {
  const n = left.length;
  let size = 1;
  while (size < n * 2) size <<= 1;
  const slots = new Int32Array(size).fill(-1);
  const mask = size - 1;
  const t: MergeTableData = {
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    result: Int32Array.from(result),
    slots,
  };
  for (let q = 0; q < n; q++) {
    let s = hashPair(left[q], right[q]) & mask;
    let dup = false;
    while (slots[s] !== -1) {
      const o = slots[s];
      if (t.left[o] === left[q] && t.right[o] === right[q]) {
        dup = true; // HF keeps the first (lowest-rank) occurrence
        break;
      }
      s = (s + 1) & mask;
    }
    if (!dup) slots[s] = q;
  }
  return t;
}

/** Merge index (its rank) of the pair, or -1. */
export function lookupMerge(t: MergeTableData, a: number, b: number): number {
  const slots = t.slots;
  const mask = slots.length - 1;
  let s = hashPair(a, b) & mask;
  for (;;) {
    const q = slots[s];
    if (q === -1) return -1;
    if (t.left[q] === a && t.right[q] === b) return q;
    s = (s + 1) & mask;
  }
}

/** Table of every mergeable token plus the id of each single byte; throws if a byte is missing. */
export function tokensWithBytes(keys: Uint8Array[], ids: number[]): { tokens: TokenTableData; byteIds: Int32Array } {
  const tokens = buildTokenTable(keys, ids);
  const byteIds = new Int32Array(256).fill(-1);
  for (let k = 0; k < keys.length; k++) if (keys[k].length === 1) byteIds[keys[k][0]] = ids[k];
  const missing = byteIds.indexOf(-1);
  if (missing >= 0) throw new Error(`no token for the single byte 0x${missing.toString(16).padStart(2, "0")}`);
  return { tokens, byteIds };
}
