import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { DEFAULT_FILTERS } from "../../src/filters/rules.ts";
import { runDedup } from "../../src/stages/dedup.ts";
import type { NearSettings } from "../../src/stages/dedup-near.ts";
import { runNormalize } from "../../src/stages/normalize.ts";
import { runReport } from "../../src/stages/report.ts";
import { brownFiles, brownParagraphs } from "../../scripts/lib/brown.ts";
import { tempDir, writeJsonl } from "../helpers/tmp.ts";

const paras = brownFiles()
  .slice(20, 26)
  .flatMap((f) => brownParagraphs(f))
  .filter((p) => p.length > 300);
const dir = tempDir();
const near = { describe: () => ({}) } as unknown as NearSettings;

async function setup() {
  const norm = join(dir, "norm");
  for (const [source, start] of [
    ["news", 0],
    ["fiction", 12],
  ] as const) {
    const rows = [...paras.slice(start, start + 10).map((t) => ({ text: t })), { text: paras[start] }, "{bad json", { text: "short" }];
    await runNormalize({
      inputs: [writeJsonl(join(dir, `${source}.jsonl`), rows)],
      outDir: norm,
      source,
      domain: "prose",
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
  }
  await runDedup({ inputs: [join(norm, "**/*.jsonl.zst")], outDir: join(dir, "dedup"), mode: "exact", scope: "global", near });
  return norm;
}

describe("report", () => {
  test("sums the manifests per source/domain, gives dedup rates, and says every stage adds up", async () => {
    const norm = await setup();
    const rep = runReport([join(norm, "**/*.manifest.json"), join(dir, "dedup", "dedup.manifest.json")], join(dir, "report.json"));
    expect(rep.adds_up).toBe(true);
    expect(rep.normalize!.counts).toMatchObject({ in: 26, kept: 22, rejected: { invalid_json: 2 }, dropped: { min_chars_v1: 2 } });
    expect(rep.normalize!.by_source["news/prose"]!.counts.in).toBe(13);
    expect(rep.normalize!.bytes.text_kept).toBeGreaterThan(0);
    expect(rep.dedup[0]!.counts).toMatchObject({ in: 22, kept: 20, dropped: { exact_dup: 2 } });
    expect(rep.dedup[0]!.dedup_rate).toBeCloseTo(2 / 22, 5);
    expect(rep.checks.every((c) => c.adds_up)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "report.json"), "utf8")).adds_up).toBe(true);
  });

  test("flags a manifest whose counts do not add up", async () => {
    const norm = join(dir, "norm");
    const m = join(norm, "news/prose/part-00000.manifest.json");
    const j = JSON.parse(readFileSync(m, "utf8"));
    j.counts.kept += 1;
    const bad = join(dir, "tampered.manifest.json");
    writeFileSync(bad, JSON.stringify(j));
    const rep = runReport([bad], join(dir, "report-bad.json"));
    expect(rep.adds_up).toBe(false);
    expect(rep.checks.find((c) => c.where === bad)!.adds_up).toBe(false);
  });

  test("refuses a file that is not a gamma manifest", () => {
    const f = join(dir, "other.json");
    writeFileSync(f, JSON.stringify({ hello: 1 }));
    expect(() => runReport([f], join(dir, "r.json"))).toThrow(ConfigError);
  });
});

describe("report of other manifest kinds", () => {
  test("reads a tokenize manifest, and lists a kind it does not know as not understood instead of skipping it", async () => {
    const tok = join(dir, "tokenize.manifest.json");
    writeFileSync(
      tok,
      JSON.stringify({
        kind: "gamma.tokenize/v1",
        stage: "tokenize",
        counts: {
          docs: { in: 5, kept: 4, dropped: { token_budget: 1 }, rejected: {}, modified: {} },
          tokens: 99,
          splits: { train: { docs: 3, tokens: 70 }, valid: { docs: 1, tokens: 29 } },
        },
        inputs: [],
        outputs: {},
      }),
    );
    const odd = join(dir, "odd.json");
    writeFileSync(odd, JSON.stringify({ kind: "gamma.future-stage/v9", counts: {} }));
    const rep = runReport([tok, odd], join(dir, "r2.json"));
    expect(rep.tokenize).toEqual([
      {
        manifest: tok,
        tokens: 99,
        counts: expect.objectContaining({ in: 5, kept: 4 }),
        splits: { train: { docs: 3, tokens: 70 }, valid: { docs: 1, tokens: 29 } },
        format: null,
        metrics: null,
      },
    ]);
    expect(rep.checks.find((c) => c.stage === "tokenize")!.adds_up).toBe(true);
    expect(rep.manifests).toEqual([
      { path: odd, kind: "gamma.future-stage/v9", read: false, reason: "not understood: kind gamma.future-stage/v9" },
      { path: tok, kind: "gamma.tokenize/v1", read: true },
    ]);
    const { collectReport } = await import("../../src/report/collect.ts");
    const { renderHtml } = await import("../../src/report/html.ts");
    const html = renderHtml(await collectReport([tok, odd]), { createdAt: "x", version: "y", addsUp: true });
    expect(html).toContain("not understood: kind gamma.future-stage/v9");
    expect(html).toContain("tokens in valid");
  });
});
