/**
 * Opens the smoke run's report.html in a real headless Chromium (no network) and checks that
 * every chart is there with the number of bars the data behind it gives, computed here from the
 * manifests and the files they name, not from the report's own code.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gamma } from "../helpers/cli.ts";
import { readZstJson, readZstLines, tempDir } from "../helpers/tmp.ts";

const CHROMIUM = "/usr/bin/chromium-headless-shell";
const required = process.env.GAMMA_REQUIRE_BROWSER === "1";
const have = existsSync(CHROMIUM);
if (!have)
  console.warn(
    `report-browser: ${CHROMIUM} is missing; the browser test is skipped${required ? " (GAMMA_REQUIRE_BROWSER=1: failing)" : ""}`,
  );

const dir = tempDir();
const out = join(dir, "smoke");

/** Distinct power-of-two length bins, spanning first to last: the bars a histogram draws are its non-empty bins. */
function nonEmptyLog2Bins(lengths: number[]): number {
  return new Set(lengths.map((n) => (n < 1 ? 0 : Math.floor(Math.log2(n))))).size;
}

function segments(c: { kept: number; dropped: Record<string, number>; rejected: Record<string, number> }): number {
  return [c.kept, ...Object.values(c.dropped), ...Object.values(c.rejected)].filter((v) => v > 0).length;
}

/** The shard manifests of smoke's code sample. */
function codeManifests(): string[] {
  return [...new Bun.Glob("code/**/*.manifest.json").scanSync({ cwd: out })].sort().map((m) => join(out, m));
}

function expected() {
  const shardM = JSON.parse(readFileSync(join(out, "normalized/brown/prose/part-00000.manifest.json"), "utf8"));
  const dedupM = JSON.parse(readFileSync(join(out, "dedup/dedup.manifest.json"), "utf8"));
  const packM = JSON.parse(readFileSync(join(out, "packed/meta.json"), "utf8"));
  // The sample has broken lines on purpose: the input's documents are the lines that parse with a string text.
  const input = readZstLines(shardM.inputs[0].path)
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return null;
      }
    })
    .filter((r) => typeof r?.text === "string");
  const shard = readZstJson<{ text: string }>(join(out, "normalized/brown/prose", shardM.shard.path));
  const deduped = readZstJson<{ text: string }>(join(out, "dedup", dedupM.outputs.deduped.path));
  const decisions = readZstJson<{ decision: string; dup_of: string; similarity: number }>(
    join(out, "dedup", dedupM.outputs.decisions.path),
  ).filter((d) => d.decision === "near_dup");
  const perCluster = new Map<string, number>();
  for (const d of decisions) perCluster.set(d.dup_of, (perCluster.get(d.dup_of) ?? 0) + 1);
  return {
    funnels: {
      [`normalize: ${join(out, "normalized/brown/prose/part-00000.manifest.json")}`]: segments(shardM.counts),
      // smoke also normalizes its code sample with --filters code
      ...Object.fromEntries(codeManifests().map((m) => [`normalize: ${m}`, segments(JSON.parse(readFileSync(m, "utf8")).counts)])),
      [`dedup: ${join(out, "dedup/dedup.manifest.json")}`]: segments(dedupM.counts),
      [`pack: ${join(out, "packed/meta.json")}`]: segments(packM.counts.docs),
    },
    lengths: {
      "brown/prose before filtering": nonEmptyLog2Bins(input.map((d) => (d.text as string).length)),
      "brown/prose after filtering": nonEmptyLog2Bins(shard.map((d) => d.text.length)),
      "brown/prose after dedup": nonEmptyLog2Bins(deduped.map((d) => d.text.length)),
      // and the code sample's, before and after its filters
      ...Object.fromEntries(
        codeManifests().flatMap((m) => {
          const cm = JSON.parse(readFileSync(m, "utf8"));
          const field = (cm.params.text_field as string | undefined) ?? "text";
          const before = readZstLines(cm.inputs[0].path)
            .map((l) => ({ text: (JSON.parse(l) as Record<string, unknown>)[field] }))
            .filter((r) => typeof r.text === "string");
          const after = readZstJson<{ text: string }>(join(m, "..", cm.shard.path));
          return [
            [`${cm.source}/${cm.domain} before filtering`, nonEmptyLog2Bins(before.map((d) => (d.text as string).length))],
            [`${cm.source}/${cm.domain} after filtering`, nonEmptyLog2Bins(after.map((d) => d.text.length))],
          ];
        }),
      ),
    } as Record<string, number>,
    clusterSizes: new Set([...perCluster.values()].map((n) => n + 1)).size,
    similarity: new Set(decisions.map((d) => Math.min(19, Math.floor(d.similarity * 20)))).size,
    tokenSources: Object.keys(packM.counts.by_source).length,
    nearDups: decisions.length,
  };
}

