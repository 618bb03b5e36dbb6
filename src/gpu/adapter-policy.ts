/**
 * Which WebGPU adapter a run uses, as a pure function of what was found: testable without a GPU.
 *
 * auto: the first hardware adapter; a software rasteriser (lavapipe's llvmpipe, SwiftShader,
 *       WARP) counts as no GPU, because the CPU twin on the same cores is faster.
 * gpu:  any adapter, hardware first; none is an error (exit 2), never a silent fallback.
 * cpu:  the CPU twin.
 * adapterName narrows the list to adapters whose description, device, vendor or Dawn name
 * contains it (case-insensitive); naming one that does not exist is an error listing what does.
 */
import { DeviceError } from "../errors.ts";

export type DeviceChoice = "auto" | "cpu" | "gpu";

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  software: boolean;
  limits: Record<string, number>;
  /** Dawn's backend for this adapter (vulkan, metal, d3d12, ...). */
  backend: string;
  /** Dawn's adapter name, as `gamma --gpu-adapter` and Dawn's `adapter=` flag take it. */
  name: string;
}

export interface AdapterChoice {
  kind: "gpu" | "cpu";
  reason: string;
  adapter?: AdapterSummary;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b|software/i;

export function isSoftwareAdapter(info: {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  name?: string;
  isFallbackAdapter?: boolean;
}): boolean {
  if (info.isFallbackAdapter) return true;
  return [info.vendor, info.architecture, info.device, info.description, info.name ?? ""].some((s) => SOFTWARE.test(s));
}

export function adapterLabel(a: AdapterSummary): string {
  const what = a.description || a.name || a.device || "unnamed adapter";
  return `${what} (${a.backend || "?"}, ${a.software ? "software" : "hardware"})`;
}

export const INSTALL_HINT =
  "Install a WebGPU-capable driver: on Linux a Vulkan driver for your GPU (Mesa's mesa-vulkan-drivers " +
  "package also provides the lavapipe software adapter), Metal on macOS, D3D12 on Windows; " +
  "`gamma doctor` shows what gamma can see. Or run with --device auto or --device cpu.";

/**
 * The hardware adapter to use: the first, or, for a task given a local GPU index on a node with
 * several GPUs, the one at that index (modulo their number: a node whose devices are already
 * narrowed to the job's shows fewer).
 */
function pickHardware(candidates: AdapterSummary[], localIndex: number | null): { adapter: AdapterSummary | undefined; note: string } {
  const hw = candidates.filter((a) => !a.software);
  if (hw.length <= 1 || localIndex === null) return { adapter: hw[0], note: "" };
  const i = localIndex % hw.length;
  return { adapter: hw[i], note: ` (hardware adapter ${i} of ${hw.length}, by the local GPU index ${localIndex})` };
}

export function chooseAdapter(
  adapters: AdapterSummary[],
  choice: DeviceChoice,
  adapterName?: string,
  /** Why enumeration found nothing (Dawn failed to load, ...), for the messages. */
  enumerationNote?: string,
  /** This task's GPU among the node's hardware adapters (a scheduler's local GPU index). */
  localIndex?: number | null,
): AdapterChoice {
  if (choice === "cpu") return { kind: "cpu", reason: "--device cpu was given" };
  let candidates = adapters;
  if (adapterName !== undefined && adapterName !== "") {
    const needle = adapterName.toLowerCase();
    candidates = adapters.filter((a) => [a.description, a.device, a.vendor, a.name].some((s) => s.toLowerCase().includes(needle)));
    if (candidates.length === 0) {
      const found = adapters.length ? adapters.map((a) => `"${a.name || a.description}"`).join(", ") : "none";
      throw new DeviceError(
        `--gpu-adapter "${adapterName}" matches no WebGPU adapter; adapters found: ${found}. ` +
          "Pass part of one of those names, or leave --gpu-adapter out.",
      );
    }
  }
  const { adapter: hardware, note: indexNote } = pickHardware(candidates, adapterName ? null : (localIndex ?? null));
  if (choice === "gpu") {
    const pick = hardware ?? candidates[0];
    if (pick === undefined) {
      const note = enumerationNote ? ` (${enumerationNote})` : "";
      throw new DeviceError(`--device gpu: no WebGPU adapter was found${note}. ${INSTALL_HINT}`);
    }
    const soft = pick.software ? "; it is a software rasteriser, expect CPU-class speed" : "";
    return { kind: "gpu", adapter: pick, reason: `--device gpu: using ${adapterLabel(pick)}${pick === hardware ? indexNote : ""}${soft}` };
  }
  if (hardware !== undefined) {
    return { kind: "gpu", adapter: hardware, reason: `auto: hardware adapter ${adapterLabel(hardware)}${indexNote}` };
  }
  if (candidates.length > 0) {
    const names = candidates.map(adapterLabel).join(", ");
    return {
      kind: "cpu",
      reason:
        `auto: only software adapters found (${names}); a software rasteriser is no faster than the ` +
        "CPU twin on the same cores, so the CPU twin runs (--device gpu uses it anyway)",
    };
  }
  const note = enumerationNote ? ` (${enumerationNote})` : "";
  return { kind: "cpu", reason: `auto: no WebGPU adapter found${note}, so the CPU twin runs` };
}
