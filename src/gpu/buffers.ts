/**
 * GPU buffers: every buffer gamma creates goes through here, so each one has a label, a known
 * owner device, and can be unmapped before the device is destroyed (dawn.node leaves mapped
 * buffers attached on GPUDevice.destroy(); the webgpu package's index.js patches that, and we do
 * not load that file, so device.ts calls unmapTracked() instead).
 */

const tracked = new WeakMap<GPUDevice, Set<WeakRef<GPUBuffer>>>();

export function createTrackedBuffer(device: GPUDevice, desc: GPUBufferDescriptor): GPUBuffer {
  const buffer = device.createBuffer(desc);
  let set = tracked.get(device);
  if (set === undefined) {
    set = new Set();
    tracked.set(device, set);
  }
  set.add(new WeakRef(buffer));
  return buffer;
}

/** Unmaps every still-mapped buffer of `device` (before destroy); forgets destroyed/collected ones. */
export function unmapTracked(device: GPUDevice): void {
  const set = tracked.get(device);
  if (set === undefined) return;
  for (const ref of set) {
    const b = ref.deref();
    if (b !== undefined && b.mapState === "mapped") {
      try {
        b.unmap();
      } catch {
        // one bad buffer must not keep the device alive
      }
    }
  }
  set.clear();
}

/** A buffer that is replaced by a bigger one when a batch needs more room, then reused. */
export class GrowableBuffer {
  private buffer: GPUBuffer | null = null;
  private capacity = 0;

  constructor(
    private readonly device: GPUDevice,
    readonly label: string,
    private readonly usage: GPUBufferUsageFlags,
  ) {}

  /** A buffer of at least `bytes` (rounded up to 4, at least 16); contents are not preserved. */
  ensure(bytes: number): GPUBuffer {
    const need = Math.max(16, Math.ceil(bytes / 4) * 4);
    if (this.buffer === null || this.capacity < need) {
      this.buffer?.destroy();
      const max = this.device.limits.maxBufferSize;
      const size = Math.min(Math.max(need, Math.ceil((this.capacity * 3) / 2 / 4) * 4), max);
      if (size < need) throw new RangeError(`${this.label}: ${need} bytes exceed maxBufferSize ${max}`);
      this.buffer = createTrackedBuffer(this.device, { label: this.label, size, usage: this.usage });
      this.capacity = size;
    }
    return this.buffer;
  }

  destroy(): void {
    this.buffer?.destroy();
    this.buffer = null;
    this.capacity = 0;
  }
}
