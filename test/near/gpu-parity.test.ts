/**
 * GPU vs CPU parity over seeded corpora of real text (Brown, nlp-corpus) plus CJK, emoji and a
 * 1 MB document: signatures, band keys, pair counts (word, char and token shingles) and final
 * decisions (both --near-clusters modes, both verifications, and `gamma dedup --device gpu`'s
 * decisions file) must be bit-identical, and the GPU must really have run.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nearSettings } from "../../src/commands/dedup.ts";
import { readGlobals } from "../../src/commands/globals.ts";
import { releaseBackend } from "../../src/gpu/device.ts";
import { runDedup, runDedupTask } from "../../src/stages/dedup.ts";
import { writeJsonl } from "../helpers/tmp.ts";
import { CpuMinhash } from "../../src/kernels/minhash.cpu.ts";
import { GpuMinhash } from "../../src/kernels/minhash.gpu.ts";
import type { MinHashParams } from "../../src/kernels/minhash.ts";
import { nearDedup, type NearDoc, type NearOptions } from "../../src/near/near-dedup.ts";
import { Shingler, parseShingleSpec } from "../../src/near/shingle.ts";
import { gpuForTests, requireGpuTest, withGpuErrorScopes } from "../gpu/gpu-available.ts";
import { bigDoc, brownTexts, cjkDoc, emojiDoc, nlpDocs } from "./fixtures/corpus.ts";
import { dupCorpus } from "./fixtures/dup-corpus.ts";

// The manifests' timestamp, so that two runs' manifests can be compared byte for byte.
process.env.SOURCE_DATE_EPOCH = "1700000000";
const gpu = await gpuForTests();
requireGpuTest(gpu);
afterAll(() => releaseBackend());

const work = mkdtempSync(join(tmpdir(), "gamma-parity-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `big`: bytes of the one big document (1 MB for word shingles; char shingles are ~5x denser). */
function mixedCorpus(seed: number, big: number): string[] {
  const brown = brownTexts().slice(seed * 40, seed * 40 + 40);
  return [
    ...brown,
    ...nlpDocs(120, seed, 1, 40),
    ...Array.from({ length: 12 }, (_, i) => cjkDoc(seed * 100 + i, 50 + i * 40)),
    ...Array.from({ length: 12 }, (_, i) => emojiDoc(seed * 100 + i, 20 + i * 15)),
    "",
    "🔥",
    bigDoc(big),
    brown[3],
  ];
}

function csrOf(texts: string[], shingle: string): { hashes: Uint32Array; offsets: Uint32Array } {
  const sh = new Shingler(parseShingleSpec(shingle));
  const parts = texts.map((t) => sh.hashes(t).slice());
  const offsets = new Uint32Array(texts.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i] + p.length));
  const hashes = new Uint32Array(offsets[texts.length]);
  parts.forEach((p, i) => hashes.set(p, offsets[i]));
  return { hashes, offsets };
}

