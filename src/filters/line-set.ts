/**
 * The distinct lines of one text, as a hash set of [start, end) ranges into
 * the text: no substring is made and no string is hashed again, since the
 * text scan hashes each line as it passes over it. Ranges with equal hashes
 * are compared code unit by code unit, so the count is exact whatever the
 * hash collisions.
 *
 * One set is reused for text after text: a slot belongs to the current text
 * only when it carries the current generation number, so starting a text
 * costs nothing however large the table grew for an earlier one.
 */
export class LineSet {
  private text = "";
  private bits = 10;
  private hashes = new Int32Array(1 << this.bits);
  private starts = new Int32Array(1 << this.bits);
  private ends = new Int32Array(1 << this.bits);
  private gens = new Int32Array(1 << this.bits);
  private gen = 0;
  /** Distinct lines added since reset. */
  size = 0;

  reset(text: string): void {
    this.text = text;
    this.size = 0;
    if (this.gen === 0x7fffffff) {
      this.gens.fill(0);
      this.gen = 0;
    }
    this.gen++;
  }

  /** Adds the line text[start, end), whose hash is `hash`, unless an equal line is in the set. */
  add(hash: number, start: number, end: number): void {
    const mask = (1 << this.bits) - 1;
    for (let slot = Math.imul(hash, 0x9e3779b1) >>> (32 - this.bits); ; slot = (slot + 1) & mask) {
      if (this.gens[slot] !== this.gen) {
        this.put(slot, hash, start, end);
        if (++this.size * 2 > mask) this.grow();
        return;
      }
      if (this.hashes[slot] === hash && this.same(this.starts[slot]!, this.ends[slot]!, start, end)) return;
    }
  }

  private same(a: number, aEnd: number, b: number, bEnd: number): boolean {
    if (aEnd - a !== bEnd - b) return false;
    const t = this.text;
    for (; a < aEnd; a++, b++) if (t.charCodeAt(a) !== t.charCodeAt(b)) return false;
    return true;
  }

  private put(slot: number, hash: number, start: number, end: number): void {
    this.gens[slot] = this.gen;
    this.hashes[slot] = hash;
    this.starts[slot] = start;
    this.ends[slot] = end;
  }

  /** Doubles the table and re-inserts the current text's lines (all distinct, so no comparisons). */
  private grow(): void {
    const { hashes, starts, ends, gens, gen } = this;
    this.bits++;
    const size = 1 << this.bits;
    const mask = size - 1;
    this.hashes = new Int32Array(size);
    this.starts = new Int32Array(size);
    this.ends = new Int32Array(size);
    this.gens = new Int32Array(size);
    for (let i = 0; i < gens.length; i++) {
      if (gens[i] !== gen) continue;
      let slot = Math.imul(hashes[i]!, 0x9e3779b1) >>> (32 - this.bits);
      while (this.gens[slot] === gen) slot = (slot + 1) & mask;
      this.put(slot, hashes[i]!, starts[i]!, ends[i]!);
    }
  }
}
