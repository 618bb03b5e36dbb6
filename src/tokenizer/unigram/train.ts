/**
 * SentencePiece's Unigram trainer: normalize the sentences, keep the characters that make up
 * `characterCoverage` of the text (the rest become unknown), seed the vocabulary with every
 * kept character and the most frequent substrings (score: frequency x length), then alternate
 * EM (expected piece counts over each word's lattice; a Bayesian M step, digamma(count) -
 * digamma(total), dropping pieces expected less than half a time) with pruning (each piece's
 * loss in likelihood if its occurrences were split into its second-best segmentation; the
 * least useful 25 % go) until the vocabulary is within 10 % of the target, and keep the best
 * scores. Single-threaded and iteration-order fixed, so the result depends on the input only.
 */
import { ConfigError, InputError } from "../../errors.ts";
import {
  defaultNormalizerSpec,
  defaultTrainerSpec,
  type ModelProto,
  type NormalizerSpec,
  type Piece,
  PieceType,
} from "../spm/model-proto.ts";
import { buildEdges, compactEdges, type Edges, expectWord, LatticeScratch, viterbi } from "./lattice.ts";
import { normalizerSpecFor } from "./normalization.ts";
import { PieceCheck, UNK_CHAR } from "./piece-rules.ts";
import { type CpWords, countSubstrings, MAX_WORD_CHARS, type Occurrences, type SubstringTrie } from "./substrings.ts";
import { WordCounter } from "./words.ts";

export type Normalization = "nmt_nfkc" | "nfkc" | "identity";

export interface UnigramSettings {
  vocabSize: number;
  characterCoverage?: number;
  byteFallback?: boolean;
  normalization?: Normalization;
  splitDigits?: boolean;
  /** Pieces always kept whole (SentencePiece's user_defined_symbols). */
  userDefinedSymbols?: string[];
  maxSentencepieceLength?: number;
  seedSentencepieceSize?: number;
  shrinkingFactor?: number;
  numSubIterations?: number;
  maxSentenceLength?: number;
  addDummyPrefix?: boolean;
  removeExtraWhitespaces?: boolean;
  /** Called with a line of progress now and then. */
  log?: (line: string) => void;
}

export interface UnigramResult {
  model: ModelProto;
  stats: { sentences: number; skippedLongSentences: number; words: number; characters: number; seedPieces: number; emRounds: number };
}

const EXPECTED_FREQUENCY_THRESHOLD = 0.5;

function digamma(x: number): number {
  let result = 0;
  for (; x < 7; ++x) result -= 1 / x;
  x -= 0.5;
  const xx = 1 / x;
  const xx2 = xx * xx;
  const xx4 = xx2 * xx2;
  return result + Math.log(x) + xx2 / 24 - (7 / 960) * xx4 + (31 / 8064) * xx4 * xx2 - (127 / 30720) * xx4 * xx4;
}

/** [index, score] pairs by score descending, then index ascending. */
function byScore(ids: number[], score: (i: number) => number): number[] {
  return ids.slice().sort((a, b) => score(b) - score(a) || a - b);
}

