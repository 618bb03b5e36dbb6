import { describe, expect, test } from "bun:test";
import { mulHi32, SplitMix64 } from "../../src/ingest/splitmix64.ts";

/** SplitMix64 written directly from its definition in BigInt, as an independent reference. */
function* reference(seed: bigint) {
  const M = (1n << 64n) - 1n;
  let s = seed;
  for (;;) {
    s = (s + 0x9e3779b97f4a7c15n) & M;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    yield z ^ (z >> 31n);
  }
}

describe("SplitMix64", () => {
  test("matches the published sequence for seed 1234567 (also computed with Python)", () => {
    const g = new SplitMix64(1234567);
    expect([g.nextBigInt(), g.nextBigInt(), g.nextBigInt()]).toEqual([6457827717110365317n, 3203168211198807973n, 9817491932198370423n]);
    const z = new SplitMix64(0);
    expect(z.nextBigInt()).toBe(16294208416658607535n);
  });

  test("matches a BigInt reference over thousands of outputs, for seeds up to 2^64-1", () => {
    for (const seed of [1n, 42n, 2n ** 32n - 1n, 2n ** 53n - 1n, 2n ** 64n - 1n, 0xdeadbeefcafebaben]) {
      const g = new SplitMix64(seed);
      const r = reference(seed);
      for (let i = 0; i < 3000; i++) {
        const want = r.next().value as bigint;
        const got = g.nextBigInt();
        if (got !== want) throw new Error(`seed ${seed}, output ${i}: got ${got}, want ${want}`);
      }
    }
  });

  test("mulHi32 is the high word of the full product", () => {
    const g = new SplitMix64(7);
    for (let i = 0; i < 2000; i++) {
      const [a, b] = g.next64();
      expect(mulHi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
  });

  test("below(n) stays in range on both the 32-bit and the 53-bit path", () => {
    const g = new SplitMix64(99);
    for (const n of [1, 2, 3, 1000, 2 ** 32, 2 ** 32 + 5, 2 ** 53 - 1]) {
      for (let i = 0; i < 500; i++) {
        const x = g.below(n);
        expect(Number.isInteger(x) && x >= 0 && x < n).toBe(true);
      }
    }
    expect(() => g.below(0)).toThrow(RangeError);
  });

  test("below(10) is uniform (chi-square, 9 degrees of freedom, p = 0.001)", () => {
    const g = new SplitMix64(2024);
    const counts = new Array(10).fill(0);
    const N = 100_000;
    for (let i = 0; i < N; i++) counts[g.below(10)]++;
    const chi = counts.reduce((s, c) => s + (c - N / 10) ** 2 / (N / 10), 0);
    expect(chi).toBeLessThan(27.88);
  });

  test("refuses seeds it cannot represent exactly", () => {
    expect(() => new SplitMix64(-1)).toThrow(RangeError);
    expect(() => new SplitMix64(2 ** 53)).toThrow(RangeError);
    expect(() => new SplitMix64(1.5)).toThrow(RangeError);
    expect(() => new SplitMix64(1n << 64n)).toThrow(RangeError);
  });
});
