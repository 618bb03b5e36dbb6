import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, GammaError } from "../../src/errors.ts";
import type { Backend } from "../../src/gpu/device.ts";
import { nearDedup, type NearDoc, type NearOptions, type NearResult } from "../../src/near/near-dedup.ts";
import { cjkDoc, editWords, nlpDocs } from "./fixtures/corpus.ts";
import { checkGreedy, dupCorpus, exactPairs, score } from "./fixtures/dup-corpus.ts";

const CPU: Backend = { kind: "cpu", reason: "test" };
const work = mkdtempSync(join(tmpdir(), "gamma-near-test-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

export async function* stream(texts: string[], group: (i: number) => string = () => "all"): AsyncGenerator<NearDoc> {
  for (let i = 0; i < texts.length; i++) yield { index: i, docId: `doc-${String(i).padStart(5, "0")}`, text: texts[i], group: group(i) };
}

export function options(o: Partial<NearOptions> = {}): NearOptions {
  return {
    shingle: "word:5",
    numPerm: 128,
    threshold: 0.8,
    seed: 0,
    verify: "estimate",
    selection: "first",
    clusters: "greedy",
    backend: CPU,
    cpuThreads: 1,
    workDir: work,
    ...o,
  };
}

const T = 0.8;
const corpus = dupCorpus(1, 200, 200);
const truth = exactPairs(corpus.texts, "word:5", T);

function explain(s: ReturnType<typeof score>, r: NearResult): string {
  const show = (d: number) => `doc ${d} (${corpus.origin[d]}, similarity ${r.similarity[d]})`;
  return [
    `recall ${s.recall.toFixed(4)} precision ${s.precision.toFixed(4)} lost ${s.clustersLost}`,
    ...s.misses.slice(0, 5).map((d) => `missed ${show(d)}`),
    ...s.wrongly.slice(0, 5).map((d) => `removed wrongly ${show(d)}`),
  ].join("\n");
}

describe("near-duplicate decisions on real text with injected duplicates", () => {
  test("greedy clusters: every dropped document names a kept document at exact Jaccard >= threshold, with that value", async () => {
    for (const selection of ["first", "longest"] as const) {
      const r = await nearDedup(stream(corpus.texts), options({ verify: "exact", clusters: "greedy", selection }));
      const c = checkGreedy(corpus.texts, "word:5", T, r.dupOf, r.similarity);
      expect(c.dropped).toBeGreaterThan(150);
      expect(c.untrue).toEqual([]);
      // Kept pairs at >= T are pairs LSH never made (a 0.8 pair meets in some band with p = 0.98).
      expect(c.keptPairs.length).toBeLessThanOrEqual(c.dropped * 0.01);
      expect(c.keptPairs.filter(([, , s]) => s >= 0.9)).toEqual([]);
    }
  });

  test("components clusters: recall and precision >= 0.99 against brute-force components, similarity as measured", async () => {
    const r = await nearDedup(stream(corpus.texts), options({ verify: "exact", clusters: "components" }));
    const all = new Map(exactPairs(corpus.texts, "word:5", 0).map(([i, j, s]) => [`${i}-${j}`, s]));
    for (let d = 0; d < corpus.texts.length; d++) {
      const t = r.dupOf[d];
      if (t >= 0) expect(Math.abs((all.get(`${Math.min(d, t)}-${Math.max(d, t)}`) ?? 0) - r.similarity[d])).toBeLessThan(1e-6);
    }
    const s = score(corpus.texts.length, truth, r.dupOf);
    expect(s.shouldGo).toBeGreaterThan(150);
    if (s.recall < 0.99 || s.precision < 0.99 || s.clustersLost > 0) throw new Error(explain(s, r));
    // Every removed doc is verified-similar to its kept doc or joined through a chain of such pairs.
    expect(r.stats.verifiedPairs).toBeGreaterThanOrEqual(s.removed);
  });

  test("with estimated verification: every decision outside the estimator's 3-sigma band agrees with exact Jaccard", async () => {
    // The estimate has standard error sqrt(J(1-J)/K) = 0.035 at J = 0.8, K = 128, so pairs within
    // 3 SE of the threshold can fall either way. Outside that band the decisions must be right:
    // docs that should go at T + 3SE are removed, and removed docs should go at T - 3SE.
    const delta = 3 * Math.sqrt((T * (1 - T)) / 128);
    const r = await nearDedup(stream(corpus.texts), options({ verify: "estimate", clusters: "components" }));
    const high = score(corpus.texts.length, exactPairs(corpus.texts, "word:5", T + delta), r.dupOf);
    const low = score(corpus.texts.length, exactPairs(corpus.texts, "word:5", T - delta), r.dupOf);
    const raw = score(corpus.texts.length, truth, r.dupOf);
    console.log(
      `estimate verification at T=${T}: recall ${raw.recall.toFixed(4)}, precision ${raw.precision.toFixed(4)} against exact Jaccard`,
    );
    if (high.recall < 0.99) throw new Error(`clear duplicates missed:\n${explain(high, r)}`);
    if (low.precision < 0.99 || low.clustersLost > 0) throw new Error(`clear non-duplicates removed:\n${explain(low, r)}`);
  });

  test("removes exact and whitespace-variant copies with similarity 1", async () => {
    const base = nlpDocs(6, 77, 10, 20);
    const texts = [...base, base[2], base[4].replace(/ /g, "\n  "), base[4].toUpperCase()];
    const r = await nearDedup(stream(texts), options());
    expect(Array.from(r.dupOf)).toEqual([-1, -1, -1, -1, -1, -1, 2, 4, 4]);
    expect(Array.from(r.similarity.subarray(6))).toEqual([1, 1, 1]);
    expect(r.similarity.subarray(0, 6).every((v) => Number.isNaN(v))).toBe(true);
  });
});

describe("near dedup behaviour", () => {
  test("never matches documents without shingles, even with each other", async () => {
    const texts = ["", "!!!", "   ", "🔥🔥", "", nlpDocs(1, 5)[0]];
    const r = await nearDedup(stream(texts), options());
    expect(Array.from(r.dupOf)).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(r.stats.candidates).toBe(0);
  });

  test("gives the same decisions with 1 and 2 CPU threads and with tiny batches", async () => {
    const sub = corpus.texts.slice(0, 250);
    const a = await nearDedup(stream(sub), options({ cpuThreads: 1 }));
    const b = await nearDedup(stream(sub), options({ cpuThreads: 2 }));
    const c = await nearDedup(stream(sub), options({ cpuThreads: 2, tuning: { batchDocs: 23, batchChars: 20000, pairBatch: 5 } }));
    for (const x of [b, c]) {
      expect(Array.from(x.dupOf)).toEqual(Array.from(a.dupOf));
      expect(Buffer.from(x.similarity.buffer).equals(Buffer.from(a.similarity.buffer))).toBe(true);
    }
    expect(b.stats.candidates).toBe(a.stats.candidates);
    expect(a.dupOf.some((d) => d >= 0)).toBe(true);
  });

  test("dedups within each scope group only", async () => {
    const [x, y] = nlpDocs(2, 9, 10, 20);
    const texts = [x, x, y, x, y];
    const groups = ["s1", "s1", "s1", "s2", "s2"];
    const r = await nearDedup(
      stream(texts, (i) => groups[i]),
      options(),
    );
    expect(Array.from(r.dupOf)).toEqual([-1, 0, -1, -1, -1]);
    const global = await nearDedup(stream(texts), options());
    expect(Array.from(global.dupOf)).toEqual([-1, 0, -1, 0, 2]);
  });

  test("--near-selection longest keeps the longest member, ties to the smaller doc_id", async () => {
    const base = nlpDocs(1, 13, 25, 30)[0];
    const longer = `${base} and one more`;
    const texts = [base, longer, base, `${base} and one mare`];
    const r = await nearDedup(stream(texts), options({ selection: "longest", verify: "exact" }));
    // docs 1 and 3 have the same length: doc-00001 < doc-00003 wins.
    expect(Array.from(r.dupOf)).toEqual([1, -1, 1, 1]);
    const first = await nearDedup(stream(texts), options({ selection: "first", verify: "exact" }));
    expect(Array.from(first.dupOf)).toEqual([-1, 0, 0, 0]);
  });

  test("reports the similarity to the kept document under the chosen verification", async () => {
    const base = nlpDocs(1, 21, 40, 40)[0];
    const texts = [base, editWords(base, 0.01, 3)];
    const r = await nearDedup(stream(texts), options({ verify: "exact" }));
    const [[, , j]] = exactPairs(texts, "word:5", 0);
    expect(r.dupOf[1]).toBe(0);
    expect(r.similarity[1]).toBe(Math.fround(j));
    const est = await nearDedup(stream(texts), options({ verify: "estimate" }));
    expect(Math.abs(est.similarity[1] - j)).toBeLessThan(0.15);
    expect(est.similarity[1] * 128).toBe(Math.round(est.similarity[1] * 128));
  });

  test("char shingles find near-duplicate CJK text", async () => {
    const a = cjkDoc(1, 400);
    const b = `${a.slice(0, 200)}語${a.slice(201)}`;
    const r = await nearDedup(stream([a, cjkDoc(2, 400), b]), options({ shingle: "char:3" }));
    expect(Array.from(r.dupOf)).toEqual([-1, -1, 0]);
    const words = await nearDedup(stream([a, cjkDoc(2, 400), b]), options({ shingle: "word:5" }));
    expect(words.dupOf[2]).toBe(-1); // no spaces: each run between punctuation is one "word"
  });

  test("components drops a chain's far end for its first document; greedy keeps it", async () => {
    // b edits 3% of a's words, c 3% of b's: the threshold sits between a~c and the lower of a~b, b~c.
    const a = nlpDocs(1, 31, 60, 60)[0];
    const b = editWords(a, 0.03, 5);
    const c = editWords(b, 0.03, 6);
    const [ab, bc, ac] = [
      [a, b],
      [b, c],
      [a, c],
    ].map((p) => exactPairs(p, "word:5", 0)[0]?.[2] ?? 0);
    const t = (Math.max(ac, 0) + Math.min(ab, bc)) / 2;
    expect(ac).toBeLessThan(t);
    const o = { verify: "exact" as const, threshold: t, bands: 64, rows: 2 };
    const comp = await nearDedup(stream([a, b, c]), options({ ...o, clusters: "components" }));
    expect(Array.from(comp.dupOf)).toEqual([-1, 0, 0]);
    expect(comp.similarity[2]).toBe(Math.fround(ac));
    const greedy = await nearDedup(stream([a, b, c]), options({ ...o, clusters: "greedy" }));
    expect(Array.from(greedy.dupOf)).toEqual([-1, 0, -1]);
    expect(greedy.similarity[1]).toBe(Math.fround(ab));
  });

  test("greedy verifies a pair once, in the first band its documents share", async () => {
    const a = nlpDocs(1, 51, 30, 30)[0];
    const texts = [a, a, a, a, a, nlpDocs(1, 52, 30, 30)[0]];
    const greedy = await nearDedup(stream(texts), options({ clusters: "greedy" }));
    // Five identical documents meet in all 17 bands: 10 pairs, each verified once.
    expect(greedy.stats.candidates).toBe(10);
    expect(greedy.stats.verifiedPairs).toBe(10);
    expect(Array.from(greedy.dupOf)).toEqual([-1, 0, 0, 0, 0, -1]);
  });

  test("an exact twin follows its twin: dup_of the twin when kept, else the twin's kept document and the similarity to it", async () => {
    const a = nlpDocs(1, 41, 40, 40)[0];
    const b = editWords(a, 0.01, 8);
    async function* docs(): AsyncGenerator<NearDoc> {
      const list = [a, b, b, a];
      const twins = [-1, -1, 1, 0];
      for (let i = 0; i < list.length; i++) yield { index: i, docId: `d${i}`, text: list[i], group: "", twin: twins[i] };
    }
    const r = await nearDedup(docs(), options({ verify: "exact" }));
    const [[, , j]] = exactPairs([a, b], "word:5", 0);
    expect(Array.from(r.dupOf)).toEqual([-1, 0, 0, 0]);
    expect(Array.from(r.similarity.subarray(1))).toEqual([Math.fround(j), Math.fround(j), 1]);
    // Followers enter no band: one candidate pair (0, 1).
    expect(r.stats.candidates).toBe(1);
  });

  test("reports the LSH shape it used and honours --bands/--rows", async () => {
    const texts = corpus.texts.slice(0, 50);
    const auto = await nearDedup(stream(texts), options());
    expect([auto.stats.bands, auto.stats.rows]).toEqual([17, 7]);
    const forced = await nearDedup(stream(texts), options({ bands: 4, rows: 32 }));
    expect([forced.stats.bands, forced.stats.rows]).toEqual([4, 32]);
    expect(forced.stats.backend).toBe("cpu");
    expect(forced.stats.backendReason).toBe("test");
  });

  test("reports progress and cleans up its work files", async () => {
    const seen: number[] = [];
    const before = readdirSync(work).length;
    const r = await nearDedup(stream(corpus.texts.slice(0, 60)), options({ onProgress: (n) => seen.push(n), tuning: { batchDocs: 16 } }));
    expect(r.nDocs).toBe(60);
    expect(seen).toEqual([16, 32, 48, 60]);
    expect(readdirSync(work).length).toBe(before);
  });

  test("rejects out-of-order indices and bad options before doing work", async () => {
    async function* bad(): AsyncGenerator<NearDoc> {
      yield { index: 0, docId: "a", text: "x", group: "" };
      yield { index: 2, docId: "b", text: "y", group: "" };
    }
    await expect(nearDedup(bad(), options())).rejects.toThrow(GammaError);
    await expect(nearDedup(stream(["a"]), options({ shingle: "words:5" }))).rejects.toThrow(ConfigError);
    await expect(nearDedup(stream(["a"]), options({ bands: 3 }))).rejects.toThrow(/--bands and --rows/);
    await expect(nearDedup(stream(["a"]), options({ numPerm: 0 }))).rejects.toThrow(/--num-perm/);
    expect(existsSync(work)).toBe(true);
  });

  test("passes on an error from the document stream and leaves no work files", async () => {
    const before = readdirSync(work).length;
    async function* broken(): AsyncGenerator<NearDoc> {
      yield* stream(corpus.texts.slice(0, 30));
      throw new Error("reader failed at shard 3 line 17");
    }
    await expect(nearDedup(broken(), options({ cpuThreads: 2, tuning: { batchDocs: 8 } }))).rejects.toThrow(/shard 3 line 17/);
    expect(readdirSync(work).length).toBe(before);
  });

  test("handles an empty input", async () => {
    const r = await nearDedup(stream([]), options());
    expect(r.nDocs).toBe(0);
    expect(r.dupOf.length).toBe(0);
  });
});
