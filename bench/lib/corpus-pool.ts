/**
 * A pool of pieces (paragraphs or sentences) from which new documents are composed: pieces are
 * drawn without replacement from a seeded permutation, and a new permutation starts when one is
 * used up, so every piece is used once per pass and two documents rarely share more than one.
 */
import type { Prng } from "../../src/util/prng.ts";
import { shuffle } from "./corpus-sources.ts";
import { foldForExact } from "./corpus-variants.ts";

export class PiecePool {
  readonly pieces: string[] = [];
  bytes = 0;
  /** Permutations started so far. */
  passes = 0;
  private readonly keys = new Set<number | bigint>();
  private order: number[] = [];
  private pos = 0;

  constructor(private readonly rng: Prng) {}

  /** Adds a piece unless an equal one (after exact-dedup folding) is already in. */
  add(piece: string): void {
    const key = Bun.hash(foldForExact(piece));
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.pieces.push(piece);
    this.bytes += Buffer.byteLength(piece, "utf8");
  }

  /** `n` different pieces (fewer if the pool is smaller), in draw order. */
  draw(n: number): string[] {
    const want = Math.min(n, this.pieces.length);
    const taken = new Set<number>();
    const out: string[] = [];
    while (out.length < want) {
      if (this.pos >= this.order.length) {
        this.order = shuffle(
          Array.from({ length: this.pieces.length }, (_, i) => i),
          this.rng,
        );
        this.pos = 0;
        this.passes++;
      }
      const i = this.order[this.pos++]!;
      if (taken.has(i)) continue;
      taken.add(i);
      out.push(this.pieces[i]!);
    }
    return out;
  }
}
