import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zlib from "node:zlib";
import { afterAll } from "bun:test";

/** A fresh temp folder removed after the test file. */
export function tempDir(prefix = "gamma-test-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export function readZstLines(path: string): string[] {
  const t = zlib.zstdDecompressSync(readFileSync(path)).toString("utf8");
  return t.split("\n").filter((l) => l.length > 0);
}

export function readZstJson<T = Record<string, unknown>>(path: string): T[] {
  return readZstLines(path).map((l) => JSON.parse(l) as T);
}

export function writeJsonl(path: string, rows: unknown[], compress: "none" | "zst" | "gz" = "none"): string {
  const body = Buffer.from(rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n") + "\n");
  const data = compress === "zst" ? zlib.zstdCompressSync(body) : compress === "gz" ? zlib.gzipSync(body) : body;
  writeFileSync(path, data);
  return path;
}
