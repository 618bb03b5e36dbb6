import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { DeviceError } from "../../src/errors.ts";
import { createTrackedBuffer } from "../../src/gpu/buffers.ts";
import { describeAutoChoice, listAdapters, releaseBackend, selectBackend } from "../../src/gpu/device.ts";
import { gpuForTests, requireGpuTest } from "./gpu-available.ts";

const adapters = await listAdapters();
const gpu = await gpuForTests();
requireGpuTest(gpu);
afterAll(() => releaseBackend());

const root = join(import.meta.dir, "../..");

/** Runs a snippet in a fresh bun process and returns its JSON output. */
function inChild(code: string, env: Record<string, string> = {}): unknown {
  const r = Bun.spawnSync([process.execPath, "-e", code], { cwd: root, env: { ...process.env, ...env }, stderr: "pipe" });
  const out = r.stdout.toString().trim().split("\n").pop() ?? "";
  if (r.exitCode !== 0 || !out.startsWith("{")) throw new Error(`child failed (${r.exitCode}): ${r.stderr.toString()}`);
  return JSON.parse(out);
}

describe("the WebGPU device layer", () => {
  test("--device cpu never touches the GPU", async () => {
    const b = await selectBackend({ device: "cpu" });
    expect(b).toEqual({ kind: "cpu", reason: "--device cpu was given" });
  });

  test.skipIf(gpu === null)("lists each adapter with its identity, software flag and limits", () => {
    expect(adapters.length).toBeGreaterThan(0);
    for (const a of adapters) {
      expect(typeof a.vendor).toBe("string");
      expect(a.description.length + a.device.length).toBeGreaterThan(0);
      expect(a.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(1 << 27);
      expect(a.limits.maxComputeWorkgroupsPerDimension).toBeGreaterThanOrEqual(65535);
      if (/llvmpipe|lavapipe/i.test(a.description + a.device + a.name)) expect(a.software).toBe(true);
    }
  });

  test("auto runs on a hardware adapter and otherwise on the CPU twin, saying why", async () => {
    const b = await selectBackend({ device: "auto" });
    expect(b.kind).toBe(adapters.some((a) => !a.software) ? "gpu" : "cpu");
    expect(b.reason).toMatch(/^auto: /);
    expect(await describeAutoChoice()).toContain(b.reason.replace(/^auto: /, ""));
    expect(await describeAutoChoice()).toMatch(b.kind === "gpu" ? /^GPU: / : /^CPU twin: /);
  });

  test.skipIf(gpu === null)("acquires the device once and hands out the same one", async () => {
    const a = await selectBackend({ device: "gpu" });
    const name = a.adapter!.name.slice(0, 4);
    const b = await selectBackend({ device: "gpu", adapterName: name });
    expect(b.device).toBe(a.device!);
    expect(b.adapter).toBe(a.adapter!);
  });

  test("an --gpu-adapter name that matches nothing fails with the list of adapters", async () => {
    const p = selectBackend({ device: "gpu", adapterName: "no-such-gpu-\u2603" });
    await expect(p).rejects.toThrow(DeviceError);
    await expect(selectBackend({ device: "gpu", adapterName: "no-such-gpu-\u2603" })).rejects.toThrow(/adapters found/);
  });

  test.skipIf(gpu === null)("releaseBackend unmaps mapped buffers and destroys the device; the next call gets a new one", async () => {
    const first = await selectBackend({ device: "gpu" });
    const buf = createTrackedBuffer(first.device!, {
      label: "test.mapped",
      size: 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    await buf.mapAsync(GPUMapMode.READ);
    expect(buf.mapState).toBe("mapped");
    releaseBackend();
    expect(buf.mapState).toBe("unmapped");
    expect((await first.device!.lost).reason).toBe("destroyed");
    const again = await selectBackend({ device: "gpu" });
    expect(again.device).not.toBe(first.device!);
  });

  test.skipIf(process.platform !== "linux")(
    "with no Vulkan driver: auto falls back to the CPU and --device gpu is a DeviceError (exit 2)",
    () => {
      const r = inChild(
        `import { selectBackend } from "./src/gpu/device.ts";
       const auto = await selectBackend({ device: "auto" });
       let err = null;
       try { await selectBackend({ device: "gpu" }); } catch (e) { err = { name: e.name, exitCode: e.exitCode, message: e.message }; }
       console.log(JSON.stringify({ auto, err }));`,
        { VK_ICD_FILENAMES: "/nonexistent/gamma-test-icd.json", VK_DRIVER_FILES: "/nonexistent/gamma-test-icd.json" },
      ) as { auto: { kind: string; reason: string }; err: { name: string; exitCode: number; message: string } | null };
      expect(r.auto.kind).toBe("cpu");
      expect(r.auto.reason).toContain("no WebGPU adapter found");
      expect(r.err?.name).toBe("DeviceError");
      expect(r.err?.exitCode).toBe(2);
      expect(r.err?.message).toContain("Install a WebGPU-capable driver");
    },
  );
});
