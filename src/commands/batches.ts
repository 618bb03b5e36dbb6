import { Command } from "commander";
import { intFlag, readContext, withFlags } from "../runtime/flags.ts";
import { runBatches } from "../stages/batches.ts";

export function batchesCommand(): Command {
  return withFlags(new Command("batches"), "seed")
    .description(
      "Write a deterministic batch plan per epoch over one split of an encode cache: OUT/epoch-NNNNN/index.npy (cache rows per batch, -1 filling a short batch), batches.npy ((offset, rows, length) per batch) and the batches' input_ids, attention_mask and labels back to back (batch b = arr[offset:offset+rows*length].reshape(rows, length)). The same seed gives the same batches; each epoch has its own order.",
    )
    .requiredOption("--cache <dir>", "a folder written by gamma encode")
    .requiredOption("--out-dir <dir>", "where the epochs go")
    .requiredOption("--batch-size <n>", "rows per batch")
    .option("--epochs <n>", "epochs to plan", "1")
    .option("--split <name>", "the cache's split to batch", "train")
    .option("--drop-last", "drop a last batch shorter than --batch-size")
    .option("--bucket-by-length", "group rows of similar length (buckets of --bucket-batches batches, sorted by length) to reduce padding")
    .option("--bucket-batches <n>", "batches per bucket with --bucket-by-length", "50")
    .option("--dynamic-padding", "pad each batch to its longest row instead of the cache's T")
    .option("--index-only", "write index.npy and batches.npy only (rows into the cache)")
    .action(async (o) => {
      const ctx = readContext(o);
      const r = await runBatches({
        cache: o.cache,
        outDir: o.outDir,
        split: o.split,
        batchSize: intFlag("--batch-size", o.batchSize, 1),
        epochs: intFlag("--epochs", o.epochs, 1),
        seed: ctx.seed,
        dropLast: o.dropLast === true,
        bucketByLength: o.bucketByLength === true,
        bucketBatches: intFlag("--bucket-batches", o.bucketBatches, 1),
        dynamicPadding: o.dynamicPadding === true,
        indexOnly: o.indexOnly === true,
      });
      process.stdout.write(JSON.stringify(r) + "\n");
    });
}
