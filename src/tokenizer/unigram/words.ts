/**
 * The training corpus as SentencePiece's Unigram trainer sees it: each line a sentence
 * (empty lines and lines over max_sentence_length bytes skipped), normalized, cut at meta
 * pieces (user-defined and control symbols), then split into words before each U+2581 (after
 * it with treat_whitespace_as_suffix). Pieces never cross a word, so the trainer works on the
 * distinct words and their counts.
 */
import { SpmNormalizer } from "../spm/normalizer.ts";
import type { NormalizerSpec } from "../spm/model-proto.ts";
import { WS } from "./piece-rules.ts";

export interface WordCounts {
  /** Distinct words, in first-seen order. */
  words: string[];
  counts: number[];
  /** How many times the word ended its sentence (SentencePiece's suffix tree sees the sentence end there). */
  lastCounts: number[];
  sentences: number;
  skippedLong: number;
}

export class WordCounter {
  private readonly index = new Map<string, number>();
  private readonly out: WordCounts = { words: [], counts: [], lastCounts: [], sentences: 0, skippedLong: 0 };
  private readonly normalizer: SpmNormalizer;
  private readonly enc = new TextEncoder();
  private readonly dec = new TextDecoder();
  private buf = new Uint8Array(1 << 16);
  private readonly metaSplit: RegExp | null;
  private readonly wordSplit: RegExp;

  constructor(
    spec: NormalizerSpec,
    private readonly maxSentenceBytes: number,
    metaPieces: string[],
    treatWhitespaceAsSuffix: boolean,
  ) {
    this.normalizer = new SpmNormalizer(spec, [], treatWhitespaceAsSuffix);
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const metas = [...metaPieces].sort((a, b) => b.length - a.length).filter((m) => m !== "");
    this.metaSplit = metas.length > 0 ? new RegExp(metas.map(esc).join("|"), "g") : null;
    const ws = String.fromCharCode(WS);
    this.wordSplit = treatWhitespaceAsSuffix ? new RegExp(`(?<=${ws})`, "g") : new RegExp(`(?=${ws})`, "g");
  }

  private addWord(w: string, last: boolean): void {
    let i = this.index.get(w);
    if (i === undefined) {
      i = this.out.words.length;
      this.index.set(w, i);
      this.out.words.push(w);
      this.out.counts.push(0);
      this.out.lastCounts.push(0);
    }
    this.out.counts[i]++;
    if (last) this.out.lastCounts[i]++;
  }

  /** Adds a text: every line of it is a sentence. */
  add(text: string): void {
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      let line = text.slice(start, end);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      start = end + 1;
      if (line === "") continue;
      this.addSentence(line);
    }
  }

  private addSentence(line: string): void {
    if (this.buf.length < line.length * 3) this.buf = new Uint8Array(line.length * 3 + 16);
    const { written } = this.enc.encodeInto(line, this.buf);
    if (written > this.maxSentenceBytes) {
      this.out.skippedLong++;
      return;
    }
    if (line.includes("\u2585")) return; // SentencePiece skips sentences holding its unknown marker
    this.normalizer.normalize(this.buf, written);
    if (this.normalizer.length === 0) return;
    this.out.sentences++;
    const norm = this.dec.decode(this.normalizer.out.subarray(0, this.normalizer.length));
    const parts = this.metaSplit === null ? [norm] : norm.split(this.metaSplit);
    for (let p = 0; p < parts.length; p++) {
      const words = parts[p].split(this.wordSplit);
      for (let k = 0; k < words.length; k++) {
        if (words[k] === "") continue;
        this.addWord(words[k], p === parts.length - 1 && k === words.length - 1);
      }
    }
  }

  result(): WordCounts {
    return this.out;
  }
}
