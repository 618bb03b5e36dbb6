/**
 * Compiled shader modules and compute pipelines, cached per device by (label, entry point,
 * override constants). Kernels describe their programs; this file owns their compilation.
 */

export interface ProgramDesc {
  /** Stable label, e.g. "minhash.sign"; also the GPU object label. */
  label: string;
  code: string;
  entryPoint: string;
  constants: Record<string, number>;
}

interface DeviceCache {
  modules: Map<string, GPUShaderModule>;
  pipelines: Map<string, GPUComputePipeline>;
}

const caches = new WeakMap<GPUDevice, DeviceCache>();

export function computePipeline(device: GPUDevice, desc: ProgramDesc): GPUComputePipeline {
  let cache = caches.get(device);
  if (cache === undefined) {
    cache = { modules: new Map(), pipelines: new Map() };
    caches.set(device, cache);
  }
  const constKey = Object.keys(desc.constants)
    .sort()
    .map((k) => `${k}=${desc.constants[k]}`)
    .join(",");
  const key = `${desc.label}#${desc.entryPoint}#${constKey}`;
  const hit = cache.pipelines.get(key);
  if (hit !== undefined) return hit;
  let module = cache.modules.get(desc.label);
  if (module === undefined) {
    module = device.createShaderModule({ label: `${desc.label}.wgsl`, code: desc.code });
    cache.modules.set(desc.label, module);
  }
  const pipeline = device.createComputePipeline({
    label: `${desc.label} [${constKey}]`,
    layout: "auto",
    compute: { module, entryPoint: desc.entryPoint, constants: desc.constants },
  });
  cache.pipelines.set(key, pipeline);
  return pipeline;
}

/** How many cached pipelines `device` has (for tests of the cache). */
export function cachedPipelineCount(device: GPUDevice): number {
  return caches.get(device)?.pipelines.size ?? 0;
}
