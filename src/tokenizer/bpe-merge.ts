/**
 * Byte-pair merging of one pre-token (its UTF-8 bytes), for both merge rules of bpe-data.ts.
 * Short pieces use the plain scan for the lowest-ranked pair; long ones (runs of spaces or
 * punctuation can be megabytes) use a heap over a linked list, O(n log n). Both pick the same
 * pair at every step: lowest rank, then leftmost.
 */
import type { BpeData } from "./bpe-data.ts";
import { lookupMerge } from "./bpe-data.ts";
import { lookupToken } from "./token-table.ts";

const LONG = 96;
const NONE = 0x7fffffff;

/** Rank of merging the part with id `a` (bytes from `start`) and the next (id `b`, ending at `end`), or -1. */
function pairRank(d: BpeData, buf: Uint8Array, start: number, a: number, b: number, end: number): number {
  return d.mode === "ranks" ? lookupToken(d.tokens, buf, start, end) : lookupMerge(d.merges!, a, b);
}

function mergedId(d: BpeData, q: number): number {
  return d.mode === "ranks" ? q : d.merges!.result[q];
}

export class BpeMerger {
  private starts = new Int32Array(LONG + 2);
  private ids = new Int32Array(LONG + 1);
  private ranks = new Int32Array(LONG + 1);

  constructor(private readonly d: BpeData) {}

  /** Appends the ids of buf[0, n) to out from outPos; returns the new outPos. out must have room for n. */
  merge(buf: Uint8Array, n: number, out: Uint32Array, outPos: number): number {
    return n > LONG ? this.mergeHeap(buf, n, out, outPos) : this.mergeScan(buf, n, out, outPos);
  }

  /** The plain algorithm: scan for the lowest-ranked pair, merge, repeat. n <= 96. */
  mergeScan(buf: Uint8Array, n: number, out: Uint32Array, outPos: number): number {
    const d = this.d;
    const starts = this.starts;
    const ids = this.ids;
    const ranks = this.ranks;
    for (let i = 0; i < n; i++) {
      starts[i] = i;
      ids[i] = d.byteIds[buf[i]];
    }
    starts[n] = n;
    for (let i = 0; i + 1 < n; i++) {
      const r = pairRank(d, buf, i, ids[i], ids[i + 1], i + 2);
      ranks[i] = r < 0 ? NONE : r;
    }
    let m = n;
    while (m > 1) {
      let best = -1;
      let br = NONE;
      for (let i = 0; i + 1 < m; i++) {
        if (ranks[i] < br) {
          br = ranks[i];
          best = i;
        }
      }
      if (best < 0) break;
      ids[best] = mergedId(d, br);
      starts.copyWithin(best + 1, best + 2, m + 1);
      ids.copyWithin(best + 1, best + 2, m);
      ranks.copyWithin(best + 1, best + 2, m - 1);
      m--;
      if (best + 1 < m) {
        const r = pairRank(d, buf, starts[best], ids[best], ids[best + 1], starts[best + 2]);
        ranks[best] = r < 0 ? NONE : r;
      }
      if (best > 0) {
        const r = pairRank(d, buf, starts[best - 1], ids[best - 1], ids[best], starts[best + 1]);
        ranks[best - 1] = r < 0 ? NONE : r;
      }
    }
    for (let i = 0; i < m; i++) out[outPos++] = ids[i];
    return outPos;
  }

  /** Same result as mergeScan in O(n log n), for any n. */
  mergeHeap(buf: Uint8Array, n: number, out: Uint32Array, outPos: number): number {
    const d = this.d;
    const ids = new Int32Array(n);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const version = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      ids[i] = d.byteIds[buf[i]];
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    // Part i starts at byte i (a merged part keeps its left start), so the start is the index.
    const end = (i: number) => (next[i] < 0 ? n : next[i]);
    const heap = new PairHeap(3 * n);
    const push = (i: number) => {
      const j = next[i];
      if (j < 0) return;
      const r = pairRank(d, buf, i, ids[i], ids[j], end(j));
      if (r >= 0) heap.push(r, i, version[i]);
    };
    for (let i = 0; i + 1 < n; i++) push(i);
    while (heap.size > 0) {
      const r = heap.topRank();
      const i = heap.topPart();
      const v = heap.topVersion();
      heap.pop();
      if (alive[i] === 0 || version[i] !== v || next[i] < 0) continue;
      const j = next[i];
      ids[i] = mergedId(d, r);
      alive[j] = 0;
      next[i] = next[j];
      if (next[j] >= 0) prev[next[j]] = i;
      version[i]++;
      push(i);
      const h = prev[i];
      if (h >= 0) {
        version[h]++;
        push(h);
      }
    }
    for (let i = 0; i >= 0; i = next[i]) out[outPos++] = ids[i];
    return outPos;
  }
}

/** Binary min-heap ordered by (rank, part index); part index order is byte order. */
class PairHeap {
  private keys: Float64Array;
  private parts: Int32Array;
  private versions: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
    this.parts = new Int32Array(capacity);
    this.versions = new Int32Array(capacity);
  }

  push(rank: number, part: number, version: number): void {
    if (this.size === this.keys.length) this.grow();
    const key = rank * 4294967296 + part;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.keys[p] <= key) break;
      this.keys[i] = this.keys[p];
      this.parts[i] = this.parts[p];
      this.versions[i] = this.versions[p];
      i = p;
    }
    this.keys[i] = key;
    this.parts[i] = part;
    this.versions[i] = version;
  }

  topRank(): number {
    return Math.floor(this.keys[0] / 4294967296);
  }
  topPart(): number {
    return this.parts[0];
  }
  topVersion(): number {
    return this.versions[0];
  }

  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const key = this.keys[n];
    const part = this.parts[n];
    const version = this.versions[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.keys[c + 1] < this.keys[c]) c++;
      if (this.keys[c] >= key) break;
      this.keys[i] = this.keys[c];
      this.parts[i] = this.parts[c];
      this.versions[i] = this.versions[c];
      i = c;
    }
    this.keys[i] = key;
    this.parts[i] = part;
    this.versions[i] = version;
  }

  private grow(): void {
    const cap = this.keys.length * 2;
    const k = new Float64Array(cap);
    k.set(this.keys);
    const p = new Int32Array(cap);
    p.set(this.parts);
    const v = new Int32Array(cap);
    v.set(this.versions);
    this.keys = k;
    this.parts = p;
    this.versions = v;
  }
}
