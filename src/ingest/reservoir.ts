/**
 * Reservoir sampling: one streaming pass keeps a
 * uniform sample of k documents, then each kept document gets a uid (the
 * sha256 of its text, hex) and a split.
 *
 * Algorithm R (Vitter 1985, after Waterman): the first k eligible items
 * fill the reservoir; item i (0-based, i >= k) draws j uniform in [0, i]
 * and replaces slot j when j < k. Every eligible item ends in the sample
 * with probability k/n. The draws come from SplitMix64 seeded with `seed`
 * (see splitmix64.ts), one draw per item past k (more only on the rare
 * rejection of a biased draw), so the same seed over the same input order
 * gives the same sample on every machine.
 *
 * Splits depend on the uid alone, not on the seed or the rest of the sample
 * ("hash" mode): u = first 52 bits of sha256(uid) / 2^52, compared with the
 * cumulative fractions in the order given. So a document keeps its split
 * across reruns and resamples (no leakage between train and test). "exact"
 * mode instead ranks the sample by sha256(uid) and cuts it into exact
 * counts (largest remainder), for when the counts must be exact (96/12/12).
 *
 * With weights, Efraimidis–Spirakis's A-Res (2006) replaces Algorithm R: item i
 * with weight w_i > 0 gets the key u_i^(1/w_i) (kept as ln(u_i)/w_i, the same
 * order without underflow), u_i uniform in (0, 1) from the same SplitMix64
 * stream, and the k largest keys are the sample: a weighted sample without
 * replacement, each draw proportional to weight among those not yet drawn.
 *
 * Deduplication happens before sampling: an item whose dedupe key (NFKC,
 * whitespace runs collapsed, lower case) was seen earlier in the stream is
 * skipped and counted, so k distinct rows still come out when there are k.
 */
import { ConfigError } from "../errors.ts";
import { bumpCounter, type Counters } from "./raw-record.ts";
import { SplitMix64 } from "./splitmix64.ts";
import { sha256Hex } from "../io/hash.ts";

export interface SplitSpec {
  name: string;
  fraction: number;
}

export interface SampleFilters {
  /** Drop texts shorter than this many characters (after trimming). */
  minChars?: number;
  /** Drop texts longer than this many characters. */
  maxChars?: number;
}

export interface ReservoirOptions<T = never> {
  k: number;
  seed: number | bigint;
  /** Default [{ name: "train", fraction: 1 }]. */
  splits?: SplitSpec[];
  splitMode?: "hash" | "exact";
  filters?: SampleFilters;
  /** Skip items whose dedupe key was seen earlier in the stream (before sampling). */
  dedupe?: boolean;
  counters?: Counters;
  /** Weighted sampling (A-Res): the item's weight, or null when it has none usable (counted, skipped). */
  weight?: (item: T) => number | null;
  /** Why an item is not eligible (null: eligible); default: the text checks of `filters`. */
  eligible?: (item: T) => string | null;
  /** The text the uid is made from; default: item.text. */
  uidText?: (item: T) => string;
  /** The text the dedupe key is made from (dedupeKey of it); default: uidText. */
  dedupeText?: (item: T) => string;
}

export interface SampledRow<T> {
  uid: string;
  split: string;
  /** Position of the item in the input stream (0-based, counting every item seen). */
  index: number;
  text: string;
  item: T;
}

export interface SampleMeta {
  algorithm: "reservoir-R" | "reservoir-A-Res (Efraimidis-Spirakis)";
  prng: "splitmix64";
  seed: string;
  k: number;
  splits: SplitSpec[];
  splitMode: "hash" | "exact";
  splitRule: string;
  filters: SampleFilters;
  uid: "sha256(text utf-8), hex";
  seen: number;
  eligible: number;
}

export interface SampleResult<T> {
  rows: SampledRow<T>[];
  meta: SampleMeta;
}

