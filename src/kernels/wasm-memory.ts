/** WebAssembly memory growth for the kernels' scratch space. */
const PAGE = 65536;

/**
 * Grows `memory` to at least `bytes`; false when it cannot grow that far (a RangeError from the
 * engine: past 4 GiB or out of memory), so the caller can fall back to JavaScript.
 */
export function growMemory(memory: WebAssembly.Memory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}