export async function trainUnigram(texts: AsyncIterable<string> | Iterable<string>, settings: UnigramSettings): Promise<UnigramResult> {
  const t = defaultTrainerSpec();
  t.vocabSize = settings.vocabSize;
  t.characterCoverage = settings.characterCoverage ?? t.characterCoverage;
  t.byteFallback = settings.byteFallback ?? false;
  t.splitDigits = settings.splitDigits ?? false;
  t.userDefinedSymbols = settings.userDefinedSymbols ?? [];
  t.maxSentencepieceLength = settings.maxSentencepieceLength ?? t.maxSentencepieceLength;
  t.seedSentencepieceSize = settings.seedSentencepieceSize ?? t.seedSentencepieceSize;
  t.shrinkingFactor = settings.shrinkingFactor ?? t.shrinkingFactor;
  t.numSubIterations = settings.numSubIterations ?? t.numSubIterations;
  t.maxSentenceLength = settings.maxSentenceLength ?? t.maxSentenceLength;
  t.numThreads = 1;
  const norm: NormalizerSpec = {
    ...defaultNormalizerSpec(),
    ...normalizerSpecFor(settings.normalization ?? "nmt_nfkc"),
    addDummyPrefix: settings.addDummyPrefix ?? true,
    removeExtraWhitespaces: settings.removeExtraWhitespaces ?? true,
  };
  const log = settings.log ?? (() => {});

  if (!Number.isInteger(t.vocabSize) || t.vocabSize < 1)
    throw new ConfigError(`--vocab-size must be a positive integer, got ${settings.vocabSize}`);
  if (!(t.characterCoverage > 0 && t.characterCoverage <= 1))
    throw new ConfigError(`--character-coverage must be in (0, 1], got ${t.characterCoverage}`);
  if (!Number.isInteger(t.maxSentencepieceLength) || t.maxSentencepieceLength < 1 || t.maxSentencepieceLength > 512) {
    throw new ConfigError(`--max-sentencepiece-length must be an integer in 1..512, got ${t.maxSentencepieceLength}`);
  }
  const meta = metaPieces(t);
  if (meta.length >= t.vocabSize)
    throw new ConfigError(`--vocab-size ${t.vocabSize} leaves no room after ${meta.length} special and byte pieces`);

  // 1. Sentences -> distinct words.
  const counter = new WordCounter(
    norm,
    t.maxSentenceLength,
    meta.map((m) => m.piece),
    t.treatWhitespaceAsSuffix,
  );
  for await (const text of texts as AsyncIterable<string>) counter.add(text);
  const wc = counter.result();
  if (wc.sentences === 0) throw new InputError(`no training sentences: every line is empty or longer than ${t.maxSentenceLength} bytes`);
  log(`${wc.sentences} sentences, ${wc.words.length} distinct words`);

  // 2. Character coverage.
  const charCount = new Map<number, number>();
  let allChars = 0;
  for (let w = 0; w < wc.words.length; w++) {
    const cnt = wc.counts[w];
    for (const ch of wc.words[w]) {
      const c = ch.codePointAt(0)!;
      charCount.set(c, (charCount.get(c) ?? 0) + cnt);
      allChars += cnt;
    }
  }
  const required = new Map<number, number>();
  let acc = 0;
  for (const c of byScore([...charCount.keys()], (c) => charCount.get(c)!)) {
    if (acc / allChars >= t.characterCoverage) break;
    acc += charCount.get(c)!;
    if (c === 0x09) continue;
    required.set(c, charCount.get(c)!);
  }
  if (required.size + meta.length > t.vocabSize) {
    throw new ConfigError(
      `--vocab-size ${t.vocabSize} is smaller than the ${required.size} required characters plus ${meta.length} special pieces; raise it or lower --character-coverage`,
    );
  }
  const words = toCodePoints(wc.words, wc.counts, wc.lastCounts, required);

  // 3. Seed pieces.
  const check = new PieceCheck({
    maxLength: t.maxSentencepieceLength,
    splitByUnicodeScript: t.splitByUnicodeScript,
    splitByNumber: t.splitByNumber,
    splitDigits: t.splitDigits,
    treatWhitespaceAsSuffix: t.treatWhitespaceAsSuffix,
  });
  const counted: { trie: SubstringTrie; occ: Occurrences | null } = countSubstrings(words, check);
  const trie = counted.trie;
  const seedNodes = seedPieces(trie, t.seedSentencepieceSize);
  const seedOf = new Int32Array(trie.size).fill(-1);
  seedNodes.forEach((node, i) => (seedOf[node] = i));
  const nSeeds = seedNodes.length;
  const score = new Float64Array(nSeeds);
  let total = 0;
  for (let i = 0; i < nSeeds; i++) {
    const node = seedNodes[i];
    const d = trie.depth[node];
    score[i] = d === 1 ? trie.freq[node] : trie.freq[node] * d;
    total += score[i];
  }
  const logTotal = Math.log(total);
  for (let i = 0; i < nSeeds; i++) score[i] = Math.log(score[i]) - logTotal;
  log(`${nSeeds} seed pieces`);

  // 4. EM and pruning.
  let edges = buildEdges(counted.occ!, seedOf);
  counted.occ = null; // the largest buffers of training; the edges are all that is needed now
  let order = Array.from({ length: nSeeds }, (_, i) => i);
  const desired = Math.floor(t.vocabSize * 1.1);
  const scratch = new LatticeScratch();
  const nWords = words.counts.length;
  const lengthOf = (w: number) => words.start[w + 1] - words.start[w];
  let rounds = 0;
  for (;;) {
    for (let iter = 0; iter < t.numSubIterations; iter++) {
      const unk = minScore(order, score) - 10;
      const expected = new Float64Array(nSeeds);
      let objective = 0;
      for (let w = 0; w < nWords; w++) objective -= expectWord(edges, w, lengthOf(w), words.counts[w], score, unk, expected, scratch);
      // M step (Bayesian: digamma instead of log).
      const kept: number[] = [];
      let sum = 0;
      for (const i of order) {
        if (expected[i] < EXPECTED_FREQUENCY_THRESHOLD) {
          score[i] = Number.NEGATIVE_INFINITY;
          continue;
        }
        kept.push(i);
        sum += expected[i];
      }
      const logSum = digamma(sum);
      for (const i of kept) score[i] = digamma(expected[i]) - logSum;
      order = kept;
      log(`EM round ${rounds} step ${iter}: ${order.length} pieces, objective ${(objective / wc.sentences).toFixed(4)}`);
    }
    rounds++;
    if (order.length <= desired) break;
    order = prune(order, score, trie, seedNodes, seedOf, edges, words, wc.sentences, desired, t.shrinkingFactor, scratch);
    edges = compactEdges(edges, score);
  }

  // 5. Final pieces: every required character, then the best scores.
  const final = finalPieces(order, score, trie, seedNodes, required, t.vocabSize - meta.length);
  const pieces = layout(meta, final, t.vocabSize);
  t.vocabSize = pieces.length;
  return {
    model: { pieces, trainerSpec: t, normalizerSpec: norm, denormalizerSpec: null },
    stats: {
      sentences: wc.sentences,
      skippedLongSentences: wc.skippedLong,
      words: wc.words.length,
      characters: required.size,
      seedPieces: nSeeds,
      emRounds: rounds,
    },
  };
}

