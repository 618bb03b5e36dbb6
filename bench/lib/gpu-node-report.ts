/**
 * Prints bench/gpu-node.sh's table: MinHash signing and pair verification on the GPU next to the
 * CPU twin, from the two dedup runs' manifests and timings, with dispatch and transfer counts.
 *   bun bench/lib/gpu-node-report.ts OUT_DIR   (OUT_DIR/{normalized,gpu,cpu}/, OUT_DIR/wall-{gpu,cpu}.txt)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2] ?? "bench/out/gpu-node";
const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));

function textBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(".manifest.json")) n += json(join(e.parentPath, e.name)).bytes.text_kept;
  }
  return n;
}

interface Run {
  docs: number;
  near: {
    backend: string;
    backendReason: string;
    candidates: number;
    verifiedPairs: number;
    dispatches: number;
    bytesToGpu: number;
    bytesFromGpu: number;
  };
  t: { kernelMs: number; phaseMs: { shingle: number; sign: number; bands: number; verify: number; select: number } };
  wall: number;
  decisions: string;
}

function run(kind: string): Run {
  const m = json(join(out, kind, "dedup.manifest.json"));
  // Dispatches, transfers and timings are in dedup.stats.json (how it ran); the rest in the manifest.
  const s = json(join(out, kind, "dedup.stats.json"));
  return {
    docs: m.counts.in,
    near: { ...m.near, ...s.near },
    t: s.near,
    wall: Number(readFileSync(join(out, `wall-${kind}.txt`), "utf8")),
    decisions: m.outputs.decisions.sha256,
  };
}

const gpu = run("gpu");
const cpu = run("cpu");
if (gpu.docs === 0) {
  console.error("gpu-node: no documents reached dedup (did normalize's filters drop them all? see FILTERS)");
  process.exit(1);
}
const mb = textBytes(join(out, "normalized")) / 1e6;
const f = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
// Signing: shingling and MinHash of every document (fused on the CPU twin, so both are counted).
const signMs = (r: Run) => r.t.phaseMs.shingle + r.t.phaseMs.sign;
const rows: [string, (r: Run) => string][] = [
  ["backend", (r) => r.near.backend],
  ["signing (shingle + MinHash)", (r) => `${f(r.docs / (signMs(r) / 1000))} docs/s, ${f(mb / (signMs(r) / 1000), 1)} MB/s`],
  [
    "pair verification",
    (r) => (r.t.phaseMs.verify > 0 ? `${f(r.near.candidates / (r.t.phaseMs.verify / 1000))} pairs/s` : "no candidates"),
  ],
  ["candidate pairs / passed", (r) => `${f(r.near.candidates)} / ${f(r.near.verifiedPairs)}`],
  ["kernel time", (r) => `${f(r.t.kernelMs / 1000, 2)} s`],
  ["dispatches", (r) => f(r.near.dispatches)],
  ["bytes to GPU / from GPU", (r) => `${f(r.near.bytesToGpu / 1e6, 1)} MB / ${f(r.near.bytesFromGpu / 1e6, 1)} MB`],
  ["near dedup wall time", (r) => `${f(r.wall, 2)} s`],
];
const w = Math.max(...rows.map(([k]) => k.length));
const cw = Math.max(12, ...rows.map(([, g]) => g(gpu).length));
console.log(`\nnear dedup of ${f(gpu.docs)} documents (${f(mb, 1)} MB of text) on this node`);
console.log(`GPU: ${gpu.near.backendReason}`);
console.log(`${"".padEnd(w)}  ${"GPU".padEnd(cw)}  CPU twin`);
for (const [k, g] of rows) console.log(`${k.padEnd(w)}  ${g(gpu).padEnd(cw)}  ${g(cpu)}`);
console.log(`decisions identical on GPU and CPU: ${gpu.decisions === cpu.decisions ? "yes" : "NO"}`);
if (gpu.decisions !== cpu.decisions) process.exitCode = 1;
