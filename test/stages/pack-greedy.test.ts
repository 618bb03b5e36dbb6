import { describe, expect, test } from "bun:test";
import { firstFitDecreasing, seededOrder } from "../../src/stages/pack-greedy.ts";
import { Prng } from "../../src/util/prng.ts";

/** First-fit-decreasing written the plain way: scan every row for room. */
function naive(lengths: number[], cap: number, order: number[]): number[][] {
  const sorted = [...order].sort((a, b) => lengths[b]! - lengths[a]!);
  const rows: { free: number; items: number[] }[] = [];
  for (const i of sorted) {
    let r = rows.find((x) => x.free >= lengths[i]!);
    if (r === undefined) rows.push((r = { free: cap, items: [] }));
    r.items.push(i);
    r.free -= lengths[i]!;
  }
  return rows.map((r) => r.items);
}

describe("first-fit-decreasing", () => {
  test("matches the plain row scan on random lengths, and every row fits", () => {
    const rng = new Prng(9, 1);
    for (let t = 0; t < 30; t++) {
      const cap = 64 + Math.floor(rng.nextFloat() * 2000);
      const lengths = Array.from({ length: 1 + Math.floor(rng.nextFloat() * 400) }, () => 1 + Math.floor(rng.nextFloat() * cap));
      const order = seededOrder(lengths.length, t, 2);
      const rows = firstFitDecreasing(lengths, cap, order);
      expect(rows).toEqual(naive(lengths, cap, order));
      for (const r of rows) expect(r.reduce((a, i) => a + lengths[i]!, 0)).toBeLessThanOrEqual(cap);
      expect(rows.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    }
  });

  test("equal lengths keep the seeded order; another seed gives another order", () => {
    const lengths = new Array(50).fill(10);
    const a = seededOrder(50, 1, 0);
    expect(firstFitDecreasing(lengths, 30, a).flat()).toEqual(a);
    expect(seededOrder(50, 2, 0)).not.toEqual(a);
    expect(seededOrder(50, 1, 0)).toEqual(a);
  });
});
