import { createReadStream, statSync } from "node:fs";

export interface FileDigest {
  path: string;
  sha256: string;
  bytes: number;
}

export async function sha256File(path: string): Promise<FileDigest> {
  const h = new Bun.CryptoHasher("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) h.update(chunk as Uint8Array);
  return { path, sha256: h.digest("hex"), bytes: statSync(path).size };
}

export function sha256Hex(data: string | Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}