function minScore(order: number[], score: Float64Array): number {
  let m = Number.POSITIVE_INFINITY;
  for (const i of order) if (score[i] < m) m = score[i];
  return m;
}

function toCodePoints(ws: string[], counts: number[], lastCounts: number[], required: Map<number, number>): CpWords {
  // Words that differ only in uncovered characters merge once those become U+2585.
  const merged = new Map<string, number>();
  const keys: number[][] = [];
  const cnt: number[] = [];
  const last: number[] = [];
  for (let w = 0; w < ws.length; w++) {
    if (ws[w].length > MAX_WORD_CHARS) continue;
    const cps: number[] = [];
    for (const ch of ws[w]) {
      const c = ch.codePointAt(0)!;
      cps.push(required.has(c) ? c : UNK_CHAR);
    }
    const key = String.fromCodePoint(...cps);
    let i = merged.get(key);
    if (i === undefined) {
      i = keys.length;
      merged.set(key, i);
      keys.push(cps);
      cnt.push(0);
      last.push(0);
    }
    cnt[i] += counts[w];
    last[i] += lastCounts[w];
  }
  let n = 0;
  for (const k of keys) n += k.length;
  const cps = new Int32Array(n);
  const start = new Int32Array(keys.length + 1);
  let p = 0;
  keys.forEach((k, i) => {
    cps.set(k, p);
    p += k.length;
    start[i + 1] = p;
  });
  return { cps, start, counts: Float64Array.from(cnt), lastCounts: Float64Array.from(last) };
}

/** Trie nodes of the seed pieces: all characters by count, then frequent substrings by frequency x length. */
function seedPieces(trie: SubstringTrie, seedSize: number): number[] {
  const chars: number[] = [];
  const subs: number[] = [];
  for (let n = 1; n < trie.size; n++) {
    const d = trie.depth[n];
    if (d === 1) {
      if (trie.ch[n] !== UNK_CHAR) chars.push(n);
    } else if (trie.freq[n] >= 2 && trie.isBranching(n)) subs.push(n);
  }
  const seeds = chars.sort((a, b) => trie.freq[b] - trie.freq[a] || trie.ch[a] - trie.ch[b]);
  subs.sort((a, b) => trie.freq[b] * trie.depth[b] - trie.freq[a] * trie.depth[a] || a - b);
  for (const n of subs) {
    if (seeds.length >= seedSize) break;
    seeds.push(n);
  }
  return seeds;
}

