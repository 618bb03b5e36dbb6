import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { sha256Hex } from "../../src/io/hash.ts";
import { exactCounts, parseSplits, Reservoir, sampleReservoir, splitOf } from "../../src/ingest/reservoir.ts";
import { SplitMix64 } from "../../src/ingest/splitmix64.ts";
import { sentences } from "./corpus-text.ts";

/** Pearson's chi-square statistic against a flat expectation. */
function chiSquare(counts: number[], expected: number): number {
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}
// chi-square critical value, 19 degrees of freedom, p = 0.001
const CHI2_19_P001 = 43.82;

const N = 20;
const K = 5;
const RUNS = 4000;

describe("reservoir sampling", () => {
  test("every item is kept with probability k/n over many seeds (chi-square)", () => {
    const counts = new Array(N).fill(0);
    for (let seed = 1; seed <= RUNS; seed++) {
      const r = new Reservoir<number>(K, seed);
      for (let i = 0; i < N; i++) r.offer(i);
      for (const { item } of r.sample()) counts[item]++;
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(RUNS * K);
    expect(chiSquare(counts, (RUNS * K) / N)).toBeLessThan(CHI2_19_P001);
  });

  test("the same statistic catches an off-by-one sampler (the test has power)", () => {
    const counts = new Array(N).fill(0);
    for (let seed = 1; seed <= RUNS; seed++) {
      const rng = new SplitMix64(seed);
      const slots: number[] = [];
      for (let i = 0; i < N; i++) {
        if (i < K) slots.push(i);
        else {
          const j = rng.below(i); // wrong: should be below(i + 1)
          if (j < K) slots[j] = i;
        }
      }
      for (const x of slots) counts[x]++;
    }
    expect(chiSquare(counts, (RUNS * K) / N)).toBeGreaterThan(CHI2_19_P001);
  });

  const items = sentences(400, 1000).map((text, i) => ({ text, id: i }));

  test("the same seed and input give the same uids and splits; another seed gives another sample", async () => {
    const splits = parseSplits("train=0.8,val=0.1,test=0.1");
    const a = await sampleReservoir(items, { k: 25, seed: 42, splits });
    const b = await sampleReservoir(items, { k: 25, seed: 42, splits });
    const c = await sampleReservoir(items, { k: 25, seed: 43, splits });
    expect(a.rows.length).toBe(25);
    expect(b.rows.map((r) => [r.uid, r.split, r.index])).toEqual(a.rows.map((r) => [r.uid, r.split, r.index]));
    expect(c.rows.map((r) => r.uid)).not.toEqual(a.rows.map((r) => r.uid));
    for (const r of a.rows) {
      expect(r.uid).toBe(new Bun.CryptoHasher("sha256").update(items[r.index].text).digest("hex"));
      expect(r.item).toBe(items[r.index]);
    }
    expect(a.rows.map((r) => r.index)).toEqual([...a.rows.map((r) => r.index)].sort((x, y) => x - y));
  });

  test("a document keeps its split whatever the seed", async () => {
    const splits = parseSplits("train=0.5,test=0.5");
    const seen = new Map<string, string>();
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const r of (await sampleReservoir(items, { k: 60, seed, splits })).rows) {
        if (seen.has(r.uid)) expect(r.split).toBe(seen.get(r.uid)!);
        seen.set(r.uid, r.split);
      }
    }
  });

  test("hash splits follow the fractions", () => {
    const splits = parseSplits("train=0.8,val=0.1,test=0.1");
    const counts: Record<string, number> = { train: 0, val: 0, test: 0 };
    const M = 20_000;
    for (let i = 0; i < M; i++) counts[splitOf(sha256Hex(`doc ${i}`), splits)]++;
    // within 5 standard deviations of the binomial mean
    expect(Math.abs(counts.train - 0.8 * M)).toBeLessThan(5 * Math.sqrt(M * 0.8 * 0.2));
    expect(Math.abs(counts.val - 0.1 * M)).toBeLessThan(5 * Math.sqrt(M * 0.1 * 0.9));
  });

  test("exact mode cuts 120 into 96/12/12", async () => {
    const r = await sampleReservoir(items, { k: 120, seed: 7, splits: parseSplits("train=0.8,val=0.1,test=0.1"), splitMode: "exact" });
    const count = (s: string) => r.rows.filter((x) => x.split === s).length;
    expect([count("train"), count("val"), count("test")]).toEqual([96, 12, 12]);
    expect(exactCounts(10, parseSplits("a=0.34,b=0.33,c=0.33"))).toEqual([4, 3, 3]);
  });

  test("with k at least the stream length everything eligible is kept, in order", async () => {
    const r = await sampleReservoir(items.slice(0, 30), { k: 100, seed: 1 });
    expect(r.rows.map((x) => x.index)).toEqual([...Array(30).keys()]);
    expect(r.rows.every((x) => x.split === "train")).toBe(true);
  });

  test("pre-filters drop and count items; indices stay stream positions", async () => {
    const stream = [
      { text: "" },
      { text: "short" },
      { text: "a".repeat(300) },
      { text: "just right here" },
      { notext: 1 } as { text?: string },
      { text: "also fine here" },
    ];
    const counters: Record<string, number> = {};
    const r = await sampleReservoir(stream, { k: 10, seed: 1, filters: { minChars: 10, maxChars: 256 }, counters });
    expect(r.rows.map((x) => x.index)).toEqual([3, 5]);
    expect(counters).toEqual({ dropped_empty: 1, dropped_too_short: 1, dropped_too_long: 1, dropped_no_text: 1 });
    expect(r.meta).toMatchObject({ algorithm: "reservoir-R", prng: "splitmix64", seed: "1", k: 10, seen: 6, eligible: 2 });
  });

  test("dedupe skips texts seen earlier, after NFKC, whitespace and case folding, before sampling", async () => {
    const stream = [{ text: "Same  text" }, { text: "other text" }, { text: "same text\n" }, { text: "ＳＡＭＥ text" }, { text: "third" }];
    const counters: Record<string, number> = {};
    const r = await sampleReservoir(stream, { k: 3, seed: 1, dedupe: true, counters });
    expect(r.rows.map((x) => x.index)).toEqual([0, 1, 4]);
    expect(counters).toEqual({ dropped_duplicate: 2 });
  });

  test("dedupe before sampling still fills k rows when the stream has k distinct texts", async () => {
    const stream = Array.from({ length: 400 }, (_, i) => ({ text: `text number ${i % 50}` }));
    for (const seed of [1, 2, 3]) {
      const r = await sampleReservoir(stream, { k: 50, seed, dedupe: true });
      expect(new Set(r.rows.map((x) => x.uid)).size).toBe(50);
    }
  });

  test("empty and punctuation-only texts are skipped and counted", async () => {
    const counters: Record<string, number> = {};
    const r = await sampleReservoir([{ text: "  " }, { text: "?!…--" }, { text: "ok 1" }], { k: 3, seed: 1, counters });
    expect(r.rows.map((x) => x.text)).toEqual(["ok 1"]);
    expect(counters).toEqual({ dropped_empty: 1, dropped_punctuation_only: 1 });
  });

  test("bad split specs are ConfigErrors", () => {
    expect(() => parseSplits("train=0.8,val=0.1")).toThrow(ConfigError);
    expect(() => parseSplits("train=0.8,train=0.2")).toThrow(/twice/);
    expect(() => parseSplits("train:1")).toThrow(/name=fraction/);
    expect(() => parseSplits("a=1,b=0")).toThrow(/> 0/);
  });
});
