import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import pkg from "../package.json" with { type: "json" };

export const GAMMA_VERSION: string = pkg.version;

declare const GAMMA_BUILD_GIT_SHA: string | undefined;

let cached: string | null | undefined;

/** The git commit gamma was built from (set by scripts/build.ts), or of the source checkout it runs from; null when unknown. */
export function gitSha(): string | null {
  if (cached !== undefined) return cached;
  if (typeof GAMMA_BUILD_GIT_SHA === "string" && GAMMA_BUILD_GIT_SHA.length > 0) return (cached = GAMMA_BUILD_GIT_SHA);
  if (import.meta.url.includes("$bunfs")) return (cached = null);
  const r = spawnSync("git", ["rev-parse", "HEAD"], { cwd: dirname(import.meta.dir), encoding: "utf8" });
  cached = r.status === 0 ? r.stdout.trim() : null;
  return cached;
}
