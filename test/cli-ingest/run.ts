/**
 * Spawns the real CLI (`bun src/cli.ts ...`, cwd the repo) without blocking
 * this process, so a Hub stand-in served by the test keeps answering.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";

export const REPO = join(import.meta.dir, "../..");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function gamma(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    ...process.env,
    GAMMA_LOG_EVERY: "0",
    SOURCE_DATE_EPOCH: "1700000000",
    HF_TOKEN: undefined,
    ...env,
  })) {
    if (v !== undefined) merged[k] = v;
  }
  const proc = Bun.spawn([process.execPath, "src/cli.ts", ...args], {
    cwd: REPO,
    env: merged,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Runs and demands exit 0, showing stderr otherwise. */
export async function gammaOk(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const r = await gamma(args, env);
  if (r.code !== 0) throw new Error(`gamma ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return r;
}

/** The JSON line a command prints on stdout. */
export function jsonOut<T = Record<string, unknown>>(r: CliRun): T {
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as T;
}

/** Every file under `dir`, recursively, hidden ones included. */
export function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else if (statSync(p).isFile()) out.push(p);
  }
  return out.sort();
}

/** A file's text, zstd-decompressed when it is a .zst. */
export function textOf(path: string): string {
  const b = readFileSync(path);
  return path.endsWith(".zst") ? zlib.zstdDecompressSync(b).toString("utf8") : b.toString("utf8");
}

export function sha256(b: string | Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(b).digest("hex");
}
