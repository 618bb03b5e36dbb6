import { Command } from "commander";
import { runInspect, formatSamples } from "../stages/inspect.ts";
import { addGlobals, intArg, readGlobals } from "./globals.ts";

export function inspectCommand(): Command {
  return addGlobals(new Command("inspect"))
    .description(
      "Show random decoded samples (seeded by --seed) from a packed input_ids.mmap (or its folder; each row's document segments with where each came from: doc_id -> file and line in the pack input -> normalized shard -> raw input), a .npy token file, a Megatron .bin/.idx pair or a .jsonl(.gz/.zst) shard. The tokenizer is the one meta.json or the tokenize manifest.json records, unless --tokenizer is given.",
    )
    .argument("<path>", "input_ids.mmap or its folder, tokens.npy, PREFIX(.bin|.idx), or a .jsonl(.gz/.zst) file")
    .option("--n <n>", "how many samples", "5")
    .option("--tokenizer <file>", "decode with this tokenizer instead of the recorded one")
    .option("--width <n>", "cut shown texts at N characters (text output)", "400")
    .option("--json", "one JSON object per sample on stdout (full texts, ids, provenance)")
    .action(async (path: string, o) => {
      const g = readGlobals(o);
      const samples = await runInspect({ path, n: intArg("--n", o.n, 1), seed: g.seed, tokenizer: o.tokenizer ?? null });
      process.stdout.write(
        o.json ? samples.map((s) => JSON.stringify(s) + "\n").join("") : formatSamples(samples, intArg("--width", o.width, 1)),
      );
    });
}
