import { Command, Option } from "commander";
import { intFlag, readContext, withFlags } from "../runtime/flags.ts";
import { runCheckEncode, runEncode } from "../stages/encode.ts";

export function encodeCommand(): Command {
  return withFlags(new Command("encode"))
    .description(
      "Encode a frozen sample (gamma sample's JSONL and .meta.json) into a fixed-length token cache per split, keeping the sample's split labels: DIR/<split>/input_ids.npy, attention_mask.npy, labels.npy (rows x T; labels are the inputs shifted by one, -100 where there is no next real token), lengths.npy and rows.jsonl, and DIR/ENCODE.meta.json (tokenizer sha256, vocabulary size, special ids, normalization, T, pad id, counts, experiment id). Pairs are source, separator, target; --loss-on target masks the source's labels.",
    )
    .requiredOption("--sample <file.jsonl>", "the sample (its .meta.json beside it)")
    .requiredOption("--tokenizer <file>", "tokenizer.json, .tiktoken, or a tokenizer folder")
    .option("--tokenizer-sha256 <hex>", "refuse a tokenizer file with another sha256")
    .requiredOption("--max-len <T>", "tokens per row: longer sequences are truncated, shorter ones padded")
    .requiredOption("--out-dir <dir>", "the cache folder")
    .addOption(
      new Option("--loss-on <what>", "all: every next token is a label; target: only the target side's (pairs)")
        .choices(["all", "target"])
        .default("all"),
    )
    .option("--sep-id <id>", "id joining source and target in pairs (default: the tokenizer's EOS)")
    .option("--pad-id <id>", "padding id (default: the tokenizer's EOS)")
    .option("--no-eos", "do not end each sequence with EOS")
    .option("--bos", "start each sequence with the tokenizer's BOS")
    .action(async (o) => {
      readContext(o);
      const r = await runEncode({
        sample: o.sample,
        tokenizer: o.tokenizer,
        tokenizerSha256: o.tokenizerSha256 ?? null,
        outDir: o.outDir,
        maxLen: intFlag("--max-len", o.maxLen, 2, 1 << 20),
        lossOn: o.lossOn,
        sepId: o.sepId === undefined ? null : intFlag("--sep-id", o.sepId, 0),
        padId: o.padId === undefined ? null : intFlag("--pad-id", o.padId, 0),
        eos: o.eos !== false,
        bos: o.bos === true,
      });
      process.stdout.write(JSON.stringify(r) + "\n");
    });
}

export function checkEncodeCommand(): Command {
  return withFlags(new Command("check-encode"))
    .description(
      "Re-encode a cache's sample with the tokenizer and settings ENCODE.meta.json records and compare with the cache; exit 1 naming the first row that differs.",
    )
    .argument("<cache>", "a folder written by gamma encode")
    .action(async (cache: string, o) => {
      readContext(o);
      const r = await runCheckEncode(cache);
      process.stdout.write(JSON.stringify({ cache, rows_checked: r.rows, ok: true }) + "\n");
    });
}
