import { afterEach, describe, expect, test } from "bun:test";
import { runShingleSign } from "../../src/kernels/cpu-jobs.ts";
import { CpuMinhash } from "../../src/kernels/minhash.cpu.ts";
import { nearWasm, useWasmKernels } from "../../src/kernels/near-wasm.ts";
import { Shingler } from "../../src/near/shingle.ts";
import { brownTexts } from "../near/fixtures/corpus.ts";
import { csr, expectMatchesReference, randomDocs } from "./minhash-conformance.ts";

afterEach(() => useWasmKernels(true));

describe("WebAssembly kernels and the JavaScript twin", () => {
  test("the WebAssembly SIMD module compiles here (the fast path is really taken)", () => {
    expect(nearWasm()).not.toBeNull();
    expect(new Shingler({ kind: "word", n: 5 }).wasm).not.toBeNull();
  });

  test("the JavaScript twin alone matches the BigInt reference, and so does the WebAssembly kernel", async () => {
    // 37 -> 10 blocks of 4 permutations: two grouped passes of 4 blocks, then 2 single ones;
    // 16 is one grouped pass, 12 and 1 single blocks only, 68 four groups and a single block.
    for (const numPerm of [37, 16, 12, 1, 68]) {
      const params = { numPerm, seed: 4242 + numPerm, bands: 1, rows: numPerm };
      const docs = randomDocs(5, 120, 70, 9);
      for (const on of [true, false]) {
        useWasmKernels(on);
        const k = new CpuMinhash(params, 0);
        expectMatchesReference(docs, await k.sign(csr(docs)), params);
        await k.dispose();
      }
    }
  });

  test("shingling and signing give the same bytes with and without WebAssembly", () => {
    const texts = brownTexts().slice(0, 40);
    const params = { numPerm: 128, seed: 1, bands: 17, rows: 7 };
    const run = () => runShingleSign({ kind: "near.shingleSign", texts, spec: { kind: "word", n: 5 }, params, sets: true });
    const fast = run();
    useWasmKernels(false);
    const js = run();
    expect(js.counts).toEqual(fast.counts);
    expect(js.signatures).toEqual(fast.signatures);
    expect(js.bandKeys).toEqual(fast.bandKeys);
    expect(js.setHashes).toEqual(fast.setHashes);
  });
});
