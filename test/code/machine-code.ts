/**
 * Real source files from the machine the tests run on: the Python library,
 * JavaScript and TypeScript from node_modules, C headers, scripts in
 * /usr/bin. Tests that use them skip, and say so, when they are missing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const NODE_MODULES = join(import.meta.dir, "..", "..", "node_modules");

/** /usr/lib/python3.N directories, newest first. */
export function pythonLibs(): string[] {
  if (!existsSync("/usr/lib")) return [];
  return readdirSync("/usr/lib")
    .filter((d) => /^python3\.\d+$/.test(d))
    .sort((a, b) => Number(b.split(".")[1]) - Number(a.split(".")[1]))
    .map((d) => `/usr/lib/${d}`);
}

/**
 * Every `every`-th file matching `glob` under `root` (sorted), of `minBytes`
 * to `maxBytes`, at most `limit`; [] when root is missing.
 */
export function sampleFiles(
  root: string,
  glob: string,
  o: { every?: number; limit?: number; minBytes?: number; maxBytes?: number } = {},
): string[] {
  if (!existsSync(root)) return [];
  const all = [...new Bun.Glob(glob).scanSync({ cwd: root, followSymlinks: true, onlyFiles: true })].sort();
  const out: string[] = [];
  for (let i = 0; i < all.length && out.length < (o.limit ?? Infinity); i += o.every ?? 1) {
    const p = join(root, all[i]!);
    const size = statSync(p).size;
    if (size >= (o.minBytes ?? 0) && size <= (o.maxBytes ?? Infinity)) out.push(p);
  }
  return out;
}

export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** Logs why a machine-file test does not run, so a skip is seen. */
export function missing(what: string): void {
  console.warn(`skipped: ${what} not found on this machine`);
}