/** "train=0.8,val=0.1,test=0.1" -> specs in that order; fractions must be > 0 and sum to 1. */
export function parseSplits(spec: string): SplitSpec[] {
  const out: SplitSpec[] = [];
  for (const part of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = part.match(/^([A-Za-z0-9_-]+)=(\d*\.?\d+(?:[eE]-?\d+)?)$/);
    if (!m) throw new ConfigError(`--splits: "${part}" is not name=fraction (e.g. train=0.8,val=0.1,test=0.1)`, { code: "bad_splits" });
    if (out.some((s) => s.name === m[1])) throw new ConfigError(`--splits: split "${m[1]}" is given twice`, { code: "bad_splits" });
    out.push({ name: m[1], fraction: Number(m[2]) });
  }
  checkSplits(out);
  return out;
}

export function checkSplits(splits: SplitSpec[]): void {
  if (splits.length === 0) throw new ConfigError("--splits: no split given", { code: "bad_splits" });
  if (splits.some((s) => !(s.fraction > 0))) throw new ConfigError("--splits: every fraction must be > 0", { code: "bad_splits" });
  const sum = splits.reduce((a, s) => a + s.fraction, 0);
  if (Math.abs(sum - 1) > 1e-9) throw new ConfigError(`--splits: fractions sum to ${sum}, not 1`, { code: "bad_splits" });
}

/** A number in [0, 1) from a uid: the first 52 bits of sha256(uid). */
export function uidFraction(uid: string): number {
  return parseInt(sha256Hex(uid).slice(0, 13), 16) / 2 ** 52;
}

/** The split of a uid in "hash" mode. */
export function splitOf(uid: string, splits: SplitSpec[]): string {
  const u = uidFraction(uid);
  let acc = 0;
  for (const s of splits) {
    acc += s.fraction;
    if (u < acc) return s.name;
  }
  return splits[splits.length - 1].name;
}

/** Exact counts for n items (largest remainder; ties go to the earlier split). */
export function exactCounts(n: number, splits: SplitSpec[]): number[] {
  const raw = splits.map((s) => s.fraction * n);
  const counts = raw.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, rem: r - Math.floor(r) })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let j = 0; left > 0; j = (j + 1) % order.length, left--) counts[order[j].i]++;
  return counts;
}

/** Dedupe key of a text: NFKC, whitespace runs as one space, trimmed, lower case. */
export function dedupeKey(text: string): string {
  return text.normalize("NFKC").replace(/\s+/gu, " ").trim().toLowerCase();
}

/** A uniform number in (0, 1) with 53 random bits. */
function openUnit(rng: SplitMix64): number {
  const [h, l] = rng.next64();
  return (h * 2 ** 21 + (l >>> 11) + 0.5) / 2 ** 53;
}

/** Efraimidis–Spirakis A-Res over items offered one at a time: keeps the k largest keys ln(u)/w. */
export class WeightedReservoir<T> {
  /** Min-heap by key (ties: the later index is smaller, so the earlier item stays). */
  private heap: { item: T; index: number; key: number }[] = [];
  private rng: SplitMix64;
  seen = 0;

  constructor(
    readonly k: number,
    seed: number | bigint,
  ) {
    if (!Number.isInteger(k) || k < 0) throw new ConfigError(`--k must be a whole number >= 0, got ${k}`, { code: "bad_k" });
    this.rng = new SplitMix64(seed);
  }

  private less(a: { key: number; index: number }, b: { key: number; index: number }): boolean {
    return a.key < b.key || (a.key === b.key && a.index > b.index);
  }

  offer(item: T, weight: number, index = this.seen): void {
    this.seen++;
    const key = Math.log(openUnit(this.rng)) / weight;
    const h = this.heap;
    const entry = { item, index, key };
    if (h.length < this.k) {
      h.push(entry);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.less(h[i], h[p])) break;
        [h[i], h[p]] = [h[p], h[i]];
        i = p;
      }
      return;
    }
    if (this.k === 0 || !this.less(h[0], entry)) return;
    h[0] = entry;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }

  sample(): { item: T; index: number }[] {
    return this.heap.map(({ item, index }) => ({ item, index })).sort((a, b) => a.index - b.index);
  }
}

/** Algorithm R over items offered one at a time. */
export class Reservoir<T> {
  private slots: { item: T; index: number }[] = [];
  private rng: SplitMix64;
  seen = 0;

  constructor(
    readonly k: number,
    seed: number | bigint,
  ) {
    if (!Number.isInteger(k) || k < 0) throw new ConfigError(`--k must be a whole number >= 0, got ${k}`, { code: "bad_k" });
    this.rng = new SplitMix64(seed);
  }

