/**
 * Outputs are written under a temporary name and renamed into place when
 * complete, so a crash never leaves a file that looks finished.
 */
import { renameSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

export function commitTemp(tmp: string, path: string): void {
  renameSync(tmp, path);
}

export function discardTemp(tmp: string): void {
  rmSync(tmp, { force: true });
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data);
    commitTemp(tmp, path);
  } catch (e) {
    discardTemp(tmp);
    throw e;
  }
}

/** JSON with sorted-insertion keys as given, 2-space indent, trailing newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
