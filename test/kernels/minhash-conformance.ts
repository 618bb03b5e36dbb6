/**
 * One conformance suite for every MinHash twin: each case compares the kernel's bytes with the
 * BigInt reference in ./minhash-reference.ts. Registered by minhash-cpu.test.ts and
 * minhash-gpu.test.ts.
 */
import { describe, expect, test } from "bun:test";
import type { MinHashKernel, MinHashParams } from "../../src/kernels/minhash.ts";
import { countEqualRef, permConstantsRef, piRef, signRef } from "./minhash-reference.ts";
import { rng } from "../near/fixtures/corpus.ts";

export interface KernelFactory {
  /** `tiny`: the smallest batch limits the twin has (many dispatches / workers per call). */
  make(params: MinHashParams, opts: { tiny: boolean }): Promise<MinHashKernel>;
  /** Runs a test body; the GPU factory wraps it in validation error scopes. */
  guard?<T>(fn: () => Promise<T>): Promise<T>;
}

const P: MinHashParams = { numPerm: 128, seed: 12345, bands: 9, rows: 13 };

export function randomDocs(seed: number, nDocs: number, maxLen: number, emptyEvery = 0): number[][] {
  const r = rng(seed);
  return Array.from({ length: nDocs }, (_, d) => {
    if (emptyEvery > 0 && d % emptyEvery === emptyEvery - 1) return [];
    const n = Math.floor(r() * (maxLen + 1));
    // A small alphabet now and then, so documents share shingles and repeat them.
    const alphabet = r() < 0.3 ? 64 : 0x100000000;
    return Array.from({ length: n }, () => Math.floor(r() * alphabet) >>> 0);
  });
}

export function fixedDoc(seed: number, n: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Math.floor(r() * 0x100000000) >>> 0);
}

export function csr(docs: number[][]): { hashes: Uint32Array; offsets: Uint32Array } {
  const offsets = new Uint32Array(docs.length + 1);
  docs.forEach((d, i) => (offsets[i + 1] = offsets[i] + d.length));
  const hashes = new Uint32Array(offsets[docs.length]);
  docs.forEach((d, i) => hashes.set(d, offsets[i]));
  return { hashes, offsets };
}

/** Asserts kernel output == reference, reporting the first mismatch as `doc d, perm k`. */
export function expectMatchesReference(docs: number[][], out: { signatures: Uint32Array; bandKeys: Uint32Array }, p: MinHashParams): void {
  expect(out.signatures.length).toBe(docs.length * p.numPerm);
  expect(out.bandKeys.length).toBe(docs.length * p.bands);
  for (let d = 0; d < docs.length; d++) {
    const ref = signRef(docs[d], p);
    for (let k = 0; k < p.numPerm; k++) {
      const got = out.signatures[d * p.numPerm + k];
      if (got !== ref.sig[k]) throw new Error(`doc ${d}, perm ${k}: kernel=${got} reference=${ref.sig[k]}`);
    }
    for (let b = 0; b < p.bands; b++) {
      const got = out.bandKeys[d * p.bands + b];
      if (got !== ref.keys[b]) throw new Error(`doc ${d}, band ${b}: kernel=${got} reference=${ref.keys[b]}`);
    }
  }
}

