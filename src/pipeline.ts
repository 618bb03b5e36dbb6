/**
 * The normalized document, and the accounting every stage shares: each
 * document that enters a stage ends as kept, dropped (a filter's decision)
 * or rejected (bad input), each with a reason; the counts must add up.
 */
export interface Doc {
  text: string;
  source: string;
  domain: string;
  doc_id: string;
  license_tag: string | null;
  created_at: string | null;
  meta: Record<string, unknown> | null;
}

/** Serializes a Doc with the schema's key order. */
export function docToJson(d: Doc): string {
  return JSON.stringify({
    text: d.text,
    source: d.source,
    domain: d.domain,
    doc_id: d.doc_id,
    license_tag: d.license_tag,
    created_at: d.created_at,
    meta: d.meta,
  });
}

export interface StageCounts {
  in: number;
  kept: number;
  dropped: Record<string, number>;
  rejected: Record<string, number>;
  /** Kept documents that were changed on the way (nul_removed, invalid_utf8, nfkc). Not a drop. */
  modified: Record<string, number>;
}

export function emptyCounts(): StageCounts {
  return { in: 0, kept: 0, dropped: {}, rejected: {}, modified: {} };
}

export function bump(rec: Record<string, number>, reason: string, n = 1): void {
  rec[reason] = (rec[reason] ?? 0) + n;
}

export function sumValues(rec: Record<string, number>): number {
  let s = 0;
  for (const v of Object.values(rec)) s += v;
  return s;
}

export function mergeCounts(into: StageCounts, c: StageCounts): void {
  into.in += c.in;
  into.kept += c.kept;
  for (const [k, v] of Object.entries(c.dropped)) bump(into.dropped, k, v);
  for (const [k, v] of Object.entries(c.rejected)) bump(into.rejected, k, v);
  for (const [k, v] of Object.entries(c.modified)) bump(into.modified, k, v);
}

/** in === kept + dropped + rejected */
export function countsAddUp(c: StageCounts): boolean {
  return c.in === c.kept + sumValues(c.dropped) + sumValues(c.rejected);
}

/** Keys sorted so manifests are byte-stable. */
export function sortedCounts(c: StageCounts): StageCounts {
  const sort = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { in: c.in, kept: c.kept, dropped: sort(c.dropped), rejected: sort(c.rejected), modified: sort(c.modified) };
}

/** One line of a rejects file. */
export interface RejectRecord {
  doc_id: string;
  stage: string;
  reason: string;
  detail: string;
  text?: string;
}
