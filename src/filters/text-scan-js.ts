/**
 * The text scan (text-scan.ts) in JavaScript: the readable twin of the
 * WebAssembly kernel (text-scan-wasm.ts), which computes the same, and what
 * scans a text when WebAssembly is unavailable or the text does not fit in
 * its memory.
 */
import { ANCHOR_TRIPLES, isBoilerplateLine } from "./boilerplate.ts";
import { ANCHOR_INDEX, ASCII, CLASS, classify, isLetter, LETTER, SLOW, SPACE, TRIM } from "./code-unit-class.ts";
import { LineSet } from "./line-set.ts";
import type { ScanCounts } from "./text-scan.ts";

/** FNV-1a's multiplier: lines are hashed per UTF-16 code unit, h = (h ^ unit) * FNV_PRIME. */
const FNV_PRIME = 0x01000193;

/** Takes the lines of one text: how many, how many distinct, how many boilerplate. */
class LineTally {
  private text = "";
  private readonly distinct = new LineSet();
  lines = 0;
  boilerplate = 0;

  reset(text: string): void {
    this.text = text;
    this.distinct.reset(text);
    this.lines = 0;
    this.boilerplate = 0;
  }

  /**
   * A trimmed, non-empty line text[start, end) with its hash; `anchored` is 1
   * if it holds a boilerplate anchor (only then can it be boilerplate).
   */
  add(start: number, end: number, hash: number, anchored: number): void {
    this.lines++;
    this.distinct.add(hash, start, end);
    if (anchored !== 0 && isBoilerplateLine(this.text.slice(start, end))) this.boilerplate++;
  }

  get repeated(): number {
    return this.lines - this.distinct.size;
  }
}

const tally = new LineTally();

/**
 * Counts the characters of a text and tallies each line that is not empty
 * once trimmed. The counters are added without branches: which kind a
 * character is, is unpredictable, and mispredictions cost more than the
 * arithmetic. Each line is hashed from its first to its last non-trim code
 * unit on the way (the hash stays 0 until the first; the hash after the last
 * is kept), and it is ended when its "\n" (or the end of the text) comes.
 */
export function scanJs(text: string): ScanCounts {
  const n = text.length;
  const lines = tally;
  lines.reset(text);
  let pairs = 0;
  let ascii = 0;
  let nonSpace = 0;
  let letters = 0;
  let words = 0;
  let prevSpace = 1; // 1 when the previous character was a space (or at the start)
  // The current line: where it starts, whether a non-trim unit came yet, the
  // running hash, the hash up to its last non-trim unit, the anchor indexes of
  // the two previous units and whether a boilerplate anchor came.
  let lineStart = 0;
  let started = 0;
  let hash = 0;
  let lineHash = 0;
  let anchors = 0; // (before previous << 5) | previous
  let anchored = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let k = CLASS[c]!;
    if (k === 0) k = classify(c);
    if ((k & SLOW) !== 0) {
      if (c === 10) {
        if (started !== 0) endLine(text, lineStart, i, lineHash, anchored, lines);
        lineStart = i + 1;
        started = 0;
        lineHash = 0;
        anchored = 0;
      } else if (i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
          pairs++;
          nonSpace++;
          words += prevSpace;
          prevSpace = 0;
          if (isLetter(String.fromCharCode(c, d))) letters++;
          started = 1;
          hash = Math.imul(Math.imul(hash ^ c, FNV_PRIME) ^ d, FNV_PRIME);
          lineHash = hash;
          anchors = 0;
          continue;
        }
      }
    }
    const space = (k & SPACE) >> 6;
    ascii += (k & ASCII) >> 5;
    nonSpace += space ^ 1;
    words += (space ^ 1) & prevSpace;
    letters += (k & LETTER) >> 7;
    prevSpace = space;
    const triple = (anchors << 5) | (k & ANCHOR_INDEX);
    anchored |= ANCHOR_TRIPLES[triple]!;
    anchors = triple & 0x3ff;
    const kept = ((k & TRIM) >> 8) ^ 1;
    started |= kept;
    hash = Math.imul(hash ^ c, FNV_PRIME) & -started;
    lineHash ^= (lineHash ^ hash) & -kept;
  }
  if (started !== 0) endLine(text, lineStart, n, lineHash, anchored, lines);
  return { pairs, ascii, nonSpace, letters, words, lines: lines.lines, repeated: lines.repeated, boilerplateLines: lines.boilerplate };
}

/** Trims the line [start, end), which holds a non-trim unit, and hands it on. */
function endLine(text: string, start: number, end: number, hash: number, anchored: number, lines: LineTally): void {
  while ((CLASS[text.charCodeAt(start)]! & TRIM) !== 0) start++;
  while ((CLASS[text.charCodeAt(end - 1)]! & TRIM) !== 0) end--;
  lines.add(start, end, hash, anchored);
}
