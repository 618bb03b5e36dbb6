/**
 * One self-contained HTML page from the report data: inline CSS and SVG only (no script, no
 * font, no URL), so it opens from file:// and the same data gives the same bytes.
 */
import type { ReportData } from "./collect.ts";
import { barChart, esc, fmt, funnel, histogram, type HistBin } from "./svg.ts";

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}h3{font-size:14px;margin:16px 0 4px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
code,.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
svg.chart{display:block;margin:4px 0 12px}svg text{font:11px system-ui,sans-serif;fill:#333}svg .tick{font-size:10px;fill:#666}
.bad{color:#b00}.ok{color:#070}.note{color:#666}`;

const pow2 = (b: HistBin) => (b.lo >= 1024 ? `${b.lo / 1024}k` : String(b.lo));

export function renderHtml(d: ReportData, o: { createdAt: string; version: string; addsUp: boolean }): string {
  const s: string[] = [];
  s.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>gamma report</title><style>${CSS}</style></head><body>`,
  );
  s.push(
    `<h1>gamma report</h1><p class="note">gamma ${esc(o.version)} · ${esc(o.createdAt)} · ${d.manifests.length} manifest(s) · <span class="${o.addsUp ? "ok" : "bad"}">${o.addsUp ? "every stage adds up (in = kept + dropped + rejected)" : "SOME STAGE DOES NOT ADD UP"}</span></p>`,
  );

  s.push(`<h2 id="manifests">Manifests</h2><table><tr><th>manifest</th><th>kind</th><th>stage</th><th>read</th></tr>`);
  for (const m of d.manifests)
    s.push(
      `<tr><td class="mono">${esc(m.path)}</td><td class="mono">${esc(m.kind ?? "—")}</td><td>${esc(m.stage)}</td><td class="${m.read ? "ok" : "bad"}">${m.read ? "read" : esc(m.reason ?? "refused")}</td></tr>`,
    );
  s.push(`</table>`);

  s.push(`<h2 id="funnels">Documents per stage</h2>`);
  if (d.funnels.length === 0) s.push(`<p class="note">No manifest with document counts.</p>`);
  d.funnels.forEach((f, i) =>
    s.push(
      `<h3>${esc(f.stage)} · <span class="mono">${esc(f.where)}</span></h3>`,
      funnel(`funnel-${i}`, `${f.stage}: ${f.where}`, f.counts),
    ),
  );

  s.push(`<h2 id="lengths">Document length (characters, bins by powers of two)</h2>`);
  if (d.lengths.length === 0) s.push(`<p class="note">No documents read.</p>`);
  d.lengths.forEach((l, i) =>
    s.push(
      `<h3>${esc(l.source)} · ${esc(l.phase)} · ${fmt(l.docs)} documents</h3>`,
      histogram(`length-${i}`, `${l.source} ${l.phase}`, l.bins, { xLabel: pow2 }),
    ),
  );

  s.push(`<h2 id="near">Near duplicates</h2>`);
  if (d.nearDups === 0) s.push(`<p class="note">No near-duplicate decisions.</p>`);
  else {
    s.push(
      `<p>${fmt(d.nearDups)} documents dropped as near duplicates.</p><h3>Cluster size (kept document + its near duplicates)</h3>`,
      histogram("cluster-sizes", "near-duplicate cluster sizes", d.clusterSizes, { xLabel: (b) => String(b.lo) }),
    );
    s.push(
      `<h3>Estimated similarity of near-duplicate decisions</h3>`,
      histogram("similarity", "similarity of near-duplicate decisions", d.similarity, { xLabel: (b) => b.lo.toFixed(2) }),
    );
  }

  s.push(`<h2 id="languages">Languages</h2>`);
  if (d.languages.length === 0) s.push(`<p class="note">No document has meta.language and no manifest has by_language counts.</p>`);
  d.languages.forEach((l, i) =>
    s.push(`<h3 class="mono">${esc(l.where)}</h3>`, barChart(`languages-${i}`, `languages: ${l.where}`, l.items)),
  );

  s.push(`<h2 id="tokens">Tokens</h2>`);
  if (d.tokens.length === 0) s.push(`<p class="note">No tokenize, pack or sample manifest.</p>`);
  d.tokens.forEach((t, i) => {
    s.push(
      `<h3>${esc(t.stage)} · <span class="mono">${esc(t.where)}</span>${t.stage === "sample" ? "" : ` · ${fmt(t.tokens)} tokens`}</h3>`,
    );
    if (t.bySource.length > 0) s.push(barChart(`tokens-${i}`, `tokens per source: ${t.where}`, t.bySource));
    if (t.extra.length > 0)
      s.push(`<table>${t.extra.map((e) => `<tr><td>${esc(e.label)}</td><td>${fmt(e.value)}</td></tr>`).join("")}</table>`);
  });

  s.push(`<h2 id="files">Files and sha256</h2><table><tr><th>file</th><th>role</th><th>sha256</th><th>bytes</th><th>manifest</th></tr>`);
  for (const f of d.files)
    s.push(
      `<tr><td class="mono">${esc(f.recorded)}</td><td>${esc(f.role)}</td><td class="mono">${f.sha256}</td><td>${f.bytes === null ? "" : fmt(f.bytes)}</td><td class="mono">${esc(f.manifest)}</td></tr>`,
    );
  for (const u of d.unchecked)
    s.push(
      `<tr><td class="mono">${esc(u.recorded)}</td><td>${esc(u.role)}</td><td colspan="2" class="note">${esc(u.why)}</td><td class="mono">${esc(u.manifest)}</td></tr>`,
    );
  s.push(`</table>`);
  if (d.notes.length > 0) s.push(`<h2 id="notes">Notes</h2><ul>${d.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`);
  s.push(`</body></html>\n`);
  return s.join("\n");
}
