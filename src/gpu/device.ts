/**
 * The WebGPU device layer: the only module that loads Dawn (webgpu's dawn.node addon).
 *
 * `bun build --compile` embeds a .node addon only when it is require()d by a literal path, so
 * each supported platform has its own literal require below. Bun inlines process.platform and
 * process.arch for the compile target, so the other branches (and their addons) are dropped from
 * the binary: supporting them costs nothing in a linux-x64 build.
 *
 * The device is acquired once per process and cached; releaseBackend() destroys it (after
 * unmapping any mapped buffer) so that the process can exit.
 */
import { DeviceError } from "../errors.ts";
import { chooseAdapter, isSoftwareAdapter, adapterLabel, type AdapterSummary, type DeviceChoice } from "./adapter-policy.ts";
import { unmapTracked } from "./buffers.ts";
import { withDawnStderr } from "./dawn-stderr.ts";
import { gammaEnv } from "../runtime/env.ts";

export type { AdapterSummary, DeviceChoice } from "./adapter-policy.ts";

export interface Backend {
  kind: "gpu" | "cpu";
  reason: string;
  adapter?: AdapterSummary;
  device?: GPUDevice;
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

function requireDawn(): DawnModule {
  // One literal path per platform; see the header comment.
  if (process.platform === "linux" && process.arch === "x64") {
    return require("webgpu/dist/linux-x64/dawn.node");
  }
  if (process.platform === "linux" && process.arch === "arm64") {
    return require("webgpu/dist/linux-arm64/dawn.node");
  }
  if (process.platform === "darwin") {
    return require("webgpu/dist/darwin-universal/dawn.node");
  }
  if (process.platform === "win32" && process.arch === "x64") {
    return require("webgpu/dist/win32-x64/dawn.node");
  }
  throw new Error(`no Dawn build for ${process.platform}-${process.arch}`);
}

let dawn: DawnModule | null = null;
let dawnError: string | null = null;

function loadDawn(): DawnModule | null {
  if (dawn !== null || dawnError !== null) return dawn;
  try {
    dawn = requireDawn();
    // GPUBufferUsage, GPUMapMode, ... as the WebGPU spec has them on the global object.
    for (const [name, value] of Object.entries(dawn.globals)) {
      if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
    }
  } catch (e) {
    dawnError = `the Dawn WebGPU addon could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
  }
  return dawn;
}

/** Limits the device is created with (the adapter's own), used to size batches. */
const REQUIRED_LIMIT_KEYS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupsPerDimension",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupStorageSize",
] as const;

/** Limits reported for `gamma doctor`. */
const LIMIT_KEYS = [...REQUIRED_LIMIT_KEYS, "maxStorageBuffersPerShaderStage", "maxUniformBufferBindingSize"] as const;

interface Found {
  summary: AdapterSummary;
  flags: string[];
}

let enumeration: Promise<Found[]> | null = null;

async function summarize(gpu: GPU, flags: string[], backend: string, name: string): Promise<Found | null> {
  const adapter = await gpu.requestAdapter();
  if (adapter === null) return null;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const limits: Record<string, number> = {};
  for (const k of LIMIT_KEYS) limits[k] = Number((adapter.limits as unknown as Record<string, number>)[k]);
  const base = {
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    device: info.device ?? "",
    description: info.description ?? "",
    name,
    isFallbackAdapter: Boolean(info.isFallbackAdapter),
  };
  const { isFallbackAdapter: _f, ...rest } = base;
  return { summary: { ...rest, backend, software: isSoftwareAdapter(base), limits }, flags };
}

/** Dawn lists its adapters in the error it gives for an adapter name that matches none. */
async function dawnAdapterNames(d: DawnModule): Promise<{ backend: string; name: string }[]> {
  try {
    await d.create(["adapter=\u0001gamma-list-adapters"]).requestAdapter();
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    const out: { backend: string; name: string }[] = [];
    for (const m of text.matchAll(/\* backend: '([^']*)', name: '([^']*)'/g)) out.push({ backend: m[1], name: m[2] });
    return out;
  }
  return [];
}

async function enumerate(): Promise<Found[]> {
  const d = loadDawn();
  if (d === null) return [];
  const found: Found[] = [];
  for (const { backend, name } of await dawnAdapterNames(d)) {
    if (backend === "null") continue;
    const flags = [`backend=${backend}`, `adapter=${name}`];
    const f = await summarize(d.create(flags), flags, backend, name).catch(() => null);
    if (f !== null && !found.some((x) => x.summary.name === name && x.summary.backend === backend)) found.push(f);
  }
  if (found.length === 0) {
    // Dawn's listing changed shape or is empty: fall back to its default choice.
    const f = await summarize(d.create([]), [], "", "").catch(() => null);
    if (f !== null) found.push({ ...f, summary: { ...f.summary, name: f.summary.description } });
  }
  return found;
}

function enumerateOnce(): Promise<Found[]> {
  enumeration ??= withDawnStderr(enumerate);
  return enumeration;
}

export async function listAdapters(): Promise<AdapterSummary[]> {
  return (await enumerateOnce()).map((f) => f.summary);
}

/** Why nothing was found, when Dawn itself could not be loaded. */
function enumerationNote(): string | undefined {
  return dawnError ?? undefined;
}

let live: { key: string; backend: Backend; instance: GPU | null } | null = null;

async function acquireDevice(found: Found): Promise<{ device: GPUDevice; instance: GPU }> {
  const d = loadDawn();
  if (d === null) throw new DeviceError(`--device gpu: ${dawnError}`);
  const instance = d.create(found.flags);
  const adapter = await instance.requestAdapter();
  if (adapter === null) {
    throw new DeviceError(`WebGPU adapter ${adapterLabel(found.summary)} disappeared before a device could be made`);
  }
  const requiredLimits: Record<string, number> = {};
  for (const k of REQUIRED_LIMIT_KEYS) {
    requiredLimits[k] = (adapter.limits as unknown as Record<string, number>)[k];
  }
  try {
    const device = await adapter.requestDevice({ label: "gamma device", requiredLimits });
    void device.lost.then((info) => {
      if (info.reason !== "destroyed") console.error(`gamma: WebGPU device lost: ${info.message}`);
      if (live?.backend.device === device) live = null;
    });
    return { device, instance };
  } catch (e) {
    throw new DeviceError(`could not create a WebGPU device on ${adapterLabel(found.summary)}`, { cause: e });
  }
}

export async function selectBackend(opts: { device: DeviceChoice; adapterName?: string }): Promise<Backend> {
  const key = `${opts.device}|${opts.adapterName ?? ""}`;
  if (live !== null && live.key === key) return live.backend;
  if (opts.device === "cpu") {
    return chooseAdapter([], "cpu");
  }
  const found = await enumerateOnce();
  const choice = chooseAdapter(
    found.map((f) => f.summary),
    opts.device,
    opts.adapterName,
    enumerationNote(),
    gammaEnv().gpuLocalIndex,
  );
  if (choice.kind === "cpu") return { kind: "cpu", reason: choice.reason, adapter: undefined };
  const pick = found.find((f) => f.summary === choice.adapter)!;
  // One device per process: reuse it when the same adapter is asked for again.
  if (live !== null && live.backend.adapter === pick.summary && live.backend.device !== undefined) {
    const backend: Backend = { ...live.backend, reason: choice.reason };
    live = { ...live, key, backend };
    return backend;
  }
  releaseBackend();
  const { device, instance } = await withDawnStderr(() => acquireDevice(pick));
  const backend: Backend = { kind: "gpu", reason: choice.reason, adapter: pick.summary, device };
  live = { key, backend, instance };
  return backend;
}

/** Destroys the cached device (unmapping its buffers first) so the process can exit. */
export function releaseBackend(): void {
  if (live === null) return;
  const device = live.backend.device;
  live = null;
  if (device !== undefined) {
    unmapTracked(device);
    device.destroy();
  }
}

/**
 * For `gamma doctor`: what `--device auto` would run on and why, e.g. "CPU twin: only software
 * adapters found (...)" or "GPU: hardware adapter ...". Does not create a device.
 */
export async function describeAutoChoice(): Promise<string> {
  const adapters = await listAdapters();
  const choice = chooseAdapter(adapters, "auto", undefined, enumerationNote());
  const why = choice.reason.replace(/^auto: /, "");
  return choice.kind === "gpu" ? `GPU: ${why}` : `CPU twin: ${why}`;
}
