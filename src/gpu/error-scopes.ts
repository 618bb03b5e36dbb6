/**
 * Runs GPU work inside validation and out-of-memory error scopes and turns a captured error into
 * a thrown DeviceError, so a bad dispatch fails loudly (and fails the tests) instead of returning
 * zeros.
 */
import { DeviceError } from "../errors.ts";

export async function withErrorScopes<T>(device: GPUDevice, what: string, fn: () => T): Promise<T> {
  device.pushErrorScope("out-of-memory");
  device.pushErrorScope("validation");
  let result: { value: T } | null = null;
  let thrown: { error: unknown } | null = null;
  try {
    result = { value: fn() };
  } catch (e) {
    thrown = { error: e };
  }
  // Both pops are issued before any await: other work may push its own scopes meanwhile.
  const [validation, oom] = await Promise.all([device.popErrorScope(), device.popErrorScope()]);
  const err = validation ?? oom;
  // A captured WebGPU error explains more than what fn threw because of it.
  if (err) throw new DeviceError(`${what}: WebGPU ${validation ? "validation" : "out-of-memory"} error: ${err.message}`);
  if (thrown !== null) throw thrown.error;
  return result!.value;
}
