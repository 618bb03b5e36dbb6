/**
 * First-fit-decreasing bin packing for `gamma pack --packing greedy`: whole documents go into
 * rows of `capacity` tokens, longest first (ties in a seeded order), each into the first row
 * with room; a new row opens only when none has. No document is split.
 *
 * The first row with room is found in O(log rows) with a max-tree over the rows' free space.
 */
import { Prng } from "../util/prng.ts";

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function seededOrder(n: number, seed: number, stream: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new Prng(seed, stream);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * Rows of item indices. `lengths[i]` must be at most `capacity`. Items are taken in `order`
 * sorted by length, longest first (a stable sort, so equal lengths keep `order`); rows are
 * numbered in the order they were opened, and hold their items in the order placed.
 */
export function firstFitDecreasing(lengths: readonly number[], capacity: number, order: readonly number[]): number[][] {
  const sorted = [...order].sort((a, b) => lengths[b]! - lengths[a]!);
  // Max-tree over free space; leaves are rows (at most one per item), unopened rows hold -1.
  let size = 1;
  while (size < Math.max(1, lengths.length)) size *= 2;
  const tree = new Int32Array(2 * size).fill(-1);
  const rows: number[][] = [];
  const setFree = (row: number, free: number) => {
    let i = size + row;
    tree[i] = free;
    for (i >>= 1; i >= 1; i >>= 1) tree[i] = Math.max(tree[2 * i]!, tree[2 * i + 1]!);
  };
  for (const item of sorted) {
    const need = lengths[item]!;
    if (need > capacity) throw new RangeError(`item ${item} has length ${need}, more than the row capacity ${capacity}`);
    let row: number;
    if (tree[1]! >= need) {
      let i = 1;
      while (i < size) i = tree[2 * i]! >= need ? 2 * i : 2 * i + 1;
      row = i - size;
    } else {
      row = rows.length;
      rows.push([]);
      setFree(row, capacity);
    }
    rows[row]!.push(item);
    setFree(row, tree[size + row]! - need);
  }
  return rows;
}
