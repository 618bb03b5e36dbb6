/**
 * Runs GPU work inside validation and out-of-memory error scopes and turns a captured error into
 * a thrown DeviceError, so a bad dispatch fails loudly (and fails the tests) instead of returning
 * zeros.
 */
import { DeviceError } from "../errors.ts";

export async function withErrorScopes<T>(device: GPUDevice, what: string, fn: () => T): Promise<T> {
  device.pushErrorScope("out-of-memory");
  device.pushErrorScope("validation");
  let result: T;
  try {
    result = fn();
  } finally {
    // Both pops are issued before any await: other work may push its own scopes meanwhile.
    const [validation, oom] = await Promise.all([device.popErrorScope(), device.popErrorScope()]);
    const err = validation ?? oom;
    if (err) {
      throw new DeviceError(`${what}: WebGPU ${validation ? "validation" : "out-of-memory"} error: ${err.message}`);
    }
  }
  return result;
}
