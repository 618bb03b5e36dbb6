/**
 * Builds the single binary dist/gamma with `bun build --compile`. Worker
 * modules are extra entrypoints so `new Worker(new URL(...))` finds them
 * inside the binary; the WebAssembly kernels (compiled from AssemblyScript by
 * scripts/build-kernels.ts), WGSL shaders, the smoke sample and tokenizer, and the
 * platform's dawn.node are embedded through static imports.
 *   bun run scripts/build.ts [--outfile dist/gamma]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(import.meta.dir, "..");
const args = process.argv.slice(2);
const outIdx = args.indexOf("--outfile");
const outfile = outIdx >= 0 ? args[outIdx + 1]! : join(root, "dist", "gamma");

/** Modules started as Bun Workers; each must be an entrypoint of the compiled binary. */
export const WORKER_ENTRYPOINTS: string[] = [
  "src/stages/file-worker.ts",
  "src/kernels/cpu-worker.ts",
  "src/tokenizer/encode-worker.ts",
  "src/tokenizer/train/count-worker.ts",
];

// The WebAssembly kernels are compiled from AssemblyScript first (they are embedded as files).
const kernels = spawnSync(process.execPath, ["run", join(root, "scripts/build-kernels.ts")], { cwd: root, stdio: "inherit" });
if (kernels.status !== 0) process.exit(kernels.status ?? 1);

const entry = ["src/cli.ts", ...WORKER_ENTRYPOINTS].map((p) => join(root, p));
for (const e of entry) if (!existsSync(e)) throw new Error(`build: missing entrypoint ${e}`);
mkdirSync(dirname(outfile), { recursive: true });
const sha = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" });
const gitSha = sha.status === 0 ? sha.stdout.trim() : "";
const define = ["--define", `GAMMA_BUILD_GIT_SHA=${JSON.stringify(gitSha)}`];
const r = spawnSync(
  process.execPath,
  ["build", "--compile", "--minify-syntax", "--sourcemap=none", ...define, ...entry, "--outfile", outfile],
  {
    cwd: root,
    stdio: "inherit",
  },
);
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`build: ${outfile} (${(statSync(outfile).size / 1e6).toFixed(1)} MB)`);