/** `skip`: register the cases as skipped (no adapter), so the report still lists them. */
export function minhashConformance(name: string, factory: KernelFactory, skip = false): void {
  const guard = <T>(fn: () => Promise<T>): Promise<T> => (factory.guard ? factory.guard(fn) : fn());
  const withKernel = (p: MinHashParams, tiny: boolean, fn: (k: MinHashKernel) => Promise<void>) =>
    guard(async () => {
      const k = await factory.make(p, { tiny });
      try {
        await fn(k);
      } finally {
        await k.dispose();
      }
    });

  describe.skipIf(skip)(`${name} conforms to the MinHash contract`, () => {
    test("signs known-answer vectors exactly like the scalar BigInt reference", () =>
      withKernel(P, false, async (k) => {
        const docs = [[1, 2, 3], [0xffffffff, 0, 0x80000000], [42], [7, 7, 7, 7], ...randomDocs(1, 12, 50)];
        expectMatchesReference(docs, await k.sign(csr(docs)), P);
      }));

    test("gives a document with no shingles the all-0xFFFFFFFF sentinel and matches it with nothing", () =>
      withKernel(P, false, async (k) => {
        const docs = [[], [5, 6], []];
        const out = await k.sign(csr(docs));
        expect(Array.from(out.signatures.subarray(0, P.numPerm)).every((v) => v === 0xffffffff)).toBe(true);
        expectMatchesReference(docs, out, P);
        const counts = await k.countEqual(out.signatures, new Uint32Array([0, 2, 0, 1, 1, 1]));
        expect(Array.from(counts)).toEqual([0, 0, P.numPerm]);
      }));

    test("a single shingle's signature is that shingle under every permutation", () =>
      withKernel(P, false, async (k) => {
        const h = 0xdeadbeef;
        const out = await k.sign(csr([[h]]));
        const c = permConstantsRef(P.seed, P.numPerm);
        for (let i = 0; i < P.numPerm; i++) expect(out.signatures[i]).toBe(Number(piRef(h, c[2 * i], c[2 * i + 1])));
      }));

    test("signs a document longer than one workgroup tile", () =>
      withKernel(P, false, async (k) => {
        // 2,600 hashes: more than two tiles of the largest tile the GPU twin uses (1,024).
        const docs = [[], fixedDoc(3, 2600), [1]];
        expectMatchesReference(docs, await k.sign(csr(docs)), P);
      }));

    test("handles doc counts that are not a multiple of the workgroup size", () =>
      withKernel(P, false, async (k) => {
        for (const n of [1, 63, 65, 129]) {
          const docs = randomDocs(100 + n, n, 12, 9);
          expectMatchesReference(docs, await k.sign(csr(docs)), P);
        }
      }));

    test("signs more documents than one dispatch holds, and a document bigger than one dispatch", () =>
      withKernel(P, true, async (k) => {
        const docs = randomDocs(5, 180, 16, 11);
        docs[37] = fixedDoc(6, 1300);
        expectMatchesReference(docs, await k.sign(csr(docs)), P);
      }));

    test("counts equal signature positions per candidate pair, never counting the sentinel", () =>
      withKernel(P, true, async (k) => {
        const r = rng(9);
        const K = P.numPerm;
        const rows = 40;
        const sigs = new Uint32Array(rows * K);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < K; j++) {
            // Rows share a base signature with per-row noise; some positions hold the sentinel.
            const base = (j * 2654435761) >>> 0;
            sigs[i * K + j] = r() < 0.1 ? 0xffffffff : r() < 0.3 + (i % 5) * 0.15 ? Math.floor(r() * 1e9) : base;
          }
        }
        const pairs: number[] = [];
        for (let i = 0; i < rows; i++) for (let j = 0; j < rows; j++) pairs.push(i, j);
        const counts = await k.countEqual(sigs, new Uint32Array(pairs));
        for (let p = 0; p < pairs.length / 2; p++) {
          const [i, j] = [pairs[2 * p], pairs[2 * p + 1]];
          const want = countEqualRef(sigs.subarray(i * K, i * K + K), sigs.subarray(j * K, j * K + K));
          if (counts[p] !== want) throw new Error(`pair ${p} (${i},${j}): kernel=${counts[p]} reference=${want}`);
        }
        expect(counts.some((c) => c > 0 && c < K)).toBe(true);
      }));

    test("accepts other permutation counts and band shapes", () =>
      guard(async () => {
        for (const p of [
          { numPerm: 100, seed: 1, bands: 7, rows: 14 },
          { numPerm: 1, seed: 0xffffffff, bands: 1, rows: 1 },
          { numPerm: 256, seed: 2, bands: 25, rows: 10 },
          { numPerm: 64, seed: 3, bands: 64, rows: 1 },
        ]) {
          await withKernel(p, false, async (k) => {
            const docs = randomDocs(p.numPerm, 9, 30, 4);
            expectMatchesReference(docs, await k.sign(csr(docs)), p);
          });
        }
      }));

    test("keeps overlapping calls apart", () =>
      withKernel(P, true, async (k) => {
        const batches = [randomDocs(21, 30, 20), randomDocs(22, 7, 90), randomDocs(23, 50, 5, 3)];
        const outs = await Promise.all(batches.map((b) => k.sign(csr(b))));
        outs.forEach((o, i) => expectMatchesReference(batches[i], o, P));
      }));

    test("signs an empty batch", () =>
      withKernel(P, false, async (k) => {
        const out = await k.sign({ hashes: new Uint32Array(0), offsets: new Uint32Array([0]) });
        expect(out.signatures.length).toBe(0);
        expect(out.bandKeys.length).toBe(0);
        expect((await k.countEqual(new Uint32Array(0), new Uint32Array(0))).length).toBe(0);
      }));
  });
}