/** Reused buffers for the lattice of one piece's own text. */
class PieceLattice {
  cps = new Int32Array(64);
  from = new Uint16Array(1024);
  to = new Uint16Array(1024);
  piece = new Int32Array(1024);
  len = 0;
  whole = -1;
  count = 0;

  /** Live pieces occurring in the text of trie node `node`, as lattice edges sorted by start. */
  build(trie: SubstringTrie, node: number, seedOf: Int32Array, score: Float64Array): Edges {
    const d = trie.depth[node];
    if (this.cps.length < d) this.cps = new Int32Array(d * 2);
    for (let n = node, k = d - 1; n > 0; n = trie.parent[n], k--) this.cps[k] = trie.ch[n];
    const need = (d * (d + 1)) / 2;
    if (this.from.length < need) {
      this.from = new Uint16Array(need);
      this.to = new Uint16Array(need);
      this.piece = new Int32Array(need);
    }
    let m = 0;
    this.whole = -1;
    for (let i = 0; i < d; i++) {
      let n = 0;
      for (let j = i; j < d; j++) {
        n = trie.child(n, this.cps[j]);
        if (n < 0) break;
        const s = seedOf[n];
        if (s < 0 || score[s] === Number.NEGATIVE_INFINITY) continue;
        if (i === 0 && j === d - 1) this.whole = m;
        this.from[m] = i;
        this.to[m] = j + 1;
        this.piece[m] = s;
        m++;
      }
    }
    this.len = d;
    this.count = m;
    return { offset: Int32Array.of(0, m), from: this.from, to: this.to, piece: this.piece };
  }
}

function prune(
  order: number[],
  score: Float64Array,
  trie: SubstringTrie,
  seedNodes: number[],
  seedOf: Int32Array,
  edges: Edges,
  words: CpWords,
  sentences: number,
  desired: number,
  shrinking: number,
  scratch: LatticeScratch,
): number[] {
  const unk = minScore(order, score) - 10;
  const n = score.length;
  // Each piece's second-best segmentation of its own text (or: it is not its own best).
  const alwaysKeep = new Uint8Array(n).fill(1);
  const alternatives = new Map<number, number[]>();
  const pl = new PieceLattice();
  let bestLen = 0;
  const countBest = () => bestLen++;
  for (const i of order) {
    if (trie.depth[seedNodes[i]] === 1) continue; // a character has no other segmentation
    const e = pl.build(trie, seedNodes[i], seedOf, score);
    bestLen = 0;
    viterbi(e, 0, pl.count, pl.len, score, unk, scratch, -1, countBest);
    if (bestLen >= 2 || pl.whole < 0) {
      alwaysKeep[i] = 0;
      continue;
    }
    const alt: number[] = [];
    viterbi(e, 0, pl.count, pl.len, score, unk, scratch, pl.whole, (p) => alt.push(p));
    alternatives.set(i, alt);
  }
  // Viterbi counts over the corpus.
  const freq = new Float64Array(n);
  const nWords = words.counts.length;
  for (let w = 0; w < nWords; w++) {
    const cnt = words.counts[w];
    viterbi(edges, edges.offset[w], edges.offset[w + 1], words.start[w + 1] - words.start[w], score, unk, scratch, -1, (p) => {
      if (p >= 0) freq[p] += cnt;
    });
  }
  let sum = 0;
  for (const i of order) sum += freq[i];
  const logSum = Math.log(sum);
  const kept: number[] = [];
  const candidates: number[] = [];
  const loss = new Float64Array(n);
  for (const i of order) {
    if (freq[i] === 0 || !alwaysKeep[i]) continue;
    const alt = alternatives.get(i);
    if (alt === undefined) {
      kept.push(i);
      continue;
    }
    const f = freq[i] / sentences;
    const logProbSp = Math.log(freq[i]) - logSum;
    // SentencePiece's trainer spreads freq[i] over (number of pieces - 1) here; kept for parity of results.
    const logSumAlt = Math.log(sum + freq[i] * (order.length - 1));
    let logProbAlt = 0;
    for (const a of alt) logProbAlt += Math.log((a >= 0 ? freq[a] : 0) + freq[i]) - logSumAlt;
    loss[i] = f * (logProbSp - logProbAlt);
    candidates.push(i);
  }
  const prunedSize = Math.max(desired, Math.trunc(shrinking * order.length));
  for (const i of byScore(candidates, (i) => loss[i])) {
    if (kept.length >= prunedSize) break;
    kept.push(i);
  }
  const alive = new Uint8Array(n);
  for (const i of kept) alive[i] = 1;
  for (const i of order) if (!alive[i]) score[i] = Number.NEGATIVE_INFINITY;
  return kept;
}

