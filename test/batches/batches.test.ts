import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildRow } from "../../src/batches/sequence.ts";
import { NpyWriter, readNpy } from "../../src/io/npy.ts";
import { runBatches } from "../../src/stages/batches.ts";
import { tempDir } from "../helpers/tmp.ts";

process.env.SOURCE_DATE_EPOCH = "1700000000";
const FIX = join(import.meta.dir, "fixtures");
const seqs = JSON.parse(readFileSync(join(FIX, "sequences.json"), "utf8")) as { eos: number; rows: number[][][] };
const configs = JSON.parse(readFileSync(join(FIX, "configs.json"), "utf8")) as Record<
  string,
  { B: number; drop_last: boolean; bucket: boolean; bucket_batches: number; dynamic: boolean; seed: number }
>;
const T = 48;
const dir = tempDir();
const settings = { maxLen: T, padId: seqs.eos, bosId: null, eosId: seqs.eos, sepId: seqs.eos, lossOn: "target" as const };
const rows = seqs.rows.map(([src, tgt]) => buildRow(src!, tgt!, settings));

/** The fixture arrays as plain numbers, with their shape. */
function fixture(name: string): { shape: number[]; values: number[] } {
  const a = readNpy(join(FIX, `${name}.npy`));
  return { shape: a.shape, values: Array.from(a.data as ArrayLike<number | bigint>, Number) };
}

function written(path: string): { shape: number[]; values: number[] } {
  const a = readNpy(path);
  return { shape: a.shape, values: Array.from(a.data as ArrayLike<number | bigint>, Number) };
}

/** A cache folder as gamma encode lays it out, from the rows above. */
function makeCache(): string {
  const cache = join(dir, "cache");
  const w = {
    ids: new NpyWriter(join(cache, "train/input_ids.npy"), "<i4", T),
    mask: new NpyWriter(join(cache, "train/attention_mask.npy"), "|u1", T),
    labels: new NpyWriter(join(cache, "train/labels.npy"), "<i4", T),
    lengths: new NpyWriter(join(cache, "train/lengths.npy"), "<i4"),
  };
  for (const r of rows) {
    w.ids.append(r.ids);
    w.mask.append(r.mask);
    w.labels.append(r.labels);
    w.lengths.append(Int32Array.of(r.length));
  }
  for (const x of Object.values(w)) x.finish();
  writeFileSync(join(cache, "ENCODE.meta.json"), JSON.stringify({ experiment_id: "test", splits: ["train"], sequence: settings }));
  return cache;
}

describe("encode rows against the NumPy reference", () => {
  test("truncate, pad, mask, and labels shifted by one with -100 where nothing is predicted", () => {
    const cat = (f: (r: (typeof rows)[number]) => ArrayLike<number>) => rows.flatMap((r) => Array.from(f(r)));
    expect(cat((r) => r.ids)).toEqual(fixture("cache-input_ids").values);
    expect(cat((r) => r.mask)).toEqual(fixture("cache-attention_mask").values);
    expect(cat((r) => r.labels)).toEqual(fixture("cache-labels").values);
    expect(rows.map((r) => r.length)).toEqual(fixture("cache-lengths").values);
    // Some rows are truncated, and with --loss-on target the source is never a label.
    expect(rows.some((r) => r.truncated)).toBe(true);
    const first = rows[0]!;
    const srcLen = seqs.rows[0]![0]!.length;
    expect(Array.from(first.labels.subarray(0, srcLen))).toEqual(new Array(srcLen).fill(-100));
    expect(first.labels[srcLen]).toBe(seqs.rows[0]![1]![0]);
  });
});

describe("batches against the NumPy reference", () => {
  const cache = makeCache();
  for (const [name, c] of Object.entries(configs)) {
    test(`${name}: plan and arrays equal the reference for two epochs`, async () => {
      const out = join(dir, `out-${name}`);
      await runBatches({
        cache,
        split: "train",
        outDir: out,
        epochs: 2,
        batchSize: c.B,
        seed: c.seed,
        dropLast: c.drop_last,
        bucketByLength: c.bucket,
        bucketBatches: c.bucket_batches,
        dynamicPadding: c.dynamic,
        indexOnly: false,
      });
      for (const e of [0, 1]) {
        for (const part of ["index", "batches", "input_ids", "attention_mask", "labels"]) {
          const got = written(join(out, `epoch-0000${e}`, `${part}.npy`));
          const want = fixture(`${name}-e${e}-${part}`);
          expect({ part, epoch: e, ...got }).toEqual({ part, epoch: e, ...want });
        }
      }
    });
  }

  test("the same seed gives the same bytes, another epoch another order, and drop_last leaves no short batch", async () => {
    const run = async (out: string, over: Partial<Parameters<typeof runBatches>[0]> = {}) =>
      runBatches({
        cache,
        split: "train",
        outDir: join(dir, out),
        epochs: 2,
        batchSize: 4,
        seed: 5,
        dropLast: false,
        bucketByLength: false,
        bucketBatches: 1,
        dynamicPadding: true,
        indexOnly: false,
        ...over,
      });
    await run("a");
    await run("b");
    for (const f of ["index.npy", "input_ids.npy", "labels.npy"])
      expect(readFileSync(join(dir, "a/epoch-00000", f))).toEqual(readFileSync(join(dir, "b/epoch-00000", f)));
    expect(readFileSync(join(dir, "a/epoch-00001/index.npy"))).not.toEqual(readFileSync(join(dir, "a/epoch-00000/index.npy")));
    await run("c", { seed: 6 });
    expect(readFileSync(join(dir, "c/epoch-00000/index.npy"))).not.toEqual(readFileSync(join(dir, "a/epoch-00000/index.npy")));
    const keep = await run("d", { dropLast: true });
    const idx = written(join(dir, "d/epoch-00000/index.npy"));
    expect(idx.values.includes(-1)).toBe(false);
    expect(keep.epochs[0]!.rows).toBe(20); // 23 rows, batches of 4: the short one is dropped
  });

  test("bucketing by length reduces padding", async () => {
    const base = {
      cache,
      split: "train",
      epochs: 3,
      batchSize: 4,
      seed: 1,
      dropLast: false,
      bucketBatches: 3,
      dynamicPadding: true,
      indexOnly: true,
    };
    const plain = await runBatches({ ...base, outDir: join(dir, "pad-plain"), bucketByLength: false });
    const bucketed = await runBatches({ ...base, outDir: join(dir, "pad-bucketed"), bucketByLength: true });
    const mean = (r: typeof plain) => r.epochs.reduce((a, e) => a + e.padding_fraction, 0) / r.epochs.length;
    console.log(
      `padding with dynamic padding: ${(100 * mean(plain)).toFixed(1)}% unbucketed, ${(100 * mean(bucketed)).toFixed(1)}% bucketed`,
    );
    expect(mean(bucketed)).toBeLessThan(mean(plain));
  });
});
