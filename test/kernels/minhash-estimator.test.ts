import { describe, expect, test } from "bun:test";
import { CpuMinhash } from "../../src/kernels/minhash.cpu.ts";
import { rng } from "../near/fixtures/corpus.ts";
import { csr } from "./minhash-conformance.ts";

/**
 * For set pairs with a known Jaccard similarity J, the MinHash estimate (share of equal signature
 * positions) must be unbiased and spread like independent permutations would spread it:
 * Binomial(K, J) / K, i.e. variance J(1-J)/K.
 */
describe("MinHash estimator quality", () => {
  const K = 128;
  const M = 300;
  const targets = [0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95];

  /**
   * `structured`: the sets are runs of consecutive integers (shared run, then each side's own
   * run) rather than random words: a weak permutation family shows its correlations there.
   */
  function pairsFor(target: number, seed: number, structured: boolean): { docs: number[][]; j: number[] } {
    const r = rng(seed);
    const docs: number[][] = [];
    const j: number[] = [];
    const seen = new Set<number>();
    const fresh = (): number => {
      for (;;) {
        const v = Math.floor(r() * 0x100000000) >>> 0;
        if (!seen.has(v)) {
          seen.add(v);
          return v;
        }
      }
    };
    for (let p = 0; p < M; p++) {
      seen.clear();
      const union = 150 + Math.floor(r() * 250);
      const shared = Math.round(target * union);
      const onlyA = Math.floor((union - shared) / 2);
      let next = Math.floor(r() * 0x7fffffff);
      const gen = structured ? () => next++ : fresh;
      const common = Array.from({ length: shared }, gen);
      const a = [...common, ...Array.from({ length: onlyA }, gen)];
      const b = [...common, ...Array.from({ length: union - shared - onlyA }, gen)];
      docs.push(a, b);
      j.push(shared / union);
    }
    return { docs, j };
  }

  for (const [seed, structured] of [
    [1, false],
    [0xc0ffee, true],
  ] as const) {
    const sets = structured ? "runs of consecutive integers" : "random words";
    test(`estimates are unbiased within 3 standard errors and binomially spread (${sets}, seed ${seed})`, async () => {
      const kernel = new CpuMinhash({ numPerm: K, seed, bands: 1, rows: K }, 1);
      for (const target of targets) {
        const { docs, j } = pairsFor(target, seed * 31 + Math.round(target * 100), structured);
        const out = await kernel.sign(csr(docs));
        const pairs = new Uint32Array(2 * M);
        for (let p = 0; p < M; p++) [pairs[2 * p], pairs[2 * p + 1]] = [2 * p, 2 * p + 1];
        const counts = await kernel.countEqual(out.signatures, pairs);
        let bias = 0;
        let sq = 0;
        let model = 0;
        for (let p = 0; p < M; p++) {
          const err = counts[p] / K - j[p];
          bias += err;
          sq += err * err;
          model += (j[p] * (1 - j[p])) / K;
        }
        bias /= M;
        model /= M; // expected variance of one estimate
        const se = Math.sqrt(model / M);
        const spread = sq / M / model; // 1 for independent permutations
        if (Math.abs(bias) >= 3 * se || spread < 0.7 || spread > 1.4) {
          throw new Error(
            `J=${target}: mean error ${bias.toFixed(4)} (3 SE = ${(3 * se).toFixed(4)}), variance ratio ${spread.toFixed(3)}`,
          );
        }
        expect(Math.abs(bias)).toBeLessThan(3 * se);
      }
      await kernel.dispose();
    });
  }
});
