import { describe, expect, test } from "bun:test";
import { chooseAdapter, type AdapterSummary } from "../../src/gpu/adapter-policy.ts";
import { hardwareAdvice } from "../../src/gpu/driver-advice.ts";

function adapter(name: string, software: boolean, vendor = "nvidia"): AdapterSummary {
  return {
    vendor,
    architecture: software ? "software" : "hopper",
    device: name,
    description: name,
    software,
    limits: {},
    backend: "vulkan",
    name,
  };
}
const lavapipe = adapter("llvmpipe (LLVM 15.0.6, 256 bits)", true, "mesa");
const gpus = [0, 1, 2, 3].map((i) => adapter(`NVIDIA H100 #${i}`, false));

describe("a task on a node with several GPUs", () => {
  test("takes the hardware adapter at its local GPU index, software adapters not counted", () => {
    const c = chooseAdapter([lavapipe, ...gpus], "auto", undefined, undefined, 2);
    expect(c.adapter).toBe(gpus[2]!);
    expect(c.reason).toContain("hardware adapter 2 of 4, by the local GPU index 2");
    expect(chooseAdapter([lavapipe, ...gpus], "gpu", undefined, undefined, 3).adapter).toBe(gpus[3]!);
  });

  test("wraps an index beyond the adapters it sees (a job narrowed to its own GPUs) and ignores it with one GPU", () => {
    expect(chooseAdapter(gpus.slice(0, 2), "auto", undefined, undefined, 3).adapter).toBe(gpus[1]!);
    const one = chooseAdapter([gpus[0]!], "auto", undefined, undefined, 5);
    expect(one.adapter).toBe(gpus[0]!);
    expect(one.reason).not.toContain("local GPU index");
  });

  test("--gpu-adapter wins over the local index", () => {
    expect(chooseAdapter(gpus, "auto", "#1", undefined, 3).adapter).toBe(gpus[1]!);
  });
});

describe("gamma doctor's hardware line", () => {
  test("names the hardware adapter when there is one", () => {
    const a = hardwareAdvice([lavapipe, gpus[0]!], { gpus: ["nvidia"], icds: ["nvidia_icd.json"], loader: true });
    expect(a).toEqual({ present: true, advice: "hardware adapter present: NVIDIA H100 #0" });
  });

  test("an NVIDIA GPU without NVIDIA's Vulkan driver: says to install it", () => {
    const a = hardwareAdvice([lavapipe], { gpus: ["nvidia", "nvidia"], icds: ["lvp_icd.x86_64.json"], loader: true });
    expect(a.present).toBe(false);
    expect(a.advice).toContain("this machine's GPU (NVIDIA) has no Vulkan driver");
    expect(a.advice).toContain("nvidia-vulkan-icd");
    expect(a.advice).toContain("libnvidia-gl-");
    expect(a.advice).not.toContain("loader");
  });

  test("an AMD GPU without the loader: says to install the loader and RADV", () => {
    const a = hardwareAdvice([], { gpus: ["amd"], icds: [], loader: false });
    expect(a.advice).toContain("libvulkan1");
    expect(a.advice).toContain("RADV");
  });

  test("no GPU on the bus, or a driver that is there but gives no adapter, each say so", () => {
    expect(hardwareAdvice([lavapipe], { gpus: [], icds: ["lvp_icd.x86_64.json"], loader: true }).advice).toContain(
      "no GPU on this machine's PCI bus",
    );
    const blocked = hardwareAdvice([], { gpus: ["intel"], icds: ["intel_icd.x86_64.json"], loader: true });
    expect(blocked.advice).toContain("the GPU (Intel) and its Vulkan driver are installed");
    expect(blocked.advice).toContain("/dev/dri/renderD");
  });
});
