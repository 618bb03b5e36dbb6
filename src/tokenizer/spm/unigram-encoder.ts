/**
 * Encoding with a SentencePiece Unigram model, id for id as SentencePiece 0.1.9x encodes:
 * normalize (normalizer.ts), then the best path over the pieces that match at each character
 * (scores summed as SentencePiece does: float32 sums, compared in double), a character no
 * piece covers becomes <unk> (score: the lowest piece score - 10), user-defined pieces always
 * win, consecutive unknowns merge into one <unk>, and with byte_fallback an unknown is written
 * as its UTF-8 bytes' <0xNN> pieces. Buffers are reused across calls; no per-character objects.
 */
import { decodeModelProto, type ModelProto, PieceType } from "./model-proto.ts";
import { SpmNormalizer, utf8Length } from "./normalizer.ts";
import { PieceTrie } from "./piece-trie.ts";

const UNK_PENALTY = 10;
const FLT_MAX = 3.4028234663852886e38;
const FLT_MIN = 1.1754943508222875e-38;

export class SpmUnigram {
  readonly proto: ModelProto;
  private readonly trie: PieceTrie;
  private readonly normalizer: SpmNormalizer;
  private readonly scores: Float32Array;
  /** 1 normal, 2 user-defined, 3 unused (skipped by the search). */
  private readonly kind: Uint8Array;
  private readonly unkId: number;
  private readonly unkScore: number;
  private readonly maxScore: number;
  private readonly byteIds: Int32Array | null;
  private readonly pieceBytes: Uint8Array[];
  private readonly enc = new TextEncoder();
  private input = new Uint8Array(1 << 16);
  private best = new Float32Array(1 << 16);
  private startsAt = new Int32Array(1 << 16);
  private bestId = new Int32Array(1 << 16);
  /** The last encodeToScratch result is scratch[0..count). */
  scratch = new Uint32Array(1 << 14);

  constructor(model: Uint8Array | ModelProto) {
    const m = model instanceof Uint8Array ? decodeModelProto(model) : model;
    this.proto = m;
    const n = m.pieces.length;
    this.scores = new Float32Array(n);
    this.kind = new Uint8Array(n);
    const utf8 = new TextEncoder();
    this.pieceBytes = m.pieces.map((p) => utf8.encode(p.piece));
    let minScore = FLT_MAX;
    let maxScore = FLT_MIN;
    let unkId = -1;
    const inTrie: { bytes: Uint8Array; id: number }[] = [];
    const userDefined: string[] = [];
    const byteIds = new Int32Array(256).fill(-1);
    for (let i = 0; i < n; i++) {
      const p = m.pieces[i];
      if (p.piece === "") throw new Error(`piece ${i} is empty`);
      this.scores[i] = p.score;
      if (p.type === PieceType.NORMAL) {
        minScore = Math.min(minScore, Math.fround(p.score));
        maxScore = Math.max(maxScore, Math.fround(p.score));
      }
      if (p.type === PieceType.NORMAL || p.type === PieceType.USER_DEFINED || p.type === PieceType.UNUSED) {
        inTrie.push({ bytes: this.pieceBytes[i], id: i });
        this.kind[i] = p.type === PieceType.NORMAL ? 1 : p.type === PieceType.USER_DEFINED ? 2 : 3;
      }
      if (p.type === PieceType.USER_DEFINED) userDefined.push(p.piece);
      if (p.type === PieceType.UNKNOWN) {
        if (unkId >= 0) throw new Error("more than one unknown piece");
        unkId = i;
      }
      if (p.type === PieceType.BYTE) {
        const b = /^<0x([0-9A-Fa-f]{2})>$/.exec(p.piece);
        if (b === null) throw new Error(`byte piece ${JSON.stringify(p.piece)} (id ${i}) is not <0xNN>`);
        byteIds[parseInt(b[1], 16)] = i;
      }
    }
    if (unkId < 0) throw new Error("the model has no unknown piece");
    if (m.trainerSpec.byteFallback && byteIds.includes(-1))
      throw new Error("byte_fallback is set but the model lacks some of the 256 <0xNN> pieces");
    this.unkId = unkId;
    this.unkScore = Math.fround(minScore - UNK_PENALTY);
    this.maxScore = maxScore;
    this.byteIds = m.trainerSpec.byteFallback ? byteIds : null;
    this.trie = new PieceTrie(inTrie);
    this.normalizer = new SpmNormalizer(m.normalizerSpec, userDefined, m.trainerSpec.treatWhitespaceAsSuffix);
  }

  get size(): number {
    return this.scores.length;
  }

  private grow(n: number): void {
    if (this.best.length >= n + 1) return;
    let cap = this.best.length * 2;
    while (cap < n + 1) cap *= 2;
    this.best = new Float32Array(cap);
    this.startsAt = new Int32Array(cap);
    this.bestId = new Int32Array(cap);
  }

