/**
 * Compiles the WebAssembly kernels written in AssemblyScript (src/kernels/as/*.ts) with the
 * assemblyscript compiler from node_modules into src/kernels/wasm/*.wasm, which the kernels'
 * loaders import as files (so `bun build --compile` embeds them). `npm test` and `npm run build`
 * run it first; nothing compiled is committed.
 *
 *   bun run scripts/build-kernels.ts [--check]   (--check: fail if an output is missing or stale)
 */
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";

const root = join(import.meta.dir, "..");
const srcDir = join(root, "src/kernels/as");
const outDir = join(root, "src/kernels/wasm");
const asc = join(root, "node_modules/.bin/asc");
const FLAGS = ["-O3", "--runtime", "stub", "--importMemory", "--noExportMemory", "--noAssert", "--use", "abort=", "--enable", "simd"];

mkdirSync(outDir, { recursive: true });
const sources = readdirSync(srcDir)
  .filter((f) => f.endsWith(".ts"))
  .sort();
const check = process.argv.includes("--check");
let built = 0;
for (const f of sources) {
  const src = join(srcDir, f);
  const out = join(outDir, `${basename(f, ".ts")}.wasm`);
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) continue;
  if (check) {
    console.error(`kernels: ${out} is missing or older than ${src}; run bun run scripts/build-kernels.ts`);
    process.exit(1);
  }
  const r = Bun.spawnSync([asc, src, ...FLAGS, "-o", out], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    console.error(`kernels: asc failed on ${f}:\n${r.stderr.toString()}${r.stdout.toString()}`);
    process.exit(1);
  }
  built++;
}
if (built > 0) console.error(`kernels: compiled ${built} of ${sources.length} AssemblyScript kernel(s) into src/kernels/wasm/`);
