import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { nearSettings } from "../../src/commands/dedup.ts";
import { readGlobals } from "../../src/commands/globals.ts";
import { readItemLineBytes } from "../../src/io/doc-reader.ts";
import { readLines } from "../../src/io/read-lines.ts";
import { runDedup, type DedupOptions } from "../../src/stages/dedup.ts";
import { runReport } from "../../src/stages/report.ts";
import { dupCorpus } from "../near/fixtures/dup-corpus.ts";
import { tempDir, writeJsonl } from "../helpers/tmp.ts";

process.env.SOURCE_DATE_EPOCH = "1700000000";
const dir = tempDir();
const corpus = dupCorpus(7, 90, 90);

/** The corpus as three normalized shards of two sources, plus a line that is not a document. */
function shards(): string[] {
  const doc = (t: string, i: number) => ({
    text: t,
    source: i % 2 === 0 ? "web" : "books",
    domain: "prose",
    doc_id: `d${String(i).padStart(4, "0")}`,
    license_tag: null,
    created_at: "2023-11-14T22:13:20.000Z",
    meta: {},
  });
  const docs = corpus.texts.map(doc);
  const third = Math.ceil(docs.length / 3);
  return [0, 1, 2].map((s) => {
    const rows: unknown[] = docs.slice(s * third, (s + 1) * third);
    if (s === 1) rows.splice(3, 0, "{not json");
    return writeJsonl(join(dir, `part-0000${s}.jsonl.zst`), rows, "zst");
  });
}
const inputs = shards();

function options(o: Partial<DedupOptions> & { threads: number; device?: string; verify?: string }): DedupOptions {
  const g = readGlobals({ cpuThreads: String(o.threads), device: o.device ?? "cpu", seed: "0" });
  return {
    inputs,
    outDir: join(dir, `out-${Math.random().toString(36).slice(2)}`),
    mode: "both",
    scope: "global",
    near: nearSettings({ verify: o.verify ?? "estimate" }, g),
    ...o,
  };
}

const files = ["deduped.jsonl.zst", "decisions.jsonl.zst"];
const read = (d: string, f: string) => readFileSync(join(d, f));

describe("dedup --mode both on the CPU", () => {
  test("signs in the first pass (1 or 2 threads) or reads again (more threads than shards) with the same bytes out", async () => {
    const oneThread = options({ threads: 1 });
    const twoThreads = options({ threads: 2 });
    const reRead = options({ threads: 4 }); // 3 shards < 4 threads: the engine reads the shards again
    const runs = [oneThread, twoThreads, reRead];
    const results = [];
    for (const o of runs) results.push(await runDedup(o));
    const c = results[0]!.counts;
    expect(c.dropped.exact_dup).toBeGreaterThan(5);
    expect(c.dropped.near_dup).toBeGreaterThan(5);
    expect(c.rejected.invalid_record).toBe(1);
    for (const o of runs.slice(1)) for (const f of files) expect(read(o.outDir, f).equals(read(oneThread.outDir, f))).toBe(true);
    for (const o of runs)
      expect(readdirSync(o.outDir).sort()).toEqual(["decisions.jsonl.zst", "dedup.manifest.json", "dedup.stats.json", "deduped.jsonl.zst"]);
    const signedInPass1 = results.map((r) => JSON.parse(readFileSync(r.statsPath, "utf8")).near.signedInFirstPass);
    expect(signedInPass1).toEqual([true, true, false]);
  });

  test("exact verification gives the same bytes whether the first pass signed or the engine read again", async () => {
    const a = options({ threads: 2, verify: "exact" });
    const b = options({ threads: 4, verify: "exact" });
    const ra = await runDedup(a);
    const rb = await runDedup(b);
    const pass1 = (m: string) => JSON.parse(readFileSync(m, "utf8")).near.signedInFirstPass;
    expect([pass1(ra.statsPath), pass1(rb.statsPath)]).toEqual([true, false]);
    // Two thread counts, one manifest: nothing in it depends on the threads or the clock.
    expect(read(a.outDir, "dedup.manifest.json").toString()).toBe(read(b.outDir, "dedup.manifest.json").toString());
    for (const f of files) expect(read(a.outDir, f).equals(read(b.outDir, f))).toBe(true);
  });

  test("two runs with the same inputs, flags and SOURCE_DATE_EPOCH write byte-identical manifests; timings go to dedup.stats.json", async () => {
    const a = options({ threads: 2, verify: "exact" });
    const b = { ...a, outDir: `${a.outDir}-again` };
    const ra = await runDedup(a);
    await runDedup(b);
    const manifest = read(a.outDir, "dedup.manifest.json");
    expect(manifest.equals(read(b.outDir, "dedup.manifest.json"))).toBe(true);
    expect(manifest.toString()).not.toMatch(/kernelMs|phaseMs|_ms"|threads|FirstPass/);
    const stats = JSON.parse(readFileSync(ra.statsPath, "utf8"));
    expect(stats.reproducible).toBe(false);
    expect(stats.cpu_threads).toBe(2);
    expect(Object.keys(stats.near.phaseMs)).toEqual(["shingle", "sign", "bands", "verify", "select"]);
    expect(stats.wall_ms).toBeGreaterThan(0);
    expect(typeof stats.near.kernelMs).toBe("number");
    expect(JSON.parse(manifest.toString()).near.candidates).toBeGreaterThan(0);
  });

  test("--decisions-only writes the same decisions and a manifest without deduped.jsonl.zst, and the report adds up", async () => {
    const full = options({ threads: 2 });
    const only = options({ threads: 2, decisionsOnly: true });
    await runDedup(full);
    const r = await runDedup(only);
    expect(existsSync(join(only.outDir, "deduped.jsonl.zst"))).toBe(false);
    expect(read(only.outDir, "decisions.jsonl.zst").equals(read(full.outDir, "decisions.jsonl.zst"))).toBe(true);
    const m = JSON.parse(readFileSync(r.manifestPath, "utf8"));
    expect(m.params.decisions_only).toBe(true);
    expect(Object.keys(m.outputs)).toEqual(["decisions"]);
    const rep = runReport([r.manifestPath], join(dir, "report.json"));
    expect(rep.adds_up).toBe(true);
  });
});

describe("readItemLineBytes", () => {
  test("gives the UTF-8 of readLines' non-blank lines: CRLF, blank and Unicode-blank lines, invalid UTF-8, BOM", async () => {
    const parts: (string | number[])[] = [
      '{"a":1}\r\n',
      "\n",
      "   \t \r\n",
      "\u00a0\u3000 \n", // blank to String.trim
      '\ufeff{"b":"x"}\n',
      [0x7b, 0x22, 0x63, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d, 0x0d, 0x0a], // invalid UTF-8 then CRLF
      '{"d":"\u00e9\ud83d\ude00"}\n',
      "\u2028x\n",
      '{"last":"no newline"}',
    ];
    const bytes = Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));
    const path = join(dir, "lines.jsonl.zst");
    writeFileSync(path, zlib.zstdCompressSync(bytes));
    const want: string[] = [];
    for await (const lines of readLines(path)) for (const l of lines) if (l.text.trim().length > 0) want.push(l.text);
    const got: string[] = [];
    for await (const lines of readItemLineBytes(path)) for (const l of lines) got.push(Buffer.from(l).toString("hex"));
    expect(want.length).toBe(6);
    expect(got).toEqual(want.map((s) => Buffer.from(s, "utf8").toString("hex")));
  });
});
