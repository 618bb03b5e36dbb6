/**
 * Distinct pre-tokens and how often each occurs, as UTF-8 bytes in one growing arena with an
 * open-addressing index: memory grows with the number of distinct pre-tokens, not with the text.
 * Tables made on several threads are merged by adding counts, so the result is the same whatever
 * the split; the trainer orders the words itself.
 */

/** A table's content in transferable form (what a counting worker sends back). */
export interface WordCountsData {
  /** The bytes of every word, back to back. */
  bytes: Uint8Array;
  /** Word i is bytes[starts[i], starts[i] + lens[i]). */
  starts: Uint32Array;
  lens: Uint32Array;
  hashes: Uint32Array;
  counts: Float64Array;
}

/** FNV-1a over bytes[from, to). */
export function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 16777619);
  return h >>> 0;
}

export class WordCountTable {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  private starts = new Uint32Array(1024);
  private lens = new Uint32Array(1024);
  private hashes = new Uint32Array(1024);
  private counts = new Float64Array(1024);
  private slots = new Int32Array(2048).fill(-1);
  private mask = 2047;
  /** Distinct words. */
  size = 0;
  /** Words added, repeats included. */
  total = 0;

  /** Adds `count` occurrences of bytes[from, to), whose hashBytes is `h`. */
  add(bytes: Uint8Array, from: number, to: number, h: number, count: number): void {
    this.total += count;
    const len = to - from;
    let s = h & this.mask;
    for (;;) {
      const w = this.slots[s]!;
      if (w < 0) break;
      if (this.hashes[w] === h && this.lens[w] === len && this.sameBytes(w, bytes, from, len)) {
        this.counts[w] += count;
        return;
      }
      s = (s + 1) & this.mask;
    }
    const w = this.size++;
    if (w === this.starts.length) this.growWords();
    if (this.used + len > this.arena.length) this.growArena(len);
    this.arena.set(bytes.subarray(from, to), this.used);
    this.starts[w] = this.used;
    this.lens[w] = len;
    this.hashes[w] = h;
    this.counts[w] = count;
    this.used += len;
    this.slots[s] = w;
    if (this.size * 2 > this.mask) this.rehash();
  }

  private sameBytes(w: number, bytes: Uint8Array, from: number, len: number): boolean {
    const a = this.arena;
    const at = this.starts[w]!;
    for (let i = 0; i < len; i++) if (a[at + i] !== bytes[from + i]) return false;
    return true;
  }

  private growWords(): void {
    const n = this.starts.length * 2;
    const grow = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.starts = grow(this.starts, (k) => new Uint32Array(k));
    this.lens = grow(this.lens, (k) => new Uint32Array(k));
    this.hashes = grow(this.hashes, (k) => new Uint32Array(k));
    this.counts = grow(this.counts, (k) => new Float64Array(k));
  }

  private growArena(need: number): void {
    let n = this.arena.length * 2;
    while (n < this.used + need) n *= 2;
    const b = new Uint8Array(n);
    b.set(this.arena.subarray(0, this.used));
    this.arena = b;
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    this.slots = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let w = 0; w < this.size; w++) {
      let s = this.hashes[w]! & this.mask;
      while (this.slots[s]! >= 0) s = (s + 1) & this.mask;
      this.slots[s] = w;
    }
  }

  /** Adds every word of another table (e.g. a worker's). */
  merge(d: WordCountsData): void {
    for (let i = 0; i < d.starts.length; i++) {
      const at = d.starts[i]!;
      this.add(d.bytes, at, at + d.lens[i]!, d.hashes[i]!, d.counts[i]!);
    }
  }

  /** Exact copies of the table's arrays, trimmed to its size. */
  data(): WordCountsData {
    const n = this.size;
    return {
      bytes: this.arena.slice(0, this.used),
      starts: this.starts.slice(0, n),
      lens: this.lens.slice(0, n),
      hashes: this.hashes.slice(0, n),
      counts: this.counts.slice(0, n),
    };
  }

  /** Bytes held, for progress lines. */
  get bytesHeld(): number {
    return this.arena.byteLength + this.slots.byteLength + this.starts.byteLength * 3 + this.counts.byteLength;
  }
}