  /** Offers the next item; `index` is its stream position (defaults to the count of items offered). */
  offer(item: T, index = this.seen): void {
    const i = this.seen++;
    if (i < this.k) {
      this.slots.push({ item, index });
      return;
    }
    const j = this.rng.below(i + 1);
    if (j < this.k) this.slots[j] = { item, index };
  }

  /** The sample in stream order. */
  sample(): { item: T; index: number }[] {
    return [...this.slots].sort((a, b) => a.index - b.index);
  }
}

/** Why a text is not eligible under `f` (null: eligible): no text, empty, punctuation only, too short or long. */
export function dropReason(text: unknown, f: SampleFilters): string | null {
  if (typeof text !== "string") return "no_text";
  const t = text.trim();
  if (t.length === 0) return "empty";
  if (!/[\p{L}\p{N}]/u.test(t)) return "punctuation_only";
  if (f.minChars !== undefined && t.length < f.minChars) return "too_short";
  if (f.maxChars !== undefined && text.length > f.maxChars) return "too_long";
  return null;
}

/** One pass over `items` (anything with a `text`), returning the sample with uids and splits, and the meta to record. */
export async function sampleReservoir<T extends { text?: unknown }>(
  items: AsyncIterable<T> | Iterable<T>,
  opts: ReservoirOptions<T>,
): Promise<SampleResult<T>> {
  const splits = opts.splits ?? [{ name: "train", fraction: 1 }];
  checkSplits(splits);
  const filters = opts.filters ?? {};
  const mode = opts.splitMode ?? "hash";
  const weighted = opts.weight !== undefined ? new WeightedReservoir<T>(opts.k, opts.seed) : null;
  const res = new Reservoir<T>(opts.k, opts.seed);
  const eligible = opts.eligible ?? ((item: T) => dropReason(item.text, filters));
  const uidText = opts.uidText ?? ((item: T) => item.text as string);
  const seenKeys = opts.dedupe ? new Set<string>() : null;
  let seen = 0;
  for await (const item of items as AsyncIterable<T>) {
    const index = seen++;
    const why = eligible(item);
    if (why) {
      bumpCounter(opts.counters, `dropped_${why}`);
      continue;
    }
    const w = opts.weight?.(item);
    if (w === null || (w !== undefined && !(w > 0 && Number.isFinite(w)))) {
      bumpCounter(opts.counters, "dropped_bad_weight");
      continue;
    }
    if (seenKeys !== null) {
      const key = sha256Hex(dedupeKey((opts.dedupeText ?? uidText)(item))).slice(0, 32);
      if (seenKeys.has(key)) {
        bumpCounter(opts.counters, "dropped_duplicate");
        continue;
      }
      seenKeys.add(key);
    }
    if (weighted !== null) weighted.offer(item, w!, index);
    else res.offer(item, index);
  }
  const rows: SampledRow<T>[] = (weighted ?? res).sample().map(({ item, index }) => {
    const text = uidText(item);
    return { uid: sha256Hex(text), split: "", index, text, item };
  });
  if (mode === "hash") {
    for (const r of rows) r.split = splitOf(r.uid, splits);
  } else {
    const counts = exactCounts(rows.length, splits);
    const ranked = [...rows].sort((a, b) => (sha256Hex(a.uid) < sha256Hex(b.uid) ? -1 : 1));
    let at = 0;
    splits.forEach((s, i) => {
      for (let c = 0; c < counts[i]; c++) ranked[at++].split = s.name;
    });
  }
  return {
    rows,
    meta: {
      algorithm: weighted !== null ? "reservoir-A-Res (Efraimidis-Spirakis)" : "reservoir-R",
      prng: "splitmix64",
      seed: String(opts.seed),
      k: opts.k,
      splits,
      splitMode: mode,
      splitRule:
        mode === "hash"
          ? "first 52 bits of sha256(uid) / 2^52 against cumulative fractions, in the order given"
          : "sample ranked by sha256(uid), cut into largest-remainder counts in the order given",
      filters,
      uid: "sha256(text utf-8), hex",
      seen,
      eligible: (weighted ?? res).seen,
    },
  };
}
