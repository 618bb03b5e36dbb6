import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { NO_FILTERS } from "../../src/filters/rules.ts";
import { runNormalize } from "../../src/stages/normalize.ts";
import { decisionLine, reasonTail, runDedup, writeDecision } from "../../src/stages/dedup.ts";
import { ZstdTextWriter } from "../../src/io/zstd-writer.ts";
import zlib from "node:zlib";
import { exactKey } from "../../src/stages/exact-key.ts";
import type { NearSettings } from "../../src/stages/dedup-near.ts";
import { brownFiles, brownParagraphs } from "../../scripts/lib/brown.ts";
import { readZstJson, readZstLines, tempDir, writeJsonl } from "../helpers/tmp.ts";

process.env.SOURCE_DATE_EPOCH = "1700000000";
const paras = brownFiles()
  .slice(10, 16)
  .flatMap((f) => brownParagraphs(f))
  .filter((p) => p.length > 200);
const dir = tempDir();
const near = { describe: () => ({}) } as unknown as NearSettings;

async function normalized(name: string, source: string, rows: unknown[]): Promise<string> {
  const input = writeJsonl(join(dir, `${name}.jsonl`), rows);
  await runNormalize({
    inputs: [input],
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

describe("decisions lines", () => {
  test("are JSON.stringify of {doc_id, decision, dup_of, similarity, reason}, key order and all, as strings and as written", async () => {
    const cases: [string, string, string | null, number | null, string | undefined][] = [
      ["a/1", "kept", null, null, "unique"],
      ["a/2", "some_future_decision", null, 0.5, "r"],
      ['q"uote\\ \u0000 é 😀 \ud800', "near_dup", "a/0\n", 0.812345, "minhash_lsh_v1 (K=128)"],
      ["x", "exact_dup", "y", 1, "exact_hash_v1"],
      ["x", "near_dup", "y", Number.NaN, "r"],
      ["x", "near_dup", "y", -0, "r"],
      ["bad.jsonl:3", "rejected", null, null, undefined],
    ];
    const path = join(dir, "decisions-pieces.jsonl.zst");
    const w = new ZstdTextWriter(path);
    let all = "";
    for (const [id, decision, dupOf, sim, reason] of cases) {
      const expected = JSON.stringify({ doc_id: id, decision, dup_of: dupOf, similarity: sim, reason }) + "\n";
      expect(decisionLine(id, decision, dupOf, sim, reason)).toBe(expected);
      await writeDecision(w, id, decision, dupOf, sim, reasonTail(JSON.stringify(reason)));
      all += expected;
    }
    // A doc_id longer than the writer's buffer goes through write() whole.
    const long = "é".repeat(ZstdTextWriter.BUFFER_BYTES);
    await writeDecision(w, long, "kept", null, null, reasonTail('"unique"'));
    all += JSON.stringify({ doc_id: long, decision: "kept", dup_of: null, similarity: null, reason: "unique" }) + "\n";
    await w.finish();
    expect(zlib.zstdDecompressSync(readFileSync(path)).toString("utf8")).toBe(all);
  });
});

describe("exact dedup", () => {
  test("the key ignores whitespace runs and case, and nothing else", () => {
    expect(exactKey("The  cat\n\tsat. ")).toBe(exactKey("the cat sat."));
    expect(exactKey("the cat sat.")).not.toBe(exactKey("the cat sat!"));
    expect(exactKey("caf\u00e9\u00a0 au  lait")).toBe(exactKey("CAF\u00c9 au lait"));
  });

  test("when the decisions file cannot be opened, the deduplicated copy's temporary file goes too", async () => {
    const shard = await normalized("open", "web", [{ id: "a", text: paras[0] }]);
    const out = join(dir, "dedup-open-fails");
    mkdirSync(join(out, `decisions.jsonl.zst.tmp-${process.pid}`), { recursive: true });
    await expect(runDedup({ inputs: [shard], outDir: out, mode: "exact", scope: "global", near })).rejects.toThrow(/decisions\.jsonl\.zst/);
    expect(readdirSync(out)).toEqual([`decisions.jsonl.zst.tmp-${process.pid}`]);
  });

  test("keeps the first of each exact or whitespace/case variant, in input order, and records dup_of", async () => {
    const rows = [
      { id: "a", text: paras[0] },
      { id: "b", text: paras[1] },
      { id: "a-copy", text: paras[0] },
      { id: "b-ws", text: paras[1]!.replace(/ /g, "   ").toUpperCase() + "\n" },
      { id: "c", text: paras[2] },
    ];
    const shard = await normalized("exact", "web", rows);
    const out = join(dir, "dedup-exact");
    const r = await runDedup({ inputs: [shard], outDir: out, mode: "exact", scope: "global", near });
    expect(r.counts).toMatchObject({ in: 5, kept: 3, dropped: { exact_dup: 2 } });
    expect(readZstJson(join(out, "deduped.jsonl.zst")).map((d) => d.doc_id)).toEqual(["a", "b", "c"]);
    const dec = readZstJson(join(out, "decisions.jsonl.zst"));
    expect(dec.map((d) => [d.doc_id, d.decision, d.dup_of])).toEqual([
      ["a", "kept", null],
      ["b", "kept", null],
      ["a-copy", "exact_dup", "a"],
      ["b-ws", "exact_dup", "b"],
      ["c", "kept", null],
    ]);
    expect(dec[2]!.similarity).toBe(1);
    // Kept documents are copied byte for byte from the input shard.
    const inLines = readZstLines(shard);
    expect(readZstLines(join(out, "deduped.jsonl.zst"))).toEqual([inLines[0]!, inLines[1]!, inLines[4]!]);
    const m = JSON.parse(readFileSync(r.manifestPath, "utf8"));
    expect(m.by_source["web/prose"]).toMatchObject({ in: 5, kept: 3 });
  });

  test("per-source scope only removes duplicates within a source", async () => {
    const s1 = await normalized("s1", "alpha", [
      { id: "x1", text: paras[3] },
      { id: "x2", text: paras[3] },
    ]);
    const s2 = await normalized("s2", "beta", [{ id: "y1", text: paras[3] }]);
    const per = await runDedup({ inputs: [s1, s2], outDir: join(dir, "per"), mode: "exact", scope: "per-source", near });
    expect(per.counts.kept).toBe(2);
    const glob = await runDedup({ inputs: [s1, s2], outDir: join(dir, "glob"), mode: "exact", scope: "global", near });
    expect(glob.counts.kept).toBe(1);
    const dec = readZstJson(join(dir, "glob", "decisions.jsonl.zst"));
    expect(dec.map((d) => d.dup_of)).toEqual([null, "x1", "x1"]);
  });

  test("gives byte-identical outputs on a rerun", async () => {
    const shard = await normalized(
      "det",
      "det",
      paras.slice(0, 40).map((t, i) => ({ id: `d${i}`, text: i % 7 === 3 ? paras[0] : t })),
    );
    await runDedup({ inputs: [shard], outDir: join(dir, "d1"), mode: "exact", scope: "global", near });
    await runDedup({ inputs: [shard], outDir: join(dir, "d2"), mode: "exact", scope: "global", near });
    for (const f of ["deduped.jsonl.zst", "decisions.jsonl.zst", "dedup.manifest.json"]) {
      expect(readFileSync(join(dir, "d1", f)).toString("base64")).toBe(readFileSync(join(dir, "d2", f)).toString("base64"));
    }
  });
});
