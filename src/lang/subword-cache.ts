/**
 * The n-gram rows of unknown words seen lately, keyed by the word's bytes.
 * Most words of a text repeat, and a model's vocabulary (7,235 words for
 * lid.176.ftz) misses most of them: their rows are hashed once, then
 * read back. Full, it empties at once; a word's rows depend on its bytes
 * alone, so what the cache holds never changes a prediction.
 */
const SLOTS = 1 << 16;
const ENTRIES = SLOTS >> 1;
const BYTES = 1 << 20;
const ROWS = 1 << 21;
/** Longer words are hashed every time (rare, and their rows would crowd the others out). */
export const CACHED_WORD_BYTES = 64;

export class SubwordCache {
  private readonly slots = new Int32Array(SLOTS);
  private readonly wordStart = new Int32Array(ENTRIES + 1);
  private readonly bytes = new Uint8Array(BYTES);
  readonly rowStart = new Int32Array(ENTRIES + 1);
  readonly rows = new Int32Array(ROWS);
  private n = 0;
  private rowsUsed = 0;

  /** The entry of word buf[s, e) with FNV hash h, or -1. */
  lookup(buf: Uint8Array, s: number, e: number, h: number): number {
    const len = e - s;
    for (let slot = h & (SLOTS - 1); ; slot = (slot + 1) & (SLOTS - 1)) {
      const v = this.slots[slot]!;
      if (v === 0) return -1;
      const o = this.wordStart[v - 1]!;
      if (this.wordStart[v]! - o !== len) continue;
      let j = 0;
      while (j < len && this.bytes[o + j] === buf[s + j]) j++;
      if (j === len) return v - 1;
    }
  }

  /** Adds word buf[s, e) (hash h) with rows[0, count); returns its entry. Full, the cache empties first. */
  add(buf: Uint8Array, s: number, e: number, h: number, rows: Int32Array, count: number): number {
    const len = e - s;
    if (this.n === ENTRIES || this.wordStart[this.n]! + len > BYTES || this.rowsUsed + count > ROWS) {
      this.slots.fill(0);
      this.n = 0;
      this.rowsUsed = 0;
    }
    const i = this.n++;
    const o = this.wordStart[i]!;
    for (let j = 0; j < len; j++) this.bytes[o + j] = buf[s + j]!;
    this.wordStart[i + 1] = o + len;
    this.rowStart[i] = this.rowsUsed;
    for (let r = 0; r < count; r++) this.rows[this.rowsUsed++] = rows[r]!;
    this.rowStart[i + 1] = this.rowsUsed;
    let slot = h & (SLOTS - 1);
    while (this.slots[slot] !== 0) slot = (slot + 1) & (SLOTS - 1);
    this.slots[slot] = i + 1;
    return i;
  }
}
