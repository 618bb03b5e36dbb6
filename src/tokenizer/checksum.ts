import { ConfigError } from "../errors.ts";
import { sha256Hex } from "../io/hash.ts";

export async function readTokenizerFile(path: string): Promise<Uint8Array> {
  try {
    return await Bun.file(path).bytes();
  } catch (e) {
    throw new ConfigError(`cannot read tokenizer file ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** sha256 and size of a tokenizer file, for `gamma checksum` and manifests. */
export async function tokenizerChecksum(path: string): Promise<{ path: string; sha256: string; bytes: number }> {
  const bytes = await readTokenizerFile(path);
  return { path, sha256: sha256Hex(bytes), bytes: bytes.length };
}

/** Refuses a file whose digest is not the pinned one. */
export function checkPin(path: string, sha256: string, expected: string | undefined): void {
  if (expected === undefined) return;
  const want = expected.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(want)) {
    throw new ConfigError(`expected sha256 ${JSON.stringify(expected)} is not 64 hex digits`);
  }
  if (want !== sha256) {
    throw new ConfigError(
      `${path}: sha256 is ${sha256} but ${want} was expected; this is not the pinned tokenizer file (fetch the pinned one, or update the pin deliberately)`,
    );
  }
}
