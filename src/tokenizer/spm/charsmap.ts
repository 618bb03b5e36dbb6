/**
 * SentencePiece's precompiled normalization charsmap: a little-endian u32 with the size of a
 * Darts-clone double-array trie, the trie's 32-bit units, then the replacement strings, each
 * ended by a NUL. A trie key is the UTF-8 of a character sequence; its value is the offset of
 * the replacement in the string pool. Normalization takes the longest key at each position.
 */

export class Charsmap {
  private readonly units: Uint32Array;
  /** Replacement strings, NUL-terminated; `replacementEnd[v]` caches where the one at v ends. */
  readonly pool: Uint8Array;
  private readonly rootOffset: number;

  constructor(blob: Uint8Array) {
    if (blob.length <= 4) throw new Error("precompiled charsmap is too short");
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const trieSize = view.getUint32(0, true);
    if (trieSize >= blob.length || trieSize % 4 !== 0)
      throw new Error(`precompiled charsmap: trie size ${trieSize} does not fit the blob of ${blob.length} bytes`);
    this.units = new Uint32Array(trieSize / 4);
    for (let i = 0; i < this.units.length; i++) this.units[i] = view.getUint32(4 + i * 4, true);
    this.pool = blob.slice(4 + trieSize);
    this.rootOffset = this.units.length > 0 ? offsetOf(this.units[0]) : 0;
  }

  /** Longest rule at src[pos..end): sets `matchLength` (0 when none) and `value` (pool offset). */
  matchLength = 0;
  value = 0;

  longest(src: Uint8Array, pos: number, end: number): void {
    const units = this.units;
    const n = units.length;
    let node = this.rootOffset;
    let best = 0;
    let value = 0;
    for (let i = pos; i < end; i++) {
      const c = src[i];
      node ^= c;
      if (node >= n) break;
      const u = units[node];
      // label: the low byte plus the leaf flag (bit 31), so a leaf unit never matches a byte
      if ((u & 0x800000ff) !== c) break;
      node ^= offsetOf(u);
      if ((u >>> 8) & 1) {
        best = i + 1 - pos;
        value = units[node] & 0x7fffffff;
      }
    }
    this.matchLength = best;
    this.value = value;
  }

  /**
   * For an ASCII byte b: 1 if no rule's key starts with b, 2 if every such key goes on with a
   * non-ASCII byte (so b alone, followed by ASCII, is untouched), 0 otherwise.
   */
  asciiClass(b: number): number {
    const units = this.units;
    const node = this.rootOffset ^ b;
    if (node >= units.length || (units[node] & 0x800000ff) !== b) return 1;
    const u = units[node];
    if ((u >>> 8) & 1) return 0;
    const next = node ^ offsetOf(u);
    for (let c = 1; c < 0x80; c++) {
      const t = next ^ c;
      if (t < units.length && (units[t] & 0x800000ff) === c) return 0;
    }
    return 2;
  }

  /** Length of the replacement at pool offset v. */
  replacementLength(v: number): number {
    const pool = this.pool;
    let e = v;
    while (e < pool.length && pool[e] !== 0) e++;
    return e - v;
  }
}

function offsetOf(u: number): number {
  return ((u >>> 10) << ((u & 0x200) >>> 6)) >>> 0;
}
