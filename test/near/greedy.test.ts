import { describe, expect, test } from "bun:test";
import { ALL_PAIRS_MAX, bucketPairs } from "../../src/near/candidates.ts";
import { greedyKeep, PassingPairs, preferenceOrder } from "../../src/near/greedy.ts";
import { rng } from "./fixtures/corpus.ts";

function pairsOf(list: [number, number, number][]): PassingPairs {
  const p = new PassingPairs();
  for (const [i, j] of list) p.add(i, j);
  return p;
}

/** greedyKeep over `list` (i < j, similarity), the similarities answered from the list. */
function greedy(n: number, list: [number, number, number][], selection: "first" | "longest", lengths: number[]) {
  const sim = new Map(list.map(([i, j, s]) => [`${i}-${j}`, s]));
  const asked: string[] = [];
  const similarities = async (q: Uint32Array) =>
    Float64Array.from({ length: q.length / 2 }, (_, p) => {
      asked.push(`${q[2 * p]}-${q[2 * p + 1]}`);
      return sim.get(`${q[2 * p]}-${q[2 * p + 1]}`)!;
    });
  return greedyKeep(n, pairsOf(list), selection, lengths, ids(n), similarities, 3).then((r) => ({ ...r, asked }));
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `d${i}`);

describe("passing pairs", () => {
  test("keeps every pair in order across chunks", () => {
    const p = new PassingPairs();
    const n = PassingPairs.CHUNK + 5;
    for (let k = 0; k < n; k++) p.add(k, k + 1 + (k % 7));
    expect(p.length).toBe(n);
    const chunks = Array.from(p.chunks());
    expect(chunks.map((c) => c.lo.length)).toEqual([PassingPairs.CHUNK, 5]);
    const last = chunks[1]!;
    expect([last.lo[4], last.hi[4]]).toEqual([n - 1, n - 1 + 1 + ((n - 1) % 7)]);
    Array.from(p.chunks(true));
    expect(() => Array.from(p.chunks())).toThrow(/released/);
  });
});

describe("greedy selection", () => {
  test("a chain A~B~C keeps C when A and C are not verified neighbours", async () => {
    const r = await greedy(
      3,
      [
        [0, 1, 0.85],
        [1, 2, 0.85],
      ],
      "first",
      [1, 1, 1],
    );
    expect(Array.from(r.dupOf)).toEqual([-1, 0, -1]);
    expect(r.similarity[1]).toBe(Math.fround(0.85));
    expect(Number.isNaN(r.similarity[2])).toBe(true);
  });

  test("a pair listed twice decides as if listed once", async () => {
    const once = await greedy(
      4,
      [
        [0, 1, 0.9],
        [1, 2, 0.85],
        [2, 3, 0.95],
      ],
      "first",
      [1, 1, 1, 1],
    );
    const twice = await greedy(
      4,
      [
        [0, 1, 0.9],
        [1, 2, 0.85],
        [0, 1, 0.9],
        [2, 3, 0.95],
        [2, 3, 0.95],
      ],
      "first",
      [1, 1, 1, 1],
    );
    expect(Array.from(twice.dupOf)).toEqual(Array.from(once.dupOf));
    expect(Array.from(once.dupOf)).toEqual([-1, 0, -1, 2]);
  });

  test("names the kept neighbour with the highest similarity, ties to the one preferred first", async () => {
    // 0 and 1 are both kept (not neighbours); 2 is a neighbour of both.
    const high = await greedy(
      3,
      [
        [0, 2, 0.82],
        [1, 2, 0.9],
      ],
      "first",
      [1, 1, 1],
    );
    expect(Array.from(high.dupOf)).toEqual([-1, -1, 1]);
    expect(high.similarity[2]).toBe(Math.fround(0.9));
    const tie = await greedy(
      3,
      [
        [1, 2, 0.9],
        [0, 2, 0.9],
      ],
      "first",
      [1, 1, 1],
    );
    expect(tie.dupOf[2]).toBe(0);
    // longest: doc 1 is visited first, so it wins the tie.
    const longest = await greedy(
      3,
      [
        [1, 2, 0.9],
        [0, 2, 0.9],
      ],
      "longest",
      [5, 9, 1],
    );
    expect(Array.from(longest.dupOf)).toEqual([-1, -1, 1]);
  });

  test("longest visits most bytes first, then the smaller doc_id, then the earlier position", () => {
    const order = preferenceOrder(new Uint32Array([0, 1, 2, 3, 4]), "longest", [3, 7, 7, 7, 1], ["e", "b", "a", "a", "z"]);
    expect(Array.from(order)).toEqual([2, 3, 1, 0, 4]);
    expect(Array.from(preferenceOrder(new Uint32Array([4, 1, 3]), "first", [], []))).toEqual([1, 3, 4]);
  });

  test("on random graphs every dropped document names a kept neighbour and no two kept documents are neighbours", async () => {
    const r = rng(11);
    for (const selection of ["first", "longest"] as const) {
      const n = 400;
      const list: [number, number, number][] = [];
      const seen = new Set<string>();
      for (let k = 0; k < 900; k++) {
        const i = Math.floor(r() * n);
        const j = Math.floor(r() * n);
        const key = `${Math.min(i, j)}-${Math.max(i, j)}`;
        if (i === j || seen.has(key)) continue;
        seen.add(key);
        list.push([Math.min(i, j), Math.max(i, j), 0.8 + Math.floor(r() * 20) / 100]);
      }
      const lengths = Array.from({ length: n }, () => Math.floor(r() * 50));
      const g = await greedy(n, list, selection, lengths);
      const sim = new Map(list.map(([i, j, s]) => [`${i}-${j}`, Math.fround(s)]));
      const edge = (a: number, b: number) => sim.get(`${Math.min(a, b)}-${Math.max(a, b)}`);
      let dropped = 0;
      for (let d = 0; d < n; d++) {
        const t = g.dupOf[d];
        if (t < 0) continue;
        dropped++;
        expect(g.dupOf[t]).toBe(-1);
        expect(edge(d, t)).toBe(g.similarity[d]);
      }
      for (const [i, j] of list) expect(g.dupOf[i]! >= 0 || g.dupOf[j]! >= 0).toBe(true);
      // Only pairs of a dropped document with a kept one are measured again.
      for (const k of g.asked) {
        const [i, j] = k.split("-").map(Number) as [number, number];
        expect((g.dupOf[i] === -1) !== (g.dupOf[j] === -1)).toBe(true);
      }
      expect(dropped).toBeGreaterThan(100);
    }
  });
});

describe("large buckets under greedy selection", () => {
  test("a hub member is paired with every other member, no pair twice", () => {
    const m = ALL_PAIRS_MAX + 10;
    const members = new Uint32Array(Array.from({ length: m }, (_, i) => 100 + 2 * i));
    for (const hub of [0, 1, 2, 17, m - 1]) {
      const seen = new Set<string>();
      bucketPairs(
        members,
        (i, j) => {
          expect(i).toBeLessThan(j);
          const k = `${i}-${j}`;
          expect(seen.has(k)).toBe(false);
          seen.add(k);
        },
        hub,
      );
      for (let b = 0; b < m; b++)
        if (b !== hub) expect(seen.has(`${Math.min(members[b], members[hub])}-${Math.max(members[b], members[hub])}`)).toBe(true);
    }
  });
});
