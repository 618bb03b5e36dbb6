/**
 * Dawn writes warnings of its own to the process's stderr (on Mesa's lavapipe, four lines of
 * "maxDynamic... artificially reduced" whenever adapters are listed). They say nothing a gamma
 * user can act on, so while Dawn lists adapters and makes a device, file descriptor 2 points to a
 * temporary file; afterwards Dawn's lines are shown only with --verbose, and anything else that
 * was written meanwhile is passed on as it was.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { debug } from "../log.ts";

interface Libc {
  dup(fd: number): number;
  dup2(from: number, to: number): number;
}

let libc: Libc | null | undefined;

function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  if (process.platform !== "linux" && process.platform !== "darwin") return libc;
  try {
    const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
    const name = process.platform === "darwin" ? "libc.dylib" : "libc.so.6";
    const lib = dlopen(name, {
      dup: { args: [FFIType.i32], returns: FFIType.i32 },
      dup2: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    });
    libc = { dup: (fd) => lib.symbols.dup(fd), dup2: (a, b) => lib.symbols.dup2(a, b) };
  } catch {
    libc = null;
  }
  return libc;
}

const DAWN_LINE = /^Warning: .*(artificially reduced|Dawn|Vulkan)/;

/** Runs `body` with stderr captured (see the header comment); without libc it just runs it. */
export async function withDawnStderr<T>(body: () => Promise<T>): Promise<T> {
  const c = loadLibc();
  if (c === null) return body();
  const dir = mkdtempSync(join(tmpdir(), "gamma-dawn-"));
  const path = join(dir, "stderr");
  const fd = openSync(path, "w+");
  const saved = c.dup(2);
  if (saved < 0 || c.dup2(fd, 2) < 0) {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    return body();
  }
  try {
    return await body();
  } finally {
    c.dup2(saved, 2);
    closeSync(saved);
    closeSync(fd);
    const text = readFileSync(path, "utf8");
    rmSync(dir, { recursive: true, force: true });
    for (const line of text.split("\n")) {
      if (line === "") continue;
      if (DAWN_LINE.test(line)) debug(`Dawn: ${line}`);
      else process.stderr.write(`${line}\n`);
    }
  }
}