function firstMismatch(what: string, a: Uint32Array, b: Uint32Array, width: number, inner: string): string | null {
  if (a.length !== b.length) return `${what}: lengths gpu=${a.length} cpu=${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return `${what}: doc ${Math.floor(i / width)}, ${inner} ${i % width}: gpu=${a[i]} cpu=${b[i]}`;
  }
  return null;
}

describe.skipIf(gpu === null)(`GPU (${gpu?.adapter?.description}) and CPU twins agree bit for bit`, () => {
  const params: MinHashParams = { numPerm: 128, seed: 2024, bands: 17, rows: 7 };

  for (const [seed, shingle, big] of [
    [1, "word:5", 1 << 20],
    [2, "char:4", 1 << 17],
    [3, "token:5", 1 << 20],
  ] as const) {
    test(`signatures, band keys and pair counts on corpus ${seed} (${shingle}, a ${big >> 10} KiB doc)`, () =>
      withGpuErrorScopes(gpu!.device, async () => {
        const texts = mixedCorpus(seed, big);
        const batch = csrOf(texts, shingle);
        const g = new GpuMinhash(gpu!.device, params, { maxDocsPerDispatch: 64, maxHashesPerDispatch: 1 << 17 });
        const c = new CpuMinhash(params, 2);
        const [go, co] = await Promise.all([g.sign(batch), c.sign(batch)]);
        const sigErr = firstMismatch("signatures", go.signatures, co.signatures, params.numPerm, "perm");
        const keyErr = firstMismatch("band keys", go.bandKeys, co.bandKeys, params.bands, "band");
        expect(sigErr ?? keyErr ?? "identical").toBe("identical");

        // Pairs: every doc against a few others, plus the known duplicate (3 vs last).
        const n = texts.length;
        const pairs: number[] = [3, n - 1];
        for (let i = 0; i < n; i++) for (const s of [1, 7, 31]) pairs.push(i, (i + s) % n);
        const pa = new Uint32Array(pairs);
        const [gc, cc] = await Promise.all([g.countEqual(go.signatures, pa), c.countEqual(co.signatures, pa)]);
        expect(firstMismatch("pair counts", gc, cc, 1, "pair") ?? "identical").toBe("identical");
        expect(gc[0]).toBe(params.numPerm);

        // The GPU really ran: several dispatches, bytes both ways.
        const s = g.stats();
        expect(s.dispatches).toBeGreaterThan(n / 64);
        expect(s.bytesToGpu).toBeGreaterThanOrEqual(batch.hashes.byteLength);
        expect(s.bytesFromGpu).toBeGreaterThanOrEqual(go.signatures.byteLength);
        await g.dispose();
        await c.dispose();
      }));
  }

  for (const [clusters, verify] of [
    ["greedy", "estimate"],
    ["components", "estimate"],
    ["greedy", "exact"],
    ["components", "exact"],
  ] as const) {
    test(`near-dedup decisions and similarities are identical on GPU and CPU (--near-clusters ${clusters}, --verify ${verify}), and the GPU ran`, () =>
      withGpuErrorScopes(gpu!.device, async () => {
        const corpus = dupCorpus(5, 120, 120).texts;
        const stream = async function* (): AsyncGenerator<NearDoc> {
          for (let i = 0; i < corpus.length; i++) yield { index: i, docId: `d${i}`, text: corpus[i], group: i % 3 ? "a" : "b" };
        };
        const base: NearOptions = {
          shingle: "word:5",
          numPerm: 128,
          threshold: 0.8,
          seed: 9,
          verify,
          selection: "longest",
          clusters,
          backend: { kind: "cpu", reason: "test" },
          cpuThreads: 2,
          workDir: work,
        };
        const cpu = await nearDedup(stream(), base);
        // Small GPU batches and gathers: many dispatches, many verification rounds.
        const onGpu = await nearDedup(stream(), {
          ...base,
          backend: gpu!,
          cpuThreads: 1,
          tuning: { batchDocs: 50, pairBatch: 40, gatherRows: 30, gpu: { maxDocsPerDispatch: 20, maxPairsPerDispatch: 16 } },
        });
        expect(onGpu.stats.backend).toBe("gpu");
        expect(onGpu.stats.backendReason).toBe(gpu!.reason);
        expect(onGpu.stats.dispatches).toBeGreaterThan(corpus.length / 20);
        expect(onGpu.stats.bytesFromGpu).toBeGreaterThan(corpus.length * 128 * 4);
        expect(cpu.stats.dispatches).toBe(0);
        expect(Array.from(onGpu.dupOf)).toEqual(Array.from(cpu.dupOf));
        expect(Buffer.from(onGpu.similarity.buffer).equals(Buffer.from(cpu.similarity.buffer))).toBe(true);
        expect([onGpu.stats.candidates, onGpu.stats.verifiedPairs]).toEqual([cpu.stats.candidates, cpu.stats.verifiedPairs]);
        expect(cpu.dupOf.filter((d) => d >= 0).length).toBeGreaterThan(50);
      }));
  }

  for (const clusters of ["greedy", "components"]) {
    test(`gamma dedup --device gpu writes the CPU's decisions byte for byte (--near-clusters ${clusters}, --mode both)`, async () => {
      const dir = join(work, `stage-${clusters}`);
      mkdirSync(dir, { recursive: true });
      const corpus = dupCorpus(6, 60, 60).texts;
      const input = writeJsonl(
        join(dir, "part-00000.jsonl.zst"),
        [...corpus, corpus[4]!, corpus[9]!.toUpperCase()].map((text, i) => ({
          text,
          source: "s",
          domain: "d",
          doc_id: `d${i}`,
          license_tag: null,
          created_at: "2023-11-14T22:13:20.000Z",
          meta: {},
        })),
        "zst",
      );
      const run = async (device: string) => {
        const outDir = join(dir, device);
        const g = readGlobals({ cpuThreads: "1", device, seed: "0" });
        const r = await runDedup({
          inputs: [input],
          outDir,
          mode: "both",
          scope: "global",
          near: nearSettings({ nearClusters: clusters, verify: "estimate" }, g),
        });
        return { outDir, manifest: JSON.parse(readFileSync(r.manifestPath, "utf8")), stats: JSON.parse(readFileSync(r.statsPath, "utf8")) };
      };
      const cpu = await run("cpu");
      const onGpu = await run("gpu");
      expect(onGpu.manifest.near.backend).toBe("gpu");
      expect(onGpu.stats.near.dispatches).toBeGreaterThan(0);
      expect(onGpu.stats.near.bytesFromGpu).toBeGreaterThan(0);
      expect(cpu.manifest.near.backend).toBe("cpu");
      const decisions = (d: string) => readFileSync(join(d, "decisions.jsonl.zst"));
      expect(decisions(onGpu.outDir).equals(decisions(cpu.outDir))).toBe(true);
      expect(readFileSync(join(onGpu.outDir, "deduped.jsonl.zst")).equals(readFileSync(join(cpu.outDir, "deduped.jsonl.zst")))).toBe(true);
      expect(cpu.manifest.counts.dropped.near_dup).toBeGreaterThan(3);
      expect(cpu.manifest.counts.dropped.exact_dup).toBeGreaterThan(1);
    });
  }

  test("gamma dedup split into 3 tasks with a --merge on the GPU writes the files of a single GPU run, whether the tasks ran on the GPU or signed on the CPU", async () => {
    const dir = join(work, "tasks");
    mkdirSync(dir, { recursive: true });
    const corpus = dupCorpus(8, 50, 50).texts;
    const docs = [...corpus, corpus[2]!, corpus[7]!.toUpperCase()].map((text, i) => ({
      text,
      source: "s",
      domain: "d",
      doc_id: `d${i}`,
      license_tag: null,
      created_at: "2023-11-14T22:13:20.000Z",
      meta: {},
    }));
    const per = Math.ceil(docs.length / 4);
    const inputs = [0, 1, 2, 3].map((s) => writeJsonl(join(dir, `part-0000${s}.jsonl.zst`), docs.slice(s * per, (s + 1) * per), "zst"));
    const opts = (device: string, outDir: string) => ({
      inputs,
      outDir,
      mode: "both" as const,
      scope: "global" as const,
      near: nearSettings({ verify: "exact", nearClusters: "components" }, readGlobals({ cpuThreads: "1", device, seed: "0" })),
    });
    const single = await runDedup(opts("gpu", join(dir, "single")));
    const manifest = JSON.parse(readFileSync(single.manifestPath, "utf8"));
    expect(manifest.near.backend).toBe("gpu");
    expect(manifest.counts.dropped.near_dup).toBeGreaterThan(3);
    for (const taskDevice of ["gpu", "cpu"]) {
      const outDir = join(dir, `tasks-${taskDevice}`);
      for (let index = 0; index < 3; index++) await runDedupTask({ ...opts(taskDevice, outDir), task: { index, count: 3 } });
      const merged = await runDedup({ ...opts("gpu", outDir), task: { index: 0, count: 3 }, merge: true });
      const stats = JSON.parse(readFileSync(merged.statsPath, "utf8"));
      expect(stats.near.dispatches).toBeGreaterThan(0);
      for (const f of ["deduped.jsonl.zst", "decisions.jsonl.zst", "dedup.manifest.json"]) {
        expect(`${taskDevice} tasks: ${f}: ${readFileSync(join(outDir, f)).equals(readFileSync(join(dir, "single", f)))}`).toBe(
          `${taskDevice} tasks: ${f}: true`,
        );
      }
    }
  });
});