function finalPieces(
  order: number[],
  score: Float64Array,
  trie: SubstringTrie,
  seedNodes: number[],
  required: Map<number, number>,
  room: number,
): { piece: string; score: number }[] {
  const min = minScore(order, score);
  const final = new Map<string, number>();
  const current = new Map<string, number>();
  for (const i of order) current.set(trie.text(seedNodes[i]), score[i]);
  let penalty = 0;
  for (const c of byScore([...required.keys()], (c) => required.get(c)!)) {
    const s = String.fromCodePoint(c);
    const have = current.get(s);
    if (have !== undefined) final.set(s, have);
    else {
      // characters the model lost get the lowest score, the rarer the lower
      final.set(s, Math.fround(min + penalty));
      penalty += 0.0001;
    }
  }
  const rest = [...current.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [p, s] of rest) {
    if (final.has(p)) continue;
    if (final.size >= room) break;
    final.set(p, s);
  }
  return [...final.entries()]
    .map(([piece, score]) => ({ piece, score: Math.fround(score) }))
    .sort((a, b) => b.score - a.score || (a.piece < b.piece ? -1 : a.piece > b.piece ? 1 : 0));
}

interface Meta {
  id: number;
  piece: string;
  type: number;
}

/** unk, bos, eos (and pad) at their ids, then user-defined symbols and the 256 byte pieces in the free ids. */
function metaPieces(t: ReturnType<typeof defaultTrainerSpec>): Meta[] {
  const byId = new Map<number, Meta>();
  const put = (id: number, piece: string, type: number) => {
    if (id < 0) return;
    if (byId.has(id)) throw new ConfigError(`two special pieces have id ${id}`);
    byId.set(id, { id, piece, type });
  };
  put(t.unkId, t.unkPiece, PieceType.UNKNOWN);
  put(t.bosId, t.bosPiece, PieceType.CONTROL);
  put(t.eosId, t.eosPiece, PieceType.CONTROL);
  put(t.padId, t.padPiece, PieceType.CONTROL);
  const seen = new Set([...byId.values()].map((m) => m.piece));
  let id = 0;
  const append = (piece: string, type: number) => {
    if (seen.has(piece)) throw new ConfigError(`special token ${JSON.stringify(piece)} is given twice (or is one of <unk>, <s>, </s>)`);
    seen.add(piece);
    while (byId.has(id)) id++;
    byId.set(id, { id, piece, type });
  };
  for (const s of t.controlSymbols) append(s, PieceType.CONTROL);
  for (const s of t.userDefinedSymbols) append(s, PieceType.USER_DEFINED);
  if (t.byteFallback) for (let b = 0; b < 256; b++) append(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`, PieceType.BYTE);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

function layout(meta: Meta[], final: { piece: string; score: number }[], vocabSize: number): Piece[] {
  const byId = new Map(meta.map((m) => [m.id, m]));
  const pieces: Piece[] = [];
  let f = 0;
  for (let id = 0; id < vocabSize; id++) {
    const m = byId.get(id);
    if (m !== undefined) pieces.push({ piece: m.piece, score: 0, type: m.type });
    else if (f < final.length) pieces.push({ piece: final[f].piece, score: final[f++].score, type: PieceType.NORMAL });
  }
  return pieces;
}
