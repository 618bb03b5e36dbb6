import { describe, expect, test } from "bun:test";
import { DeviceError } from "../../src/errors.ts";
import { chooseAdapter, isSoftwareAdapter, type AdapterSummary } from "../../src/gpu/adapter-policy.ts";

function adapter(name: string, software: boolean, vendor = "v"): AdapterSummary {
  return {
    vendor,
    architecture: software ? "software" : "gen-12",
    device: name,
    description: `${name} driver`,
    software,
    limits: {},
    backend: "vulkan",
    name,
  };
}
const lavapipe = adapter("llvmpipe (LLVM 15.0.6, 256 bits)", true, "mesa");
const nvidia = adapter("NVIDIA GeForce RTX 4090", false, "nvidia");
const intel = adapter("Intel(R) Arc(tm) A770", false, "intel");

describe("backend selection policy", () => {
  test("recognises software rasterisers by fallback flag or name", () => {
    const base = { vendor: "", architecture: "", device: "", description: "" };
    expect(isSoftwareAdapter({ ...base, description: "llvmpipe: Mesa 25.0.7" })).toBe(true);
    expect(isSoftwareAdapter({ ...base, vendor: "google", device: "SwiftShader Device (Subzero)" })).toBe(true);
    expect(isSoftwareAdapter({ ...base, description: "Microsoft Basic Render Driver" })).toBe(true);
    expect(isSoftwareAdapter({ ...base, architecture: "software" })).toBe(true);
    expect(isSoftwareAdapter({ ...base, description: "AMD Radeon", isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ ...base, vendor: "nvidia", description: "NVIDIA GeForce RTX 4090" })).toBe(false);
  });

  test("auto uses the first hardware adapter", () => {
    const c = chooseAdapter([lavapipe, nvidia, intel], "auto");
    expect(c.kind).toBe("gpu");
    expect(c.adapter).toBe(nvidia);
    expect(c.reason).toContain("hardware adapter");
  });

  test("auto treats a software adapter as no GPU and says so", () => {
    const c = chooseAdapter([lavapipe], "auto");
    expect(c.kind).toBe("cpu");
    expect(c.reason).toContain("software");
    expect(c.reason).toContain("--device gpu");
  });

  test("auto without any adapter runs the CPU twin and passes on why enumeration failed", () => {
    const c = chooseAdapter([], "auto", undefined, "the Dawn WebGPU addon could not be loaded: x");
    expect(c.kind).toBe("cpu");
    expect(c.reason).toContain("no WebGPU adapter found");
    expect(c.reason).toContain("Dawn WebGPU addon");
  });

  test("gpu takes a software adapter when it is all there is, and prefers hardware", () => {
    expect(chooseAdapter([lavapipe], "gpu").adapter).toBe(lavapipe);
    expect(chooseAdapter([lavapipe], "gpu").reason).toContain("software rasteriser");
    expect(chooseAdapter([lavapipe, intel], "gpu").adapter).toBe(intel);
  });

  test("gpu without an adapter is a DeviceError (exit 2) that says what to install", () => {
    let err: unknown;
    try {
      chooseAdapter([], "gpu");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).exitCode).toBe(2);
    expect((err as DeviceError).message).toContain("mesa-vulkan-drivers");
  });

  test("cpu is the CPU twin whatever is installed", () => {
    expect(chooseAdapter([nvidia], "cpu")).toEqual({ kind: "cpu", reason: "--device cpu was given" });
  });

  test("an adapter name picks by description, device, vendor or Dawn name, case-insensitively", () => {
    expect(chooseAdapter([nvidia, intel], "gpu", "arc").adapter).toBe(intel);
    expect(chooseAdapter([nvidia, intel], "auto", "NVIDIA").adapter).toBe(nvidia);
    expect(chooseAdapter([lavapipe, nvidia], "gpu", "LLVMPIPE").adapter).toBe(lavapipe);
    expect(chooseAdapter([lavapipe, nvidia], "auto", "llvmpipe").kind).toBe("cpu");
  });

  test("an adapter name that matches nothing is an error listing the adapters found", () => {
    expect(() => chooseAdapter([lavapipe, intel], "gpu", "radeon")).toThrow(DeviceError);
    expect(() => chooseAdapter([lavapipe, intel], "auto", "radeon")).toThrow(/llvmpipe \(LLVM 15\.0\.6, 256 bits\)".*"Intel/);
    expect(() => chooseAdapter([], "gpu", "radeon")).toThrow(/adapters found: none/);
  });
});
