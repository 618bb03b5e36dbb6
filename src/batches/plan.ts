/**
 * The batch plan of one epoch: which cache rows go into which batch, in which order.
 *
 * The rows are shuffled by Fisher–Yates with a SplitMix64 stream seeded by seed * 2^32 + epoch
 * (each swap partner drawn with SplitMix64.below, from the last position down). Without
 * bucketing, consecutive runs of `batchSize` rows of that order are the batches. With bucketing,
 * the order is cut into buckets of batchSize * bucketBatches rows; each bucket is sorted by row
 * length, longest first (ties keep their shuffled order), and cut into batches; then the batches
 * are shuffled with the same stream. The last batch can be short; dropLast drops it.
 */
import { SplitMix64 } from "../ingest/splitmix64.ts";

export interface PlanSettings {
  batchSize: number;
  seed: number;
  dropLast: boolean;
  bucketByLength: boolean;
  /** Batches per bucket when bucketing. */
  bucketBatches: number;
}

/** In-place Fisher–Yates with `rng`. */
function shuffle<T>(a: T[], rng: SplitMix64): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** The batches of `epoch` as lists of cache row numbers. */
export function planEpoch(lengths: ArrayLike<number>, epoch: number, s: PlanSettings): number[][] {
  const rng = new SplitMix64((BigInt(s.seed) << 32n) | BigInt(epoch));
  const order = Array.from({ length: lengths.length }, (_, i) => i);
  shuffle(order, rng);
  let batches: number[][] = [];
  const cut = (rows: number[]) => {
    for (let i = 0; i < rows.length; i += s.batchSize) batches.push(rows.slice(i, i + s.batchSize));
  };
  if (!s.bucketByLength) cut(order);
  else {
    const size = s.batchSize * s.bucketBatches;
    for (let b = 0; b < order.length; b += size) {
      const bucket = order.slice(b, b + size).map((row, pos) => ({ row, pos }));
      bucket.sort((x, y) => lengths[y.row]! - lengths[x.row]! || x.pos - y.pos);
      cut(bucket.map((x) => x.row));
    }
    shuffle(batches, rng);
  }
  if (s.dropLast) batches = batches.filter((b) => b.length === s.batchSize);
  return batches;
}
