import { describe, expect, test } from "bun:test";
import { ALL_PAIRS_MAX, bucketPairs, buckets, scopedKey, sortByKey } from "../../src/near/candidates.ts";
import { selectKept } from "../../src/near/select.ts";
import { UnionFind } from "../../src/near/union-find.ts";
import { rng } from "./fixtures/corpus.ts";

describe("band buckets", () => {
  test("radix-sorts (key, doc) by key, keeping docs ascending within a key", () => {
    const r = rng(4);
    const n = 5000;
    const keys = new Uint32Array(n);
    const docs = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      keys[i] = r() < 0.5 ? Math.floor(r() * 40) : Math.floor(r() * 0x100000000);
      docs[i] = i;
    }
    const want = Array.from(docs).sort((a, b) => keys[a] - keys[b] || a - b);
    const wantKeys = want.map((d) => keys[d]);
    sortByKey(keys, docs);
    expect(Array.from(docs)).toEqual(want);
    expect(Array.from(keys)).toEqual(wantKeys);
  });

  test("yields runs of equal keys with two or more docs, split by scope group", () => {
    const keys = new Uint32Array([1, 1, 2, 3, 3, 3, 3]);
    const docs = new Uint32Array([4, 9, 5, 0, 1, 2, 3]);
    expect(Array.from(buckets(keys, docs, null), (b) => Array.from(b))).toEqual([
      [4, 9],
      [0, 1, 2, 3],
    ]);
    const groups = new Uint32Array([0, 1, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(buckets(keys, docs, groups), (b) => Array.from(b))).toEqual([
      [0, 2],
      [1, 3],
    ]);
  });

  test("folds the scope group into the key, leaving group 0 keys unchanged", () => {
    expect(scopedKey(12345, 0)).toBe(12345);
    expect(scopedKey(12345, 1)).not.toBe(scopedKey(12345, 2));
  });

  test("pairs all members of a small bucket, and star plus chain for a large one", () => {
    const got: string[] = [];
    bucketPairs(new Uint32Array([2, 5, 7]), (i, j) => got.push(`${i}-${j}`));
    expect(got).toEqual(["2-5", "2-7", "5-7"]);
    const m = ALL_PAIRS_MAX + 8;
    const big = new Uint32Array(Array.from({ length: m }, (_, i) => 10 + i));
    const pairs: [number, number][] = [];
    bucketPairs(big, (i, j) => pairs.push([i, j]));
    expect(pairs.length).toBe(2 * m - 3);
    expect(pairs.every(([i, j]) => i < j)).toBe(true);
    // Connected: union-find over the pairs puts every member in one set.
    const uf = new UnionFind(10 + m);
    for (const [i, j] of pairs) uf.union(i, j);
    expect(new Set(Array.from(big, (d) => uf.find(d))).size).toBe(1);
  });
});

describe("clusters and the kept document", () => {
  test("union-find roots each set at its smallest index whatever the union order", () => {
    const a = new UnionFind(6);
    const b = new UnionFind(6);
    for (const [i, j] of [
      [4, 5],
      [1, 4],
      [2, 3],
    ])
      a.union(i, j);
    for (const [i, j] of [
      [2, 3],
      [5, 1],
      [4, 5],
    ])
      b.union(i, j);
    expect([0, 1, 2, 3, 4, 5].map((d) => a.find(d))).toEqual([0, 1, 2, 2, 1, 1]);
    expect([0, 1, 2, 3, 4, 5].map((d) => b.find(d))).toEqual([0, 1, 2, 2, 1, 1]);
    expect(a.union(1, 5)).toBe(false);
  });

  test("first keeps the earliest document of each cluster", () => {
    const uf = new UnionFind(5);
    uf.union(3, 1);
    uf.union(4, 3);
    expect(Array.from(selectKept(uf, 5, "first", [1, 1, 1, 1, 1], ["a", "b", "c", "d", "e"]))).toEqual([-1, -1, -1, 1, 1]);
  });

  test("longest keeps the most bytes, then the smaller doc_id, then the earlier document", () => {
    const uf = new UnionFind(6);
    uf.union(0, 1);
    uf.union(1, 2);
    uf.union(3, 4);
    uf.union(4, 5);
    const lengths = [10, 30, 30, 7, 7, 7];
    const ids = ["x", "zz", "yy", "b", "a", "a"];
    expect(Array.from(selectKept(uf, 6, "longest", lengths, ids))).toEqual([2, 2, -1, 4, -1, 4]);
  });
});
