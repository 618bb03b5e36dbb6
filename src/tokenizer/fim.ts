/**
 * Fill-in-the-middle (Bavarian et al. 2022, "Efficient Training of Language Models to Fill in
 * the Middle"): a document is cut into prefix, middle and suffix and laid out so that the
 * middle comes last, after sentinel tokens:
 *
 *   PSM: <PRE> prefix <SUF> suffix <MID> middle
 *   SPM: <PRE> <SUF> suffix <MID> prefix middle     (the paper's SPM variant with both sentinels first)
 *
 * Several spans (mode "multi") generalise PSM: <PRE> P0 <SUF> P1 ... <SUF> Pk <MID> M1 ... <MID> Mk,
 * where the text was P0 M1 P1 M2 ... Mk Pk (SPM moves P0 behind the first <MID>). Every layout
 * is undone by one rule (undoFim): the context pieces C0..Ck and the middles D1..Dk give back
 * C0 D1 C1 D2 ... Dk Ck.
 *
 * Every choice comes from a generator seeded by (seed, doc_id), so a document gets the same
 * transform whatever order or thread it is read in. Cuts never split a surrogate pair.
 */
import { Prng } from "../util/prng.ts";
import type { Part } from "./parts.ts";

export type FimMode = "char" | "line" | "ast" | "multi";
export const FIM_MODES: readonly FimMode[] = ["char", "line", "ast", "multi"];

export interface FimSettings {
  /** Share of documents transformed (0 to 1). */
  rate: number;
  /** Share of transformed documents laid out SPM instead of PSM. */
  spmRate: number;
  mode: FimMode;
  seed: number;
}

export interface FimSentinels {
  prefix: number;
  suffix: number;
  middle: number;
}

export const SENTINEL_TEXTS = { prefix: "<|fim_prefix|>", suffix: "<|fim_suffix|>", middle: "<|fim_middle|>" } as const;

/** What was done to one document: the middles cut out, as [start, end) UTF-16 offsets, sorted. */
export interface FimChoice {
  /** The mode that cut the spans ("char" when "ast" found no node to take). */
  mode: FimMode;
  spm: boolean;
  spans: [number, number][];
}

/** FNV-1a over the UTF-16 units of the document id: the stream of its generator. */
function idHash(docId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < docId.length; i++) h = Math.imul(h ^ docId.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The generator of one document's choices. */
export function docRng(seed: number, docId: string): Prng {
  return new Prng(seed, idHash(docId));
}

function below(rng: Prng, n: number): number {
  return Math.floor(rng.nextFloat() * n);
}

/** Moves a cut off the middle of a surrogate pair. */
function onCodePoint(text: string, i: number): number {
  if (i > 0 && i < text.length) {
    const lo = text.charCodeAt(i);
    const hi = text.charCodeAt(i - 1);
    if (lo >= 0xdc00 && lo <= 0xdfff && hi >= 0xd800 && hi <= 0xdbff) return i + 1;
  }
  return i;
}

/** `count` cut positions in [0, text.length], sorted (bigcode-style uniform cuts). */
function charCuts(text: string, rng: Prng, count: number): number[] {
  const cuts: number[] = [];
  for (let i = 0; i < count; i++) cuts.push(onCodePoint(text, below(rng, text.length + 1)));
  return cuts.sort((a, b) => a - b);
}

/** Two cuts at line starts (0, after each "\n", or the end): the middle is whole lines. */
function lineCuts(text: string, rng: Prng): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0 && i + 1 < text.length; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  starts.push(text.length);
  return [starts[below(rng, starts.length)]!, starts[below(rng, starts.length)]!].sort((a, b) => a - b);
}

function pairs(cuts: number[]): [number, number][] {
  const spans: [number, number][] = [];
  for (let i = 0; i + 1 < cuts.length; i += 2) spans.push([cuts[i]!, cuts[i + 1]!]);
  return spans;
}

/**
 * Whether and how to transform one document. `astNodes` gives the [start, end) of the syntax
 * nodes "ast" may take (null: no tree for this text; "char" cuts are used and recorded).
 */
