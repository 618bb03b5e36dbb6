import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InputError } from "../errors.ts";

export interface FileDigest {
  path: string;
  sha256: string;
  bytes: number;
}

/** Bytes read per call, into one buffer per file (fresh buffers cost page faults). */
const CHUNK = 1 << 20;
/** The event loop gets a turn after this many bytes, so a big file does not hold up the thread. */
const YIELD_EVERY = 32 << 20;

export async function sha256File(path: string): Promise<FileDigest> {
  const h = new Bun.CryptoHasher("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(CHUNK);
    let bytes = 0;
    let sinceYield = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      bytes += n;
      sinceYield += n;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((r) => setImmediate(r));
      }
    }
    if (bytes !== fstatSync(fd).size) throw new InputError(`${path} changed while gamma read it; run again once it is complete`);
    return { path, sha256: h.digest("hex"), bytes };
  } finally {
    closeSync(fd);
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}
