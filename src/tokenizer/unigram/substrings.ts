/**
 * Frequent substrings of the training words, for the seed vocabulary. SentencePiece takes the
 * internal nodes of a suffix tree over the corpus: substrings seen at least twice and followed
 * by more than one distinct character. Here a trie of every valid substring of every distinct
 * word (up to the longest piece allowed) counts the same occurrences, weighted by word counts,
 * and records whether what follows a substring varies. Nodes are numbered in creation order,
 * which is deterministic, and found again through an open-addressing (node, code point) table.
 */
import { type PieceCheck, WS } from "./piece-rules.ts";

/** Longest word the lattices take (positions are 16-bit); longer ones are left out of training. */
export const MAX_WORD_CHARS = 0xffff;

const NONE = -1;
const BRANCHING = -2;

export interface CpWords {
  /** Code points of all words, back to back; word w is cps[start[w]..start[w+1]). */
  cps: Int32Array;
  start: Int32Array;
  counts: Float64Array;
  lastCounts: Float64Array;
}

export class SubstringTrie {
  parent: Int32Array;
  ch: Int32Array;
  depth: Int32Array;
  freq: Float64Array;
  /** The one code point seen after this substring, NONE if none yet, BRANCHING if several. */
  next: Int32Array;
  size = 1;
  private keysNode: Int32Array;
  private keysCp: Int32Array;
  private vals: Int32Array;
  private bits: number;

  constructor(capacity = 1 << 16) {
    this.parent = new Int32Array(capacity);
    this.ch = new Int32Array(capacity);
    this.depth = new Int32Array(capacity);
    this.freq = new Float64Array(capacity);
    this.next = new Int32Array(capacity).fill(NONE);
    this.bits = 17;
    this.keysNode = new Int32Array(1 << this.bits).fill(-1);
    this.keysCp = new Int32Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits);
  }

  private slot(node: number, cp: number): number {
    return Math.imul(Math.imul(node, 0x9e3779b1) ^ cp, 0x85ebca6b) >>> (32 - this.bits);
  }

  child(node: number, cp: number): number {
    const mask = (1 << this.bits) - 1;
    for (let i = this.slot(node, cp); ; i = (i + 1) & mask) {
      const k = this.keysNode[i];
      if (k === -1) return -1;
      if (k === node && this.keysCp[i] === cp) return this.vals[i];
    }
  }

  private growNodes(): void {
    const cap = this.parent.length * 2;
    const g = <T extends Int32Array | Float64Array>(a: T, fill?: number): T => {
      const n = new (a.constructor as new (n: number) => T)(cap);
      if (fill !== undefined) n.fill(fill);
      n.set(a);
      return n;
    };
    this.parent = g(this.parent);
    this.ch = g(this.ch);
    this.depth = g(this.depth);
    this.freq = g(this.freq);
    this.next = g(this.next, NONE);
  }

  private growTable(): void {
    const oldNode = this.keysNode;
    const oldCp = this.keysCp;
    const oldVal = this.vals;
    this.bits++;
    this.keysNode = new Int32Array(1 << this.bits).fill(-1);
    this.keysCp = new Int32Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits);
    for (let i = 0; i < oldNode.length; i++) if (oldNode[i] !== -1) this.put(oldNode[i], oldCp[i], oldVal[i]);
  }

  private put(node: number, cp: number, val: number): void {
    const mask = (1 << this.bits) - 1;
    let i = this.slot(node, cp);
    while (this.keysNode[i] !== -1) i = (i + 1) & mask;
    this.keysNode[i] = node;
    this.keysCp[i] = cp;
    this.vals[i] = val;
  }

  childOrNew(node: number, cp: number): number {
    const c = this.child(node, cp);
    if (c >= 0) return c;
    if (this.size === this.parent.length) this.growNodes();
    if (this.size * 2 >= 1 << this.bits) this.growTable();
    const n = this.size++;
    this.parent[n] = node;
    this.ch[n] = cp;
    this.depth[n] = this.depth[node] + 1;
    this.put(node, cp, n);
    return n;
  }

  see(node: number, cp: number): void {
    const n = this.next[node];
    if (n === NONE) this.next[node] = cp;
    else if (n !== cp) this.next[node] = BRANCHING;
  }

  isBranching(node: number): boolean {
    return this.next[node] === BRANCHING;
  }

  text(node: number): string {
    const cps: number[] = [];
    for (let n = node; n > 0; n = this.parent[n]) cps.push(this.ch[n]);
    return String.fromCodePoint(...cps.reverse());
  }
}

/** Every occurrence of a counted substring: word w's are [offset[w], offset[w+1]), positions relative to the word. */
export interface Occurrences {
  offset: Int32Array;
  /** Positions in a word (words are at most MAX_WORD_CHARS code points). */
  from: Uint16Array;
  to: Uint16Array;
  node: Int32Array;
}

/** Counts every valid substring of every word (occurrences weighted by the word's count), and lists where each occurs. */
export function countSubstrings(words: CpWords, check: PieceCheck): { trie: SubstringTrie; occ: Occurrences } {
  const trie = new SubstringTrie();
  const { cps, start, counts, lastCounts } = words;
  const nWords = counts.length;
  const offset = new Int32Array(nWords + 1);
  let cap = 1 << 16;
  let from = new Uint16Array(cap);
  let to = new Uint16Array(cap);
  let nodes = new Int32Array(cap);
  let m = 0;
  const script = check.scripts(cps);
  for (let w = 0; w < nWords; w++) {
    const a = start[w];
    const b = start[w + 1];
    const cnt = counts[w];
    // What follows the word: the next word's U+2581, or the end of the sentence (0), or both.
    const last = lastCounts[w];
    const after = last === 0 ? WS : last === cnt ? 0 : BRANCHING;
    for (let i = a; i < b; i++) {
      check.reset();
      let node = 0;
      for (let j = i; j < b; j++) {
        const c = cps[j];
        if (node !== 0) trie.see(node, c);
        if (!check.add(c, script[j])) {
          node = -1;
          break;
        }
        node = trie.childOrNew(node, c);
        trie.freq[node] += cnt;
        if (m === cap) {
          cap *= 2;
          const g = <T extends Uint16Array | Int32Array>(x: T): T => {
            const y = new (x.constructor as new (n: number) => T)(cap);
            y.set(x);
            return y;
          };
          from = g(from);
          to = g(to);
          nodes = g(nodes);
        }
        from[m] = i - a;
        to[m] = j + 1 - a;
        nodes[m] = node;
        m++;
      }
      if (node > 0) {
        if (after === BRANCHING) trie.next[node] = BRANCHING;
        else trie.see(node, after);
      }
    }
    offset[w + 1] = m;
  }
  return { trie, occ: { offset, from: from.subarray(0, m), to: to.subarray(0, m), node: nodes.subarray(0, m) } };
}
