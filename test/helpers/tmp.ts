import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
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

/** Every file under `root` (task folders left out) with its bytes in base64, by path relative to root. */
export function fileTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (name === ".gamma-tasks") continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p).toString("base64"));
    }
  };
  walk(root);
  return out;
}
