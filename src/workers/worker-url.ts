/**
 * Where a worker script is. From source: next to the module that asks. In a
 * `bun build --compile` binary every entrypoint is embedded under the common
 * root of the entrypoints (src/) with a .js name, while import.meta.url names
 * the binary; so look for the embedded file. scripts/build.ts lists them.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GammaError } from "../errors.ts";

/** `srcRel` is the worker's path under src/, e.g. "stages/file-worker.ts". */
export function workerUrl(srcRel: string): string {
  const here = import.meta.url;
  if (here.includes("$bunfs") || here.includes("~BUN")) {
    const js = srcRel.replace(/\.ts$/, ".js");
    for (const rel of [`../${js}`, `./${js}`, `./src/${js}`, `../src/${js}`]) {
      const url = new URL(rel, here);
      if (existsSync(fileURLToPath(url))) return url.href;
    }
    throw new GammaError(
      "build",
      `this gamma binary was built without its worker src/${srcRel}: scripts/build.ts must list it in WORKER_ENTRYPOINTS. Meanwhile --cpu-threads 1 avoids workers.`,
    );
  }
  return new URL(`../${srcRel}`, here).href;
}
