import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import {
  DATASKETCH_WEIGHTS,
  candidateProbability,
  falseNegativeArea,
  falsePositiveArea,
  optimalBandsRows,
  resolveBandsRows,
} from "../../src/near/lsh-params.ts";

describe("LSH bands x rows", () => {
  // Expected answers computed with scipy.integrate.quad over the same objective (datasketch's
  // _optimal_param: false-positive area below T + false-negative area above T), first with
  // datasketch's weights 0.5/0.5, then with gamma's 0.02/0.98.
  const datasketch: [number, number, number, number][] = [
    [0.8, 128, 9, 13],
    [0.5, 128, 25, 5],
    [0.9, 128, 5, 25],
    [0.7, 256, 25, 10],
    [0.8, 64, 5, 11],
    [0.85, 128, 8, 16],
    [0.6, 32, 6, 5],
  ];
  for (const [t, k, b, r] of datasketch) {
    test(`with datasketch's weights chooses ${b} bands x ${r} rows for threshold ${t}, ${k} permutations`, () => {
      const c = optimalBandsRows(t, k, DATASKETCH_WEIGHTS);
      expect([c.bands, c.rows]).toEqual([b, r]);
    });
  }
  const gamma: [number, number, number, number][] = [
    [0.8, 128, 17, 7],
    [0.7, 128, 23, 5],
    [0.9, 128, 10, 12],
    [0.5, 256, 64, 4],
  ];
  for (const [t, k, b, r] of gamma) {
    test(`by default weighs misses 49:1 and chooses ${b} bands x ${r} rows for threshold ${t}, ${k} permutations`, () => {
      const c = optimalBandsRows(t, k);
      expect([c.bands, c.rows]).toEqual([b, r]);
      expect(candidateProbability(t, b, r)).toBeGreaterThan(0.95);
    });
  }

  test("integrates the S-curve areas like scipy's quad", () => {
    expect(falsePositiveArea(0.8, 9, 13)).toBeCloseTo(0.025311863203367216, 8);
    expect(falseNegativeArea(0.8, 9, 13)).toBeCloseTo(0.033282136012204096, 8);
    expect(falsePositiveArea(0.5, 25, 5)).toBeCloseTo(0.053721591197238995, 8);
    expect(falseNegativeArea(0.5, 25, 5)).toBeCloseTo(0.03375250944883258, 8);
  });

  test("the candidate probability is the S-curve 1 - (1 - s^r)^b", () => {
    expect(candidateProbability(0, 9, 13)).toBe(0);
    expect(candidateProbability(1, 9, 13)).toBe(1);
    expect(candidateProbability(0.8, 9, 13)).toBeCloseTo(1 - (1 - 0.8 ** 13) ** 9, 12);
  });

  test("--bands and --rows override the choice, together", () => {
    const c = resolveBandsRows(0.8, 128, 16, 8);
    expect([c.bands, c.rows]).toEqual([16, 8]);
    expect(() => resolveBandsRows(0.8, 128, 16)).toThrow(ConfigError);
    expect(() => resolveBandsRows(0.8, 128, 16, 9)).toThrow(/bands\*rows <= --num-perm 128/);
  });

  test("rejects thresholds outside (0, 1) with the flag's name", () => {
    for (const t of [0, 1, -0.5, 1.5, Number.NaN]) expect(() => optimalBandsRows(t, 128)).toThrow(/--threshold/);
  });
});
