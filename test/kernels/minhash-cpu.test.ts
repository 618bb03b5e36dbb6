import { afterAll, describe, expect, test } from "bun:test";
import { CpuPool } from "../../src/kernels/cpu-pool.ts";
import { CpuMinhash, cutByWeight } from "../../src/kernels/minhash.cpu.ts";
import { minhashConformance, csr, randomDocs } from "./minhash-conformance.ts";

const pools: CpuPool[] = [];
afterAll(() => pools.forEach((p) => p.dispose()));

minhashConformance("CPU twin, in-process", {
  make: async (params) => new CpuMinhash(params, 1),
});

minhashConformance("CPU twin on 2 worker threads", {
  make: async (params) => {
    const pool = new CpuPool(2);
    pools.push(pool);
    return new CpuMinhash(params, pool);
  },
});

describe("CPU twin threading", () => {
  test("gives bit-identical signatures and band keys for 1, 2 and 3 threads", async () => {
    const params = { numPerm: 128, seed: 77, bands: 9, rows: 13 };
    const batch = csr(randomDocs(31, 200, 60, 13));
    const outs = [];
    for (const threads of [1, 2, 3]) {
      const k = new CpuMinhash(params, threads);
      outs.push(await k.sign(batch));
      await k.dispose();
    }
    for (const o of outs.slice(1)) {
      expect(Buffer.compare(Buffer.from(o.signatures.buffer), Buffer.from(outs[0].signatures.buffer))).toBe(0);
      expect(Buffer.compare(Buffer.from(o.bandKeys.buffer), Buffer.from(outs[0].bandKeys.buffer))).toBe(0);
    }
  });

  test("cuts a batch into contiguous runs of about equal work", () => {
    const offsets = new Uint32Array([0, 100, 100, 100, 200, 210, 220, 400]);
    const cuts = cutByWeight(offsets, 2);
    expect(cuts[0]).toBe(0);
    expect(cuts[cuts.length - 1]).toBe(7);
    expect(cuts).toEqual([0, 4, 7]);
    expect(cutByWeight(new Uint32Array([0]), 4)).toEqual([0, 0]);
    expect(cutByWeight(new Uint32Array([0, 5]), 4)).toEqual([0, 1]);
  });
});
