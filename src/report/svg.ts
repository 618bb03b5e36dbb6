/**
 * Charts as inline SVG strings: no script, no font file, nothing fetched, so a report opens from
 * file:// and two runs on the same data give the same bytes (numbers are rounded to 0.1 px).
 * Every drawn datum is a `rect.bar` (or `rect.seg` in a funnel) carrying data-label and
 * data-value, so a reader (or a test) can count and check them.
 */

export interface Bar {
  label: string;
  value: number;
}

export interface HistBin {
  lo: number;
  hi: number;
  count: number;
}

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** One decimal place, no trailing zeros: stable text for coordinates. */
function n(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** Compact figure for labels: 1234 -> 1,234; 0.123456 -> 0.1235. */
export function fmt(x: number): string {
  if (Number.isInteger(x)) return String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return String(Math.round(x * 1e4) / 1e4);
}

const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

export function color(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

function open(chart: string, title: string, w: number, h: number, bars: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${esc(chart)}" data-bars="${bars}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>`;
}

/** Horizontal bars, one per item, labelled on the left with the value on the right. */
export function barChart(chart: string, title: string, items: Bar[], opts: { width?: number } = {}): string {
  const w = opts.width ?? 640;
  const row = 22;
  const left = 220;
  const right = 90;
  const h = Math.max(1, items.length) * row + 10;
  const max = Math.max(1, ...items.map((b) => b.value));
  const parts = [open(chart, title, w, h, items.length)];
  items.forEach((b, i) => {
    const y = 5 + i * row;
    const bw = ((w - left - right) * b.value) / max;
    parts.push(
      `<text x="${left - 6}" y="${n(y + 15)}" text-anchor="end" class="lbl">${esc(clip(b.label, 34))}</text>`,
      `<rect class="bar" data-label="${esc(b.label)}" data-value="${b.value}" x="${left}" y="${n(y + 3)}" width="${n(Math.max(bw, b.value > 0 ? 1 : 0))}" height="${row - 6}" fill="${color(i)}"><title>${esc(b.label)}: ${fmt(b.value)}</title></rect>`,
      `<text x="${n(left + bw + 6)}" y="${n(y + 15)}" class="val">${fmt(b.value)}</text>`,
    );
  });
  if (items.length === 0) parts.push(`<text x="10" y="20" class="lbl">nothing to show</text>`);
  parts.push("</svg>");
  return parts.join("");
}

/** Vertical bars for the non-empty bins, placed by bin index so gaps stay visible. */
export function histogram(
  chart: string,
  title: string,
  bins: HistBin[],
  opts: { width?: number; xLabel?: (b: HistBin) => string } = {},
): string {
  const w = opts.width ?? 640;
  const h = 200;
  const pad = { l: 50, r: 10, t: 10, b: 40 };
  const shown = bins.filter((b) => b.count > 0);
  const parts = [open(chart, title, w, h, shown.length)];
  const max = Math.max(1, ...bins.map((b) => b.count));
  const slot = bins.length === 0 ? 0 : (w - pad.l - pad.r) / bins.length;
  const base = h - pad.b;
  parts.push(
    `<line x1="${pad.l}" y1="${base}" x2="${w - pad.r}" y2="${base}" stroke="#888"/>`,
    `<text x="${pad.l - 4}" y="${pad.t + 10}" text-anchor="end" class="val">${fmt(max)}</text>`,
    `<text x="${pad.l - 4}" y="${base}" text-anchor="end" class="val">0</text>`,
  );
  const label = opts.xLabel ?? ((b: HistBin) => `${fmt(b.lo)}–${fmt(b.hi)}`);
  bins.forEach((b, i) => {
    const x = pad.l + i * slot;
    if (b.count > 0) {
      const bh = Math.max(1, ((base - pad.t) * b.count) / max);
      parts.push(
        `<rect class="bar" data-label="${esc(label(b))}" data-value="${b.count}" x="${n(x + 1)}" y="${n(base - bh)}" width="${n(Math.max(1, slot - 2))}" height="${n(bh)}" fill="${color(0)}"><title>${esc(label(b))}: ${fmt(b.count)}</title></rect>`,
      );
    }
    // Axis labels at the first and last bins and every few between, so they never overlap.
    const every = Math.max(1, Math.ceil(bins.length / 8));
    if (i % every === 0 || i === bins.length - 1)
      parts.push(`<text x="${n(x + slot / 2)}" y="${base + 14}" text-anchor="middle" class="tick">${esc(label(b))}</text>`);
  });
  if (shown.length === 0) parts.push(`<text x="${pad.l + 10}" y="${base - 10}" class="lbl">nothing to show</text>`);
  parts.push("</svg>");
  return parts.join("");
}

export interface FunnelStage {
  in: number;
  kept: number;
  dropped: Record<string, number>;
  rejected: Record<string, number>;
}

/**
 * A stage's funnel: one stacked bar of its input split into kept, each drop reason and each
 * reject reason, with a legend row per segment.
 */
export function funnel(chart: string, title: string, c: FunnelStage, opts: { width?: number } = {}): string {
  const w = opts.width ?? 640;
  const segs: { label: string; value: number; fill: string }[] = [{ label: "kept", value: c.kept, fill: "#59a14f" }];
  let k = 0;
  for (const [r, v] of Object.entries(c.dropped).sort(([a], [b]) => (a < b ? -1 : 1)))
    segs.push({ label: `dropped: ${r}`, value: v, fill: ["#f28e2b", "#edc948", "#ff9da7", "#b07aa1", "#9c755f"][k++ % 5]! });
  k = 0;
  for (const [r, v] of Object.entries(c.rejected).sort(([a], [b]) => (a < b ? -1 : 1)))
    segs.push({ label: `rejected: ${r}`, value: v, fill: ["#e15759", "#bab0ac", "#76b7b2"][k++ % 3]! });
  const shown = segs.filter((s) => s.value > 0);
  const row = 18;
  const h = 50 + shown.length * row;
  const parts = [open(chart, title, w, h, shown.length)];
  parts.push(`<text x="10" y="16" class="lbl">${fmt(c.in)} in</text>`);
  const total = Math.max(
    1,
    c.in,
    shown.reduce((a, s) => a + s.value, 0),
  );
  let x = 10;
  const span = w - 20;
  for (const s of shown) {
    const sw = (span * s.value) / total;
    parts.push(
      `<rect class="seg" data-label="${esc(s.label)}" data-value="${s.value}" x="${n(x)}" y="22" width="${n(Math.max(sw, 1))}" height="18" fill="${s.fill}"><title>${esc(s.label)}: ${fmt(s.value)}</title></rect>`,
    );
    x += sw;
  }
  shown.forEach((s, i) => {
    const y = 50 + i * row;
    parts.push(
      `<rect x="10" y="${y}" width="12" height="12" fill="${s.fill}"/>`,
      `<text x="28" y="${y + 10}" class="lbl">${esc(s.label)}: ${fmt(s.value)} (${fmt(Math.round((1000 * s.value) / total) / 10)}%)</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}
