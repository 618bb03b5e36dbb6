/**
 * The command that starts this same gamma again: the compiled binary itself (process.execPath),
 * or, running from source, the Bun that runs it with src/cli.ts. Pipelines start their tasks with
 * it, locally and in Slurm scripts, so a node needs nothing but this gamma.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function isCompiled(url: string = import.meta.url): boolean {
  return url.includes("$bunfs") || url.includes("~BUN");
}

/** argv[0..k] that run gamma: [binary] or [bun, /abs/src/cli.ts]. */
export function gammaCommand(): string[] {
  if (isCompiled()) return [process.execPath];
  const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
  if (!existsSync(cli)) throw new Error(`gamma's entry point ${cli} is missing`);
  return [process.execPath, cli];
}