export function chooseFim(text: string, docId: string, s: FimSettings, astNodes?: () => [number, number][] | null): FimChoice | null {
  if (s.rate <= 0) return null;
  const rng = docRng(s.seed, docId);
  if (rng.nextFloat() >= s.rate) return null;
  const spm = rng.nextFloat() < s.spmRate;
  switch (s.mode) {
    case "char":
      return { mode: "char", spm, spans: pairs(charCuts(text, rng, 2)) };
    case "line":
      return { mode: "line", spm, spans: pairs(lineCuts(text, rng)) };
    case "multi":
      return { mode: "multi", spm, spans: pairs(charCuts(text, rng, 2 * (2 + below(rng, 2)))) };
    case "ast": {
      const nodes = astNodes?.() ?? null;
      if (nodes === null || nodes.length === 0) return { mode: "char", spm, spans: pairs(charCuts(text, rng, 2)) };
      return { mode: "ast", spm, spans: [nodes[below(rng, nodes.length)]!] };
    }
  }
}

/** Appends a non-empty text piece (through `text`, which may split it further). */
type TextSink = (piece: string, out: Part[]) => void;
const plain: TextSink = (piece, out) => {
  if (piece.length > 0) out.push(piece);
};

/** The document laid out as the choice says, as parts (sentinel ids and text pieces). */
export function fimParts(text: string, c: FimChoice, ids: FimSentinels, out: Part[] = [], sink: TextSink = plain): Part[] {
  const ctx: string[] = [];
  const mids: string[] = [];
  let pos = 0;
  for (const [a, b] of c.spans) {
    ctx.push(text.slice(pos, a));
    mids.push(text.slice(a, b));
    pos = b;
  }
  ctx.push(text.slice(pos));
  out.push(ids.prefix);
  if (!c.spm) sink(ctx[0]!, out);
  for (let i = 1; i < ctx.length; i++) {
    out.push(ids.suffix);
    sink(ctx[i]!, out);
  }
  for (let i = 0; i < mids.length; i++) {
    out.push(ids.middle);
    if (i === 0 && c.spm) sink(ctx[0]!, out);
    sink(mids[i]!, out);
  }
  return out;
}

/**
 * The original text of a FIM sequence (sentinels first, no tag or EOS): the ids are cut at the
 * sentinels and each piece decoded on its own. Throws when the ids are not a FIM layout.
 */
export function undoFim(ids: ArrayLike<number>, s: FimSentinels, decode: (ids: number[]) => string): string {
  if (ids.length === 0 || ids[0] !== s.prefix) throw new Error("not a FIM sequence: it does not start with the prefix sentinel");
  const ctx: string[] = [];
  const mids: string[] = [];
  let cur: number[] = [];
  let into: string[] = ctx;
  const close = () => {
    into.push(decode(cur));
    cur = [];
  };
  for (let i = 1; i < ids.length; i++) {
    const t = ids[i]!;
    if (t === s.prefix) throw new Error(`not a FIM sequence: a second prefix sentinel at ${i}`);
    if (t === s.suffix) {
      if (into === mids) throw new Error(`not a FIM sequence: a suffix sentinel after a middle one at ${i}`);
      close();
    } else if (t === s.middle) {
      close();
      into = mids;
    } else cur.push(t);
  }
  close();
  const d = mids; // ctx holds C0..Ck, mids D1..Dk
  if (d.length !== ctx.length - 1) throw new Error(`not a FIM sequence: ${ctx.length} context pieces and ${d.length} middles`);
  let text = ctx[0]!;
  for (let i = 0; i < d.length; i++) text += d[i]! + ctx[i + 1]!;
  return text;
}

/** Code-point offsets of UTF-16 offsets in `text` (what index rows record, as Python counts). */
export function codePointOffsets(text: string, offsets: readonly number[]): number[] {
  const out: number[] = [];
  let cp = 0;
  let u = 0;
  for (const target of offsets) {
    while (u < target) {
      const c = text.charCodeAt(u);
      u += c >= 0xd800 && c <= 0xdbff && u + 1 < text.length && (text.charCodeAt(u + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
      cp++;
    }
    out.push(cp);
  }
  return out;
}
