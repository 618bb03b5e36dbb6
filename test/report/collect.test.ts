import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_FILTERS } from "../../src/filters/rules.ts";
import { collectReport, log2Bin, similarityBin } from "../../src/report/collect.ts";
import { renderHtml } from "../../src/report/html.ts";
import { runNormalize } from "../../src/stages/normalize.ts";
import { tempDir, writeJsonl } from "../helpers/tmp.ts";

const dir = tempDir();
const words = (n: number, w: string) => Array.from({ length: n }, (_, i) => `${w}${i % 7}`).join(" ");
const bars = (html: string, chart: string) => {
  const svg = html.slice(html.indexOf(`data-chart="${chart}"`));
  return (svg.slice(0, svg.indexOf("</svg>")).match(/<rect class="(bar|seg)"/g) ?? []).length;
};

describe("report data", () => {
  test("length bins are powers of two and similarity bins are twentieths", () => {
    expect([0, 1, 2, 3, 4, 1023, 1024].map(log2Bin)).toEqual([0, 0, 1, 1, 2, 9, 10]);
    expect([0, 0.049, 0.05, 0.8, 0.999, 1].map(similarityBin)).toEqual([0, 0, 1, 16, 19, 19]);
  });

  test("counts meta.language per language, reads by_language, train-tokenizer and FIM figures, and lists unknown kinds", async () => {
    const rows = [
      ...Array.from({ length: 5 }, (_, i) => ({ text: words(40 + i, "word"), language: "en" })),
      ...Array.from({ length: 3 }, (_, i) => ({ text: words(300 + i, "wort"), language: "de" })),
      { text: words(60, "code"), language: "python" },
      { text: "short", language: "en" },
    ];
    await runNormalize({
      inputs: [writeJsonl(join(dir, "in.jsonl"), rows)],
      outDir: join(dir, "norm"),
      source: "web",
      domain: "mixed",
      textField: "text",
      idField: null,
      licenseTag: null,
      filters: { ...DEFAULT_FILTERS },
      nfkc: false,
      strict: false,
      keepRejectedText: false,
      maxNulFraction: 0.5,
      overwrite: true,
    });
    const tt = join(dir, "tok.manifest.json");
    writeFileSync(
      tt,
      JSON.stringify({
        kind: "gamma.train-tokenizer/v1",
        stage: "train-tokenizer",
        counts: { in: 9, kept: 8, dropped: { too_long: 1 }, rejected: {}, modified: {} },
        by_language: { en: 5, de: 3 },
        outputs: { tokenizer: { path: "tok.json", sha256: "0".repeat(64), bytes: 3 } },
      }),
    );
    const pack = join(dir, "meta.json");
    writeFileSync(
      pack,
      JSON.stringify({
        kind: "gamma.pack/v1",
        stage: "pack",
        seq_len: 8,
        n_seqs: 2,
        counts: {
          docs: { in: 2, kept: 2, dropped: {}, rejected: {}, modified: {} },
          tokens: 15,
          padding_tokens: 1,
          docs_truncated: 0,
          by_source: { web: { docs: 1, tokens: 10 }, code: { docs: 1, tokens: 5 } },
          fim: { rate: 0.5, docs: 1 },
        },
        outputs: {},
      }),
    );
    const enc = join(dir, "encode.meta.json");
    writeFileSync(
      enc,
      JSON.stringify({
        kind: "gamma.encode/v1",
        stage: "encode",
        sequence: { maxLen: 10 },
        counts: { train: { rows: 4, truncated: 1, tokens: 30 }, val: { rows: 1, truncated: 0, tokens: 5 } },
      }),
    );
    const odd = join(dir, "odd.json");
    writeFileSync(odd, JSON.stringify({ kind: "gamma.dedup-stats/v1" }));
    const d = await collectReport([join(dir, "norm/web/mixed/part-00000.manifest.json"), tt, pack, enc, odd]);
    expect(d.languages[0]).toEqual({
      where: "meta.language of the normalized documents",
      items: [
        { label: "de", value: 3 },
        { label: "en", value: 5 },
        { label: "python", value: 1 },
      ],
    });
    expect(d.languages[1]!.items).toEqual([
      { label: "de", value: 3 },
      { label: "en", value: 5 },
    ]);
    expect(d.funnels.map((f) => f.stage)).toEqual(["normalize", "train-tokenizer", "pack"]);
    expect(d.manifests.map((m) => [m.stage, m.read, m.reason ?? null])).toEqual([
      ["normalize", true, null],
      ["train-tokenizer", true, null],
      ["pack", true, null],
      ["encode", true, null],
      ["?", false, "not understood: kind gamma.dedup-stats/v1"],
    ]);
    const packed = d.tokens.find((t) => t.stage === "pack")!;
    expect(packed.extra).toContainEqual({ label: "counts.fim.rate", value: 0.5 });
    expect(packed.extra).toContainEqual({ label: "padding rate", value: 1 / 16 });
    const encoded = d.tokens.find((t) => t.stage === "encode")!;
    expect(encoded.tokens).toBe(35);
    expect(encoded.extra).toContainEqual({ label: "train: padding rate", value: 1 - 30 / 40 });
    // before filtering: 10 documents; after: the short one is dropped.
    expect(d.lengths.map((l) => [l.phase, l.docs])).toEqual([
      ["before filtering", 10],
      ["after filtering", 9],
    ]);
    expect(d.files.map((f) => f.role)).toContain("outputs.tokenizer");
    const html = renderHtml(d, { createdAt: "t", version: "v", addsUp: true });
    expect(bars(html, "languages-0")).toBe(3);
    expect(bars(html, "languages-1")).toBe(2);
    expect(bars(html, "tokens-0")).toBe(2);
    expect(html).toContain("not understood: kind gamma.dedup-stats/v1");
  });
});
