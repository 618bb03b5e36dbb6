import { describe, expect, test } from "bun:test";
import { sampleReservoir, WeightedReservoir } from "../../src/ingest/reservoir.ts";

/**
 * Exact inclusion probabilities of Efraimidis–Spirakis sampling (successive draws, each
 * proportional to weight among the items not yet drawn): sum over the ordered k-sequences.
 */
function inclusion(weights: number[], k: number): number[] {
  const n = weights.length;
  const p = new Array<number>(n).fill(0);
  const total = weights.reduce((a, b) => a + b, 0);
  const walk = (chosen: number[], prob: number, left: number) => {
    if (chosen.length === k) {
      for (const i of chosen) p[i] += prob;
      return;
    }
    for (let i = 0; i < n; i++) {
      if (chosen.includes(i)) continue;
      walk([...chosen, i], prob * (weights[i] / left), left - weights[i]);
    }
  };
  walk([], 1, total);
  return p;
}

describe("weighted reservoir (Efraimidis–Spirakis A-Res)", () => {
  test("inclusion frequencies over many seeds pass a chi-square test against the exact probabilities at p = 0.01", () => {
    const weights = [1, 2, 3, 4, 5, 6, 0.5, 8];
    const k = 3;
    const runs = 20000;
    const counts = new Array<number>(weights.length).fill(0);
    for (let seed = 0; seed < runs; seed++) {
      const r = new WeightedReservoir<number>(k, seed);
      weights.forEach((w, i) => r.offer(i, w));
      const got = r.sample();
      expect(got.length).toBe(k);
      for (const { item } of got) counts[item]++;
    }
    const expected = inclusion(weights, k).map((q) => q * runs);
    expect(expected.reduce((a, b) => a + b, 0)).toBeCloseTo(k * runs, 6);
    let chi2 = 0;
    for (let i = 0; i < weights.length; i++) chi2 += (counts[i] - expected[i]) ** 2 / expected[i];
    // Chi-square critical value for 7 degrees of freedom at p = 0.01.
    console.log(`weighted reservoir: chi-square ${chi2.toFixed(2)} over ${runs} seeds (critical 18.48 at p = 0.01)`);
    expect(chi2).toBeLessThan(18.475);
    // A sampler that ignored the weights would fail: the heaviest item is far more often in.
    expect(counts[7]).toBeGreaterThan(3 * counts[6]);
  });

  test("the same seed gives the same sample, in stream order; rows without a weight are counted", async () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ text: `row ${i}`, w: i % 10 === 0 ? -1 : 1 + (i % 7) }));
    const counters: Record<string, number> = {};
    const opts = { k: 20, seed: 9, weight: (x: { w: number }) => x.w, counters };
    const a = await sampleReservoir(items, opts);
    const b = await sampleReservoir(items, { ...opts, counters: {} });
    expect(a.rows.map((r) => r.index)).toEqual(b.rows.map((r) => r.index));
    expect([...a.rows.map((r) => r.index)].sort((x, y) => x - y)).toEqual(a.rows.map((r) => r.index));
    expect(counters.dropped_bad_weight).toBe(20);
    expect(a.meta.algorithm).toBe("reservoir-A-Res (Efraimidis-Spirakis)");
  });
});
