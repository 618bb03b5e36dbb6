import { afterAll, describe, expect, test } from "bun:test";
import { releaseBackend } from "../../src/gpu/device.ts";
import { cachedPipelineCount } from "../../src/gpu/pipeline-cache.ts";
import { withErrorScopes } from "../../src/gpu/error-scopes.ts";
import { GpuMinhash } from "../../src/kernels/minhash.gpu.ts";
import { gpuForTests, requireGpuTest, withGpuErrorScopes } from "../gpu/gpu-available.ts";
import { csr, expectMatchesReference, minhashConformance, randomDocs } from "./minhash-conformance.ts";

const gpu = await gpuForTests();
requireGpuTest(gpu);
afterAll(() => releaseBackend());

/** The smallest limits: 7 docs or 100 hashes per dispatch, 50 pairs per dispatch. */
const TINY = { maxDocsPerDispatch: 7, maxHashesPerDispatch: 100, maxPairsPerDispatch: 50 };

minhashConformance(
  `GPU twin on ${gpu?.adapter?.description ?? "(no adapter)"}`,
  {
    make: async (params, { tiny }) => new GpuMinhash(gpu!.device, params, tiny ? TINY : {}),
    guard: (fn) => withGpuErrorScopes(gpu!.device, fn),
  },
  gpu === null,
);

describe.skipIf(gpu === null)("GPU twin housekeeping", () => {
  test("runs on the adapter the backend reports", () => {
    expect(gpu!.kind).toBe("gpu");
    expect(gpu!.adapter).toBeDefined();
    expect(gpu!.adapter!.description.length + gpu!.adapter!.device.length).toBeGreaterThan(0);
  });

  test("counts dispatches and bytes both ways, one dispatch per unit of work", () =>
    withGpuErrorScopes(gpu!.device, async () => {
      const params = { numPerm: 64, seed: 5, bands: 8, rows: 8 };
      const k = new GpuMinhash(gpu!.device, params, { maxDocsPerDispatch: 10 });
      const docs = randomDocs(41, 35, 20);
      const batch = csr(docs);
      const before = k.stats();
      expectMatchesReference(docs, await k.sign(batch), params);
      const s = k.stats();
      expect(s.dispatches - before.dispatches).toBe(4); // 35 docs, 10 per dispatch
      // Uploads: hashes, offsets and a 16-byte params block per dispatch.
      expect(s.bytesToGpu - before.bytesToGpu).toBe(batch.hashes.byteLength + (35 + 4) * 4 + 4 * 16);
      // Read-backs: every signature and band key once.
      expect(s.bytesFromGpu - before.bytesFromGpu).toBe(35 * (64 + 8) * 4);
      expect(s.kernelMs).toBeGreaterThan(0);
      await k.dispose();
    }));

  test("reuses cached pipelines for the same shapes", () =>
    withGpuErrorScopes(gpu!.device, async () => {
      const params = { numPerm: 96, seed: 1, bands: 6, rows: 16 };
      const a = new GpuMinhash(gpu!.device, params);
      const n = cachedPipelineCount(gpu!.device);
      const b = new GpuMinhash(gpu!.device, { ...params, seed: 2 });
      expect(cachedPipelineCount(gpu!.device)).toBe(n);
      await a.dispose();
      await b.dispose();
    }));

  test("a validation error in GPU work fails loudly instead of returning zeros", async () => {
    const device = gpu!.device;
    const tooBig = () =>
      device.createBuffer({ label: "test.too-big", size: device.limits.maxBufferSize + 4, usage: GPUBufferUsage.STORAGE });
    // The kernels' own scopes (src/gpu/error-scopes.ts) ...
    await expect(withErrorScopes(device, "test.probe", tooBig)).rejects.toThrow(/validation/);
    // ... and the scopes every GPU test body runs in.
    await expect(withGpuErrorScopes(device, async () => tooBig())).rejects.toThrow(/GPU error/);
  });
});
