/**
 * GPU tests run on whatever adapter `--device gpu` would use (lavapipe in CI). Without one they
 * are skipped, visibly; GAMMA_REQUIRE_GPU=1 turns a missing adapter into a failing test.
 *
 *   const gpu = await gpuForTests();
 *   requireGpuTest(gpu);
 *   describe.skipIf(gpu === null)("...", () => { ... });
 */
import { expect, test } from "bun:test";
import { DeviceError } from "../../src/errors.ts";
import { selectBackend, type Backend } from "../../src/gpu/device.ts";

export const GPU_REQUIRED = process.env.GAMMA_REQUIRE_GPU === "1";

export async function gpuForTests(): Promise<(Backend & { device: GPUDevice }) | null> {
  try {
    const b = await selectBackend({ device: "gpu" });
    return b.kind === "gpu" && b.device !== undefined ? (b as Backend & { device: GPUDevice }) : null;
  } catch (e) {
    if (e instanceof DeviceError) {
      console.warn(`GPU tests SKIPPED: ${e.message}`);
      return null;
    }
    throw e;
  }
}

/**
 * Registers "a WebGPU adapter is present": passes with an adapter, fails without one under
 * GAMMA_REQUIRE_GPU=1, and is skipped (visibly) otherwise.
 */
export function requireGpuTest(gpu: Backend | null): void {
  test.skipIf(gpu === null && !GPU_REQUIRED)("a WebGPU adapter is present for the GPU tests", () => {
    if (gpu === null) {
      throw new Error("GAMMA_REQUIRE_GPU=1 but no WebGPU adapter was found; install Mesa's lavapipe (mesa-vulkan-drivers)");
    }
    expect(gpu.kind).toBe("gpu");
    expect(gpu.adapter).toBeDefined();
  });
}

/**
 * Runs `fn` inside validation, out-of-memory and internal error scopes on `device` and throws if
 * any GPU error was captured, so a validation error fails the test even where the code under
 * test did not look.
 */
export async function withGpuErrorScopes<T>(device: GPUDevice, fn: () => Promise<T>): Promise<T> {
  device.pushErrorScope("internal");
  device.pushErrorScope("out-of-memory");
  device.pushErrorScope("validation");
  let failure: unknown = null;
  let result: T | undefined;
  try {
    result = await fn();
  } catch (e) {
    failure = e;
  }
  const [validation, oom, internal] = await Promise.all([device.popErrorScope(), device.popErrorScope(), device.popErrorScope()]);
  const gpuError = validation ?? oom ?? internal;
  if (gpuError) throw new Error(`GPU error captured by the test's error scope: ${gpuError.message}`);
  if (failure !== null) throw failure;
  return result as T;
}
