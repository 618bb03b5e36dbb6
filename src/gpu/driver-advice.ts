/**
 * Whether a hardware WebGPU adapter is there and, when not, what to install: gamma reaches GPUs
 * through Vulkan on Linux, which needs the Vulkan loader and the vendor's Vulkan driver (an ICD
 * file naming it). Compute nodes often carry a GPU driver without its Vulkan part. The advice is
 * a pure function of what was probed, so it is tested without GPUs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AdapterSummary } from "./adapter-policy.ts";

export interface DriverProbe {
  /** PCI display controllers by vendor: "nvidia", "amd", "intel" or a hex vendor id. */
  gpus: string[];
  /** Vulkan ICD manifest file names found (nvidia_icd.json, radeon_icd.x86_64.json, ...). */
  icds: string[];
  /** Whether the Vulkan loader (libvulkan.so.1) is installed. */
  loader: boolean;
}

const VENDORS: Record<string, string> = { "0x10de": "nvidia", "0x1002": "amd", "0x8086": "intel" };
const ICD_DIRS = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"];
const LIB_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu", "/lib64"];

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** What this Linux machine has: GPUs on the PCI bus, Vulkan ICDs, the loader. */
export function probeDrivers(): DriverProbe {
  const gpus: string[] = [];
  for (const d of list("/sys/bus/pci/devices")) {
    try {
      const cls = readFileSync(join("/sys/bus/pci/devices", d, "class"), "utf8").trim();
      // 0x03xxxx: display controllers (VGA, 3D, other).
      if (!cls.startsWith("0x03")) continue;
      const vendor = readFileSync(join("/sys/bus/pci/devices", d, "vendor"), "utf8").trim();
      gpus.push(VENDORS[vendor] ?? vendor);
    } catch {
      // a device that vanished or cannot be read says nothing
    }
  }
  const icds = ICD_DIRS.flatMap(list).filter((f) => f.endsWith(".json"));
  const loader = LIB_DIRS.some((d) => existsSync(join(d, "libvulkan.so.1")));
  return { gpus, icds, loader };
}

const NAMES: Record<string, string> = { nvidia: "NVIDIA", amd: "AMD", intel: "Intel" };
const ICD_OF: Record<string, RegExp> = { nvidia: /nvidia/i, amd: /radeon|amd/i, intel: /intel/i };

const INSTALL: Record<string, string> = {
  nvidia:
    "NVIDIA's Vulkan driver, which compute-only driver installs often leave out: Debian nvidia-vulkan-icd (with nvidia-driver), Ubuntu libnvidia-gl-<driver version>, or NVIDIA's .run installer without --no-opengl-files; it must match the kernel driver's version and add /usr/share/vulkan/icd.d/nvidia_icd.json",
  amd: "Mesa's RADV Vulkan driver: Debian/Ubuntu mesa-vulkan-drivers, RHEL mesa-vulkan-drivers",
  intel: "Mesa's ANV Vulkan driver: Debian/Ubuntu mesa-vulkan-drivers, RHEL mesa-vulkan-drivers",
};

/** One line for `gamma doctor`: the hardware adapter, or why there is none and what to install. */
export function hardwareAdvice(adapters: AdapterSummary[], probe: DriverProbe): { present: boolean; advice: string } {
  const hw = adapters.filter((a) => !a.software);
  if (hw.length > 0) {
    return { present: true, advice: `hardware adapter present: ${hw.map((a) => a.description || a.name || a.device).join("; ")}` };
  }
  const known = [...new Set(probe.gpus)];
  if (known.length === 0) {
    return {
      present: false,
      advice:
        "no hardware adapter: no GPU on this machine's PCI bus (near dedup runs on the CPU twin; run on a GPU node for the GPU kernels)",
    };
  }
  const needs: string[] = [];
  if (!probe.loader) needs.push("the Vulkan loader (Debian/Ubuntu libvulkan1, RHEL vulkan-loader)");
  for (const v of known) {
    const pattern = ICD_OF[v];
    if (pattern === undefined) needs.push(`a Vulkan driver for the GPU of PCI vendor ${v}`);
    else if (!probe.icds.some((f) => pattern.test(f))) needs.push(INSTALL[v]!);
  }
  const gpus = known.map((v) => NAMES[v] ?? `PCI vendor ${v}`).join(", ");
  if (needs.length === 0) {
    return {
      present: false,
      advice: `no hardware adapter although the GPU (${gpus}) and its Vulkan driver are installed: check that this user may open the GPU (/dev/nvidia*, /dev/dri/renderD*; Slurm gives a job only the GPUs it asked for with --gres=gpu:N) and that the driver loads (vulkaninfo --summary)`,
    };
  }
  return {
    present: false,
    advice: `no hardware adapter: this machine's GPU (${gpus}) has no Vulkan driver. Install ${needs.join("; and ")}`,
  };
}
