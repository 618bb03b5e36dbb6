/**
 * `gamma batches`: a deterministic batch plan per epoch over one split of an encode cache, written
 * as arrays a trainer memory-maps. Per epoch, OUT/epoch-NNNNN/ holds
 *   index.npy      int32 [batches, batch_size]: cache rows of each batch, -1 filling a short batch;
 *   batches.npy    int64 [batches, 3]: (offset, rows, length) of each batch in the arrays below;
 *   input_ids.npy, attention_mask.npy, labels.npy: the batches back to back, flat; batch b is
 *                  arr[offset : offset + rows * length].reshape(rows, length), length being the
 *                  longest row of the batch with --dynamic-padding, else the cache's T.
 * (--index-only writes the first two.) OUT/BATCHES.meta.json records the settings, the cache's
 * experiment id and, per epoch, batches, rows and the padding share.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { planEpoch, type PlanSettings } from "../batches/plan.ts";
import { ConfigError } from "../errors.ts";
import { readNpy } from "../io/npy.ts";
import { info } from "../log.ts";
import { manifestHeader } from "../runtime/manifest.ts";
import { Outputs } from "../runtime/outputs.ts";
import { ENCODE_META } from "./encode.ts";

export interface BatchesOptions extends PlanSettings {
  cache: string;
  split: string;
  epochs: number;
  dynamicPadding: boolean;
  indexOnly: boolean;
  outDir: string;
}

export interface EpochFigures {
  epoch: number;
  batches: number;
  rows: number;
  tokens: number;
  /** Slots written (rows x length summed over batches). */
  slots: number;
  padding_fraction: number;
}

export async function runBatches(o: BatchesOptions): Promise<{ epochs: EpochFigures[] }> {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new ConfigError(`--batch-size must be an integer >= 1, got ${o.batchSize}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new ConfigError(`--epochs must be an integer >= 1, got ${o.epochs}`);
  if (!Number.isInteger(o.bucketBatches) || o.bucketBatches < 1)
    throw new ConfigError(`--bucket-batches must be an integer >= 1, got ${o.bucketBatches}`);
  const metaPath = join(o.cache, ENCODE_META);
  if (!existsSync(metaPath)) throw new ConfigError(`--cache ${o.cache}: no ${ENCODE_META} (make the cache with gamma encode)`);
  const meta = JSON.parse(readFileSync(metaPath, "utf8")) as { experiment_id: string; splits: string[]; sequence: { maxLen: number } };
  if (!meta.splits.includes(o.split)) throw new ConfigError(`--split ${o.split}: the cache has ${meta.splits.join(", ")}`);
  const dir = join(o.cache, o.split);
  const T = meta.sequence.maxLen;
  const lengths = readNpy(join(dir, "lengths.npy")).data as Int32Array;
  const arrays = o.indexOnly
    ? null
    : {
        ids: readNpy(join(dir, "input_ids.npy")).data as Int32Array,
        mask: readNpy(join(dir, "attention_mask.npy")).data as Uint8Array,
        labels: readNpy(join(dir, "labels.npy")).data as Int32Array,
      };
  const figures: EpochFigures[] = [];
  await Outputs.within(async (outs) => {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const ed = join(o.outDir, `epoch-${String(epoch).padStart(5, "0")}`);
      const plan = planEpoch(lengths, epoch, o);
      const index = outs.npy(join(ed, "index.npy"), "<i4", o.batchSize);
      const table = outs.npy(join(ed, "batches.npy"), "<i8", 3);
      const w = arrays && {
        ids: outs.npy(join(ed, "input_ids.npy"), "<i4", null),
        mask: outs.npy(join(ed, "attention_mask.npy"), "|u1", null),
        labels: outs.npy(join(ed, "labels.npy"), "<i4", null),
      };
      const f: EpochFigures = { epoch, batches: plan.length, rows: 0, tokens: 0, slots: 0, padding_fraction: 0 };
      let offset = 0;
      for (const rows of plan) {
        const length = o.dynamicPadding ? Math.max(...rows.map((r) => lengths[r]!)) : T;
        const slot = new Int32Array(o.batchSize).fill(-1);
        slot.set(rows);
        index.append(slot);
        table.append(BigInt64Array.of(BigInt(offset), BigInt(rows.length), BigInt(length)));
        if (w !== null) {
          for (const r of rows) {
            w.ids.append(arrays!.ids.subarray(r * T, r * T + length));
            w.mask.append(arrays!.mask.subarray(r * T, r * T + length));
            w.labels.append(arrays!.labels.subarray(r * T, r * T + length));
          }
        }
        offset += rows.length * length;
        f.rows += rows.length;
        for (const r of rows) f.tokens += lengths[r]!;
        f.slots += rows.length * length;
      }
      f.padding_fraction = f.slots === 0 ? 0 : Math.round(((f.slots - f.tokens) / f.slots) * 1e6) / 1e6;
      figures.push(f);
    }
    outs.json(join(o.outDir, "BATCHES.meta.json"), {
      ...manifestHeader("gamma.batches/v1", "batches"),
      cache: { path: o.cache, experiment_id: meta.experiment_id, split: o.split, rows: lengths.length, max_len: T },
      params: {
        batch_size: o.batchSize,
        epochs: o.epochs,
        seed: o.seed,
        drop_last: o.dropLast,
        bucket_by_length: o.bucketByLength,
        bucket_batches: o.bucketBatches,
        dynamic_padding: o.dynamicPadding,
        index_only: o.indexOnly,
      },
      plan_rule:
        "Fisher-Yates shuffle with SplitMix64 seeded seed * 2^32 + epoch; with bucketing, buckets of batch_size * bucket_batches rows sorted by length (longest first, stable), cut into batches, batches shuffled with the same stream; drop_last drops a short batch",
      epochs: figures,
    });
  });
  for (const f of figures)
    info(`batches: epoch ${f.epoch}: ${f.batches} batches, ${f.rows} rows, padding ${(100 * f.padding_fraction).toFixed(1)}%`);
  return { epochs: figures };
}