describe("the HTML report in a real browser", () => {
  test.skipIf(!have && !required)(
    "shows every chart with the bars the data gives, loads nothing, logs no error, and is not blank",
    async () => {
      expect(have).toBe(true);
      const r = gamma(["smoke", "--out-dir", out, "--device", "cpu", "--cpu-threads", "2"], { env: { SOURCE_DATE_EPOCH: "1767225600" } });
      expect(r.code).toBe(0);
      const html = readFileSync(join(out, "report.html"), "utf8");
      expect(html).not.toMatch(/<script|<link|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
      const want = expected();
      expect(want.nearDups).toBeGreaterThan(0);

      const { chromium } = await import("playwright-core");
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const errors: string[] = [];
        const requests: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
        });
        page.on("pageerror", (e) => errors.push(String(e)));
        page.on("request", (q) => requests.push(q.url()));
        const url = `file://${join(out, "report.html")}`;
        await page.goto(url);
        expect(errors).toEqual([]);
        expect(requests).toEqual([url]);

        const bars = (chart: string) => page.locator(`svg[data-chart="${chart}"] rect.bar, svg[data-chart="${chart}"] rect.seg`).count();
        const titled = (title: string) => page.locator(`svg[aria-label="${title}"] rect.bar, svg[aria-label="${title}"] rect.seg`).count();
        for (const [title, n] of Object.entries(want.funnels)) expect([title, await titled(title)]).toEqual([title, n]);
        expect(await page.locator("svg[data-chart^='funnel-']").count()).toBe(Object.keys(want.funnels).length);
        for (const [title, n] of Object.entries(want.lengths)) expect([title, await titled(title)]).toEqual([title, n]);
        expect(await page.locator("svg[data-chart^='length-']").count()).toBe(Object.keys(want.lengths).length);
        expect(await bars("cluster-sizes")).toBe(want.clusterSizes);
        expect(await bars("similarity")).toBe(want.similarity);
        expect(await bars("tokens-0")).toBe(want.tokenSources);
        // Every bar is drawn with a real size, inside its chart.
        const sizes = await page
          .locator("svg.chart rect.bar")
          .evaluateAll((els) =>
            els.map((e) => (e as unknown as { getBBox(): { width: number; height: number } }).getBBox()).map((b) => [b.width, b.height]),
          );
        expect(sizes.length).toBeGreaterThan(10);
        for (const [w, h] of sizes) expect(w! > 0 && h! > 0).toBe(true);

        const shot = await page.screenshot({ fullPage: true });
        writeFileSync(join(dir, "report.png"), shot);
        if (process.env.GAMMA_REPORT_SCREENSHOT) writeFileSync(process.env.GAMMA_REPORT_SCREENSHOT, shot);
        // Pixel variance, measured by the browser on the decoded screenshot.
        const probe = await browser.newPage();
        await probe.setContent(`<img id="i" src="data:image/png;base64,${shot.toString("base64")}">`);
        const variance = await probe.evaluate(async () => {
          // Runs in the page: DOM types are not in this project's TypeScript libs.
          const document = (globalThis as any).document;
          const img = document.getElementById("i");
          await img.decode();
          const c = document.createElement("canvas");
          c.width = img.naturalWidth;
          c.height = img.naturalHeight;
          const g = c.getContext("2d")!;
          g.drawImage(img, 0, 0);
          const px = g.getImageData(0, 0, c.width, c.height).data;
          let sum = 0;
          let sq = 0;
          const n = px.length / 4;
          for (let i = 0; i < px.length; i += 4) {
            const y = 0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]!;
            sum += y;
            sq += y * y;
          }
          return sq / n - (sum / n) ** 2;
        });
        expect(variance).toBeGreaterThan(100);
      } finally {
        await browser.close();
      }
    },
  );

  test.skipIf(!have && !required)("gives the same bytes for the same inputs", () => {
    const a = readFileSync(join(out, "report.html"));
    const r = gamma(
      [
        "report",
        "--input",
        join(out, "normalized/**/*.manifest.json"),
        join(out, "code/**/*.manifest.json"),
        join(out, "dedup/dedup.manifest.json"),
        join(out, "packed/meta.json"),
        "--html",
        join(dir, "again.html"),
      ],
      { env: { SOURCE_DATE_EPOCH: "1767225600" } },
    );
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "again.html")).equals(a)).toBe(true);
  });
});
