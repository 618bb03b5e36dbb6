import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeParquet } from "../helpers/parquet-writer.ts";
import { brownParagraphs } from "../ingest/corpus-text.ts";
import { gamma, gammaOk, jsonOut, sha256, textOf } from "./run.ts";

const root = mkdtempSync(join(tmpdir(), "gamma-cli-parquet-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const paras = ["ca03", "cb02"]
  .flatMap((f) => brownParagraphs(f))
  .filter((p) => p.length > 300)
  .slice(0, 10);
const rows = paras.map((text, i) => ({ text: i === 4 ? null : text, url: `https://example.org/${i}`, year: 1961 + i }));

describe("gamma normalize --input x.parquet", () => {
  const bytes = writeParquet({
    columns: [
      { name: "text", type: "string", optional: true },
      { name: "url", type: "string" },
      { name: "year", type: "int64" },
    ],
    rows,
    rowGroupSize: 3,
    codec: "ZSTD",
  });
  const input = join(root, "brown.parquet");
  writeFileSync(input, bytes);

  test("normalizes a zstd-compressed Parquet file row by row, with row-numbered doc ids and a reject for a null text", async () => {
    const out = join(root, "out");
    const s = jsonOut<{ counts: { in: number; kept: number; rejected: Record<string, number> } }>(
      await gammaOk(["normalize", "--input", input, "--out-dir", out, "--source", "brown", "--domain", "prose", "--cpu-threads", "1"]),
    );
    expect(s.counts).toMatchObject({ in: rows.length, kept: rows.length - 1, rejected: { text_not_string: 1 } });
    const docs = textOf(join(out, "brown/prose/part-00000.jsonl.zst"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const prefix = `brown/${sha256(bytes).slice(0, 12)}`;
    const expected = rows.map((r, i) => ({ ...r, doc_id: `${prefix}/${i + 1}` })).filter((r) => r.text !== null);
    expect(docs.map((d) => [d.doc_id, d.text, d.meta])).toEqual(expected.map((r) => [r.doc_id, r.text, { url: r.url, year: r.year }]));
    const rejects = textOf(join(out, "brown/prose/part-00000.rejects.jsonl.zst"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(rejects).toHaveLength(1);
    expect(rejects[0].detail).toContain(`${input}#row 4`);
    const m = JSON.parse(readFileSync(join(out, "brown/prose/part-00000.manifest.json"), "utf8"));
    expect(m.inputs).toEqual([{ path: input, sha256: sha256(bytes), bytes: bytes.length }]);
  });

  test("a file that is not Parquet stops with its name", async () => {
    const bad = join(root, "broken.parquet");
    writeFileSync(bad, "PAR1 this is not parquet");
    const r = await gamma(["normalize", "--input", bad, "--out-dir", join(root, "bad"), "--source", "x", "--domain", "y"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(bad);
  });
});
