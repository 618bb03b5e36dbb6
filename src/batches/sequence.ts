/**
 * One training row of a fixed-length cache: the token sequence of a sample row (a text, or a
 * source and target joined by a separator), truncated to T and padded; attention_mask marks the
 * real tokens; labels[t] is the token at t + 1, or -100 where there is none (the last real token
 * and the padding) and, with loss on the target only, where that next token belongs to the source
 * (source tokens and the separator).
 */
export const IGNORE = -100;

export interface SequenceSettings {
  maxLen: number;
  padId: number;
  bosId: number | null;
  eosId: number | null;
  sepId: number | null;
  lossOn: "all" | "target";
}

export interface Row {
  ids: Int32Array;
  mask: Uint8Array;
  labels: Int32Array;
  /** Real tokens (<= maxLen). */
  length: number;
  truncated: boolean;
}

/** Builds the row from the encoded source (or text) and, for pairs, the encoded target. */
export function buildRow(first: ArrayLike<number>, second: ArrayLike<number> | null, s: SequenceSettings): Row {
  const seq: number[] = [];
  if (s.bosId !== null) seq.push(s.bosId);
  for (let i = 0; i < first.length; i++) seq.push(first[i]!);
  if (second !== null) {
    if (s.sepId !== null) seq.push(s.sepId);
  }
  // Positions before this one hold the source; labels predicting them are masked with --loss-on target.
  const targetFrom = second === null ? 0 : seq.length;
  if (second !== null) for (let i = 0; i < second.length; i++) seq.push(second[i]!);
  if (s.eosId !== null) seq.push(s.eosId);
  const T = s.maxLen;
  const length = Math.min(seq.length, T);
  const ids = new Int32Array(T).fill(s.padId);
  const mask = new Uint8Array(T);
  const labels = new Int32Array(T).fill(IGNORE);
  for (let t = 0; t < length; t++) {
    ids[t] = seq[t]!;
    mask[t] = 1;
  }
  for (let t = 0; t + 1 < length; t++) {
    if (s.lossOn === "target" && t + 1 < targetFrom) continue;
    labels[t] = seq[t + 1]!;
  }
  return { ids, mask, labels, length, truncated: seq.length > T };
}