  private emit(count: number, id: number): number {
    if (count === this.scratch.length) {
      const next = new Uint32Array(this.scratch.length * 2);
      next.set(this.scratch);
      this.scratch = next;
    }
    this.scratch[count] = id;
    return count + 1;
  }

  /** Encodes text into scratch and returns the number of ids. */
  encodeToScratch(text: string): number {
    if (this.input.length < text.length * 3) this.input = new Uint8Array(text.length * 3 + 16);
    const { written } = this.enc.encodeInto(text, this.input);
    this.normalizer.normalize(this.input, written);
    return this.encodeNormalized(this.normalizer.out, this.normalizer.length);
  }

  /** Viterbi over norm[0..size) and the id sequence; returns the number of ids in scratch. */
  encodeNormalized(norm: Uint8Array, size: number): number {
    if (size === 0) return 0;
    this.grow(size);
    const best = this.best;
    const startsAt = this.startsAt;
    const bestId = this.bestId;
    const trie = this.trie;
    const pieceAt = trie.pieceAt;
    const kind = this.kind;
    const scores = this.scores;
    const maxScore = this.maxScore;
    startsAt.fill(-1, 0, size + 1);
    best[0] = 0;
    let starts = 0;
    while (starts < size) {
      const base = best[starts];
      const mblen = Math.min(utf8Length(norm[starts]), size - starts);
      let hasSingle = false;
      let node = 0;
      let key = starts;
      while (key < size) {
        node = trie.child(node, norm[key]);
        key++;
        if (node < 0) break;
        const id = pieceAt[node];
        if (id < 0) continue;
        const k = kind[id];
        if (k === 3) continue;
        const len = key - starts;
        // a user-defined piece gets len * max_score - 0.1, computed in double as SentencePiece does
        const cand = (k === 2 ? Math.fround(len * maxScore) - 0.1 : scores[id]) + base;
        if (startsAt[key] === -1 || cand > best[key]) {
          best[key] = cand;
          startsAt[key] = starts;
          bestId[key] = id;
        }
        if (len === mblen) hasSingle = true;
      }
      if (!hasSingle) {
        const t = starts + mblen;
        const cand = Math.fround(this.unkScore + base);
        if (startsAt[t] === -1 || cand > best[t]) {
          best[t] = cand;
          startsAt[t] = starts;
          bestId[t] = this.unkId;
        }
      }
      starts += mblen;
    }
    // Backtrack: chain the path forwards through startsAt (reused as "next end").
    let end = size;
    let next = -1;
    while (end > 0) {
      const s = startsAt[end];
      startsAt[end] = next;
      next = end;
      end = s;
    }
    let count = 0;
    let prevUnk = false;
    let from = 0;
    for (let e = next; e !== -1; e = startsAt[e]) {
      const id = bestId[e];
      if (id === this.unkId) {
        if (this.byteIds !== null) {
          for (let k = from; k < e; k++) count = this.emit(count, this.byteIds[norm[k]]);
        } else if (!prevUnk) count = this.emit(count, id);
        prevUnk = true;
      } else {
        count = this.emit(count, id);
        prevUnk = false;
      }
      from = e;
    }
    return count;
  }

  encode(text: string): Uint32Array {
    const count = this.encodeToScratch(text); // may replace scratch with a larger one
    return this.scratch.slice(0, count);
  }

  /** Pieces back to text: U+2581 to space, the dummy prefix dropped, byte pieces as bytes. */
  decode(ids: ArrayLike<number>): string {
    const m = this.proto;
    const parts: Uint8Array[] = [];
    const unk = this.enc.encode(m.trainerSpec.unkSurface);
    const bytes: number[] = [];
    let first = true;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const p = m.pieces[id];
      if (p === undefined) throw new RangeError(`token id ${id} is outside the model (${m.pieces.length} pieces)`);
      if (p.type === PieceType.CONTROL) continue;
      if (p.type === PieceType.BYTE) {
        bytes.push(parseInt(p.piece.slice(3, 5), 16));
        first = false;
        continue;
      }
      if (bytes.length > 0) {
        parts.push(Uint8Array.from(bytes));
        bytes.length = 0;
      }
      if (p.type === PieceType.UNKNOWN) {
        parts.push(unk);
        first = false;
        continue;
      }
      let s = m.normalizerSpec.escapeWhitespaces ? p.piece.replaceAll("\u2581", " ") : p.piece;
      if (first && m.normalizerSpec.addDummyPrefix && !m.trainerSpec.treatWhitespaceAsSuffix && s.startsWith(" ")) s = s.slice(1);
      first = false;
      parts.push(this.enc.encode(s));
    }
    if (bytes.length > 0) parts.push(Uint8Array.from(bytes));
    return new TextDecoder().decode(Buffer.concat(parts));
  }
}
