/**
 * The word lattices of Unigram training. Each distinct word has the seed pieces that occur in
 * it as edges (start, end, seed id), sorted by start; dead pieces are skipped by their score
 * being -Infinity, and a position no live one-character piece covers gets an unknown edge
 * (score: the lowest live score - 10), as SentencePiece's lattice does.
 */
import type { Occurrences } from "./substrings.ts";

export interface Edges {
  /** Edges of word w are [offset[w], offset[w+1]). Positions are relative to the word. */
  offset: Int32Array;
  from: Uint16Array;
  to: Uint16Array;
  piece: Int32Array;
}

/** The occurrences of seed pieces (seedOf[node] >= 0) among all counted substrings. */
export function buildEdges(occ: Occurrences, seedOf: Int32Array): Edges {
  const n = occ.offset.length - 1;
  const offset = new Int32Array(n + 1);
  let total = 0;
  for (let k = 0; k < occ.node.length; k++) if (seedOf[occ.node[k]] >= 0) total++;
  const from = new Uint16Array(total);
  const to = new Uint16Array(total);
  const piece = new Int32Array(total);
  let m = 0;
  // occurrences are listed by start, then end: already the order the lattice passes need
  for (let w = 0; w < n; w++) {
    for (let k = occ.offset[w]; k < occ.offset[w + 1]; k++) {
      const s = seedOf[occ.node[k]];
      if (s < 0) continue;
      from[m] = occ.from[k];
      to[m] = occ.to[k];
      piece[m] = s;
      m++;
    }
    offset[w + 1] = m;
  }
  return { offset, from, to, piece };
}

/** Drops the edges of dead pieces (score -Infinity) in place, so later passes do not walk them. */
export function compactEdges(e: Edges, score: Float64Array): Edges {
  const n = e.offset.length - 1;
  const { offset, from, to, piece } = e;
  let m = 0;
  let k = 0;
  for (let w = 0; w < n; w++) {
    const end = offset[w + 1];
    for (; k < end; k++) {
      if (score[piece[k]] === Number.NEGATIVE_INFINITY) continue;
      from[m] = from[k];
      to[m] = to[k];
      piece[m] = piece[k];
      m++;
    }
    offset[w + 1] = m;
  }
  return { offset, from: from.subarray(0, m), to: to.subarray(0, m), piece: piece.subarray(0, m) };
}

const MINUS_LOG_EPSILON = 50;

function logSumExp(x: number, y: number): number {
  if (x === Number.NEGATIVE_INFINITY) return y;
  const vmin = Math.min(x, y);
  const vmax = Math.max(x, y);
  if (vmax > vmin + MINUS_LOG_EPSILON) return vmax;
  return vmax + Math.log(Math.exp(vmin - vmax) + 1);
}

/** Scratch buffers for one word at a time. */
export class LatticeScratch {
  alpha = new Float64Array(256);
  beta = new Float64Array(256);
  single = new Uint8Array(256);
  back = new Int32Array(256);
  backPiece = new Int32Array(256);

  fit(len: number): void {
    if (this.alpha.length > len + 1) return;
    const cap = (len + 1) * 2;
    this.alpha = new Float64Array(cap);
    this.beta = new Float64Array(cap);
    this.single = new Uint8Array(cap);
    this.back = new Int32Array(cap);
    this.backPiece = new Int32Array(cap);
  }
}

function markSingles(e: Edges, a: number, b: number, score: Float64Array, len: number, single: Uint8Array): void {
  for (let p = 0; p < len; p++) single[p] = 0;
  for (let k = a; k < b; k++) if (e.to[k] - e.from[k] === 1 && score[e.piece[k]] !== Number.NEGATIVE_INFINITY) single[e.from[k]] = 1;
}

/** Adds count x the expected frequency of each piece in word w; returns count x log Z. */
export function expectWord(
  e: Edges,
  w: number,
  len: number,
  count: number,
  score: Float64Array,
  unkScore: number,
  expected: Float64Array,
  s: LatticeScratch,
): number {
  s.fit(len);
  const a = e.offset[w];
  const b = e.offset[w + 1];
  const { alpha, beta, single } = s;
  const NEG = Number.NEGATIVE_INFINITY;
  markSingles(e, a, b, score, len, single);
  for (let p = 1; p <= len; p++) alpha[p] = NEG;
  alpha[0] = 0;
  let k = a;
  for (let p = 0; p < len; p++) {
    const ap = alpha[p];
    for (; k < b && e.from[k] === p; k++) {
      const sc = score[e.piece[k]];
      if (sc === NEG) continue;
      const t = e.to[k];
      alpha[t] = logSumExp(alpha[t], ap + sc);
    }
    if (single[p] === 0) alpha[p + 1] = logSumExp(alpha[p + 1], ap + unkScore);
  }
  for (let p = 0; p < len; p++) beta[p] = NEG;
  beta[len] = 0;
  k = b - 1;
  for (let p = len - 1; p >= 0; p--) {
    let bp = beta[p];
    for (; k >= a && e.from[k] === p; k--) {
      const sc = score[e.piece[k]];
      if (sc === NEG) continue;
      bp = logSumExp(bp, sc + beta[e.to[k]]);
    }
    if (single[p] === 0) bp = logSumExp(bp, unkScore + beta[p + 1]);
    beta[p] = bp;
  }
  const z = alpha[len];
  for (let q = a; q < b; q++) {
    const sc = score[e.piece[q]];
    if (sc === NEG) continue;
    expected[e.piece[q]] += count * Math.exp(alpha[e.from[q]] + sc + beta[e.to[q]] - z);
  }
  return count * z;
}

/**
 * The best segmentation of word w (edges [a, b)): calls visit(piece) for each piece on it,
 * -1 for an unknown character. `skip` excludes one edge (for a piece's second-best split).
 */
export function viterbi(
  e: Edges,
  a: number,
  b: number,
  len: number,
  score: Float64Array,
  unkScore: number,
  s: LatticeScratch,
  skip: number,
  visit: (piece: number) => void,
): number {
  s.fit(len);
  const { alpha, single, back, backPiece } = s;
  const NEG = Number.NEGATIVE_INFINITY;
  for (let p = 0; p < len; p++) single[p] = 0;
  for (let k = a; k < b; k++) if (k !== skip && e.to[k] - e.from[k] === 1 && score[e.piece[k]] !== NEG) single[e.from[k]] = 1;
  for (let p = 1; p <= len; p++) alpha[p] = NEG;
  alpha[0] = 0;
  let k = a;
  for (let p = 0; p < len; p++) {
    const ap = alpha[p];
    for (; k < b && e.from[k] === p; k++) {
      if (k === skip) continue;
      const sc = score[e.piece[k]];
      if (sc === NEG) continue;
      const t = e.to[k];
      if (ap + sc > alpha[t]) {
        alpha[t] = ap + sc;
        back[t] = p;
        backPiece[t] = e.piece[k];
      }
    }
    if (single[p] === 0 && ap + unkScore > alpha[p + 1]) {
      alpha[p + 1] = ap + unkScore;
      back[p + 1] = p;
      backPiece[p + 1] = -1;
    }
  }
  for (let p = len; p > 0; p = back[p]) visit(backPiece[p]);
  return alpha[len];
}
