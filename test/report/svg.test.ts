import { describe, expect, test } from "bun:test";
import { barChart, esc, fmt, funnel, histogram } from "../../src/report/svg.ts";

const count = (svg: string, cls: string) => (svg.match(new RegExp(`<rect class="${cls}"`, "g")) ?? []).length;

describe("svg charts", () => {
  test("a bar chart draws one bar per item, longest for the largest value, and escapes labels", () => {
    const svg = barChart("b", "t", [
      { label: "<en>", value: 10 },
      { label: "de", value: 5 },
      { label: "zero", value: 0 },
    ]);
    expect(count(svg, "bar")).toBe(3);
    expect(svg).toContain('data-bars="3"');
    expect(svg).toContain("&lt;en&gt;");
    expect(svg).not.toContain("<en>");
    const widths = [...svg.matchAll(/class="bar"[^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths[0]).toBeGreaterThan(widths[1]!);
    expect(widths[1]).toBeCloseTo(widths[0]! / 2, 0);
    expect(widths[2]).toBe(0);
  });

  test("a histogram draws the non-empty bins only, at their bin's place, with heights in proportion", () => {
    const svg = histogram("h", "t", [
      { lo: 0, hi: 1, count: 4 },
      { lo: 1, hi: 2, count: 0 },
      { lo: 2, hi: 3, count: 2 },
    ]);
    expect(count(svg, "bar")).toBe(2);
    const bars = [...svg.matchAll(/class="bar"[^>]*x="([\d.]+)"[^>]*height="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(bars[1]![0]! - bars[0]![0]!).toBeGreaterThan(300); // the empty bin's slot stays between them
    expect(bars[0]![1]!).toBeCloseTo(2 * bars[1]![1]!, 0);
  });

  test("a funnel has one segment per non-zero outcome and their widths add up to the whole bar", () => {
    const svg = funnel("f", "t", { in: 10, kept: 6, dropped: { b: 2, a: 1, z: 0 }, rejected: { bad: 1 } });
    expect(count(svg, "seg")).toBe(4);
    const labels = [...svg.matchAll(/class="seg" data-label="([^"]+)"/g)].map((m) => m[1]);
    expect(labels).toEqual(["kept", "dropped: a", "dropped: b", "rejected: bad"]);
    const widths = [...svg.matchAll(/class="seg"[^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths.reduce((a, b) => a + b, 0)).toBeCloseTo(620, 0);
  });

  test("the same data gives the same bytes, and numbers format without the locale", () => {
    const bins = [{ lo: 1, hi: 2, count: 1234567 }];
    expect(histogram("h", "t", bins)).toBe(histogram("h", "t", bins));
    expect(fmt(1234567)).toBe("1,234,567");
    expect(fmt(0.123456)).toBe("0.1235");
    expect(esc(`a"&`)).toBe("a&quot;&amp;");
  });
});
