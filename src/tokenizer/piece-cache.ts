/**
 * A bounded cache from pre-token text (UTF-16 code units) to its ids, in flat typed arrays so a
 * hit costs a hash, one compare loop and a copy, with no string allocated. When any arena fills
 * up the whole cache is dropped and refilled; results never depend on what is cached.
 */
export const MAX_KEY = 64; // longer pre-tokens are not cached

export class PieceCache {
  private slots: Int32Array;
  private hashes: Int32Array;
  private keyStart: Int32Array;
  private keyLen: Int32Array;
  private valStart: Int32Array;
  private valLen: Int32Array;
  private keys: Uint16Array;
  private vals: Uint32Array;
  private count = 0;
  private keyUsed = 0;
  private valUsed = 0;
  private readonly maxEntries: number;
  /** Filled by find(): where the ids of the hit are in `values`. */
  hitStart = 0;
  hitLen = 0;

  constructor(maxEntries = 1 << 16) {
    this.maxEntries = maxEntries;
    this.slots = new Int32Array(maxEntries * 2).fill(-1);
    this.hashes = new Int32Array(maxEntries);
    this.keyStart = new Int32Array(maxEntries);
    this.keyLen = new Int32Array(maxEntries);
    this.valStart = new Int32Array(maxEntries);
    this.valLen = new Int32Array(maxEntries);
    this.keys = new Uint16Array(maxEntries * 12);
    this.vals = new Uint32Array(maxEntries * 4);
  }

  get values(): Uint32Array {
    return this.vals;
  }

  /** True on a hit for s[p, e) with hash h; then hitStart/hitLen locate the ids in `values`. */
  find(s: string, p: number, e: number, h: number): boolean {
    const slots = this.slots;
    const mask = slots.length - 1;
    const n = e - p;
    let i = h & mask;
    for (;;) {
      const k = slots[i];
      if (k === -1) return false;
      if (this.hashes[k] === h && this.keyLen[k] === n) {
        const ks = this.keyStart[k];
        const keys = this.keys;
        let j = 0;
        while (j < n && keys[ks + j] === s.charCodeAt(p + j)) j++;
        if (j === n) {
          this.hitStart = this.valStart[k];
          this.hitLen = this.valLen[k];
          return true;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** Remembers ids src[from, from + count) for s[p, e); call only after find() missed. */
  insert(s: string, p: number, e: number, h: number, src: Uint32Array, from: number, count: number): void {
    const n = e - p;
    if (n > MAX_KEY) return;
    if (this.count === this.maxEntries || this.keyUsed + n > this.keys.length || this.valUsed + count > this.vals.length) {
      if (count > this.vals.length) return;
      this.clear();
    }
    const k = this.count++;
    this.hashes[k] = h;
    this.keyStart[k] = this.keyUsed;
    this.keyLen[k] = n;
    for (let j = 0; j < n; j++) this.keys[this.keyUsed + j] = s.charCodeAt(p + j);
    this.keyUsed += n;
    this.valStart[k] = this.valUsed;
    this.valLen[k] = count;
    this.vals.set(src.subarray(from, from + count), this.valUsed);
    this.valUsed += count;
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i] !== -1) i = (i + 1) & mask;
    this.slots[i] = k;
  }

  clear(): void {
    this.slots.fill(-1);
    this.count = 0;
    this.keyUsed = 0;
    this.valUsed = 0;
  }
}
