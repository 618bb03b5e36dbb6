import { selectBackend, type Backend } from "../gpu/device.ts";
import { info } from "../log.ts";
import type { NearSettings } from "../stages/dedup-near.ts";

/**
 * The near backend, chosen before any thread starts or output is opened (a device error leaves
 * nothing behind); null for --mode exact.
 */
export async function nearBackend(mode: string, near: NearSettings): Promise<Backend | null> {
  if (mode === "exact") return null;
  const backend = await selectBackend({ device: near.device, adapterName: near.adapterName });
  const name = backend.adapter ? ` (${backend.adapter.description || backend.adapter.device})` : "";
  info(`dedup: near-duplicate kernels on ${backend.kind}${name}: ${backend.reason}`);
  return backend;
}
