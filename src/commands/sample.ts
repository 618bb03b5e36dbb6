import { Command, Option } from "commander";
import { parseSplits } from "../ingest/reservoir.ts";
import { runSample } from "../stages/sample.ts";
import { ConfigError } from "../errors.ts";
import { addGlobals, intArg, readGlobals } from "./globals.ts";

function pairFields(o: Record<string, unknown>): { pair?: { srcField: string; tgtField: string } } {
  if ((o.srcField === undefined) !== (o.tgtField === undefined)) throw new ConfigError("--src-field and --tgt-field go together");
  return o.srcField === undefined ? {} : { pair: { srcField: String(o.srcField), tgtField: String(o.tgtField) } };
}

export function sampleCommand(): Command {
  return addGlobals(new Command("sample"))
    .description(
      "Draw a uniform sample of --k documents in one streaming pass (reservoir sampling, Algorithm R, with a SplitMix64 stream seeded by --seed) over normalized shards or any JSONL(.gz/.zst) with a text field, files in sorted path order. Writes --out as JSONL {uid, split, doc_id, text} (uid = sha256 of the text, hex; rows in input order; pair records {uid, split, doc_id, src_text, tgt_text} with uid = sha256 of the JSON array [src_text, tgt_text]) and MANIFEST.meta.json beside it (manifest.jsonl -> manifest.meta.json) with the inputs and their sha256 (and their shard manifests' sha256), the Hub revisions those manifests pin, seed, k, splits, filters, the algorithm and counts. A document's split depends on its uid alone (first 52 bits of sha256(uid) against the cumulative fractions), so it never changes split between runs. The same inputs and seed give a byte-identical sample.",
    )
    .requiredOption("--input <glob...>", "input files or globs (** allowed, quoted or not)")
    .requiredOption("--k <n>", "sample size")
    .requiredOption("--out <file.jsonl>", "sample file; the meta file goes beside it")
    .option("--splits <spec>", "name=fraction,... in order, summing to 1", "train=1")
    .addOption(
      new Option(
        "--split-mode <mode>",
        "hash: split by uid (stable across runs); exact: rank the sample by sha256(uid) and cut exact counts",
      )
        .choices(["hash", "exact"])
        .default("hash"),
    )
    .option("--text-field <field>", "field holding the text", "text")
    .option("--id-field <field>", "field copied to each row's doc_id", "doc_id")
    .option("--min-chars <n>", "skip texts shorter than N characters (after trimming; for pairs, each side)")
    .option("--max-chars <n>", "skip texts longer than N characters (for pairs, each side)")
    .option(
      "--dedupe",
      "skip texts seen earlier in the stream (compared after NFKC, whitespace collapsing and lower-casing), before sampling, so k distinct rows still come out",
    )
    .option(
      "--src-field <field>",
      "pair records: the source field (with --tgt-field; rows then hold src_text and tgt_text, both required, filters per side)",
    )
    .option("--tgt-field <field>", "pair records: the target field")
    .option(
      "--weight-field <field>",
      "weighted sampling without replacement (Efraimidis-Spirakis A-Res) by this numeric field (> 0; rows without one are skipped and counted)",
    )
    .option("--nfkc", "NFKC-normalize texts before hashing, deduplicating and writing them (gamma encode then encodes the same text)")
    .action(async (o) => {
      const g = readGlobals(o);
      const s = await runSample({
        inputs: o.input,
        out: o.out,
        k: intArg("--k", o.k, 0),
        seed: g.seed,
        splits: parseSplits(o.splits),
        splitMode: o.splitMode,
        textField: o.textField,
        idField: o.idField,
        filters: {
          ...(o.minChars !== undefined ? { minChars: intArg("--min-chars", o.minChars, 0) } : {}),
          ...(o.maxChars !== undefined ? { maxChars: intArg("--max-chars", o.maxChars, 1) } : {}),
        },
        dedupe: Boolean(o.dedupe),
        nfkc: Boolean(o.nfkc),
        ...(o.weightField === undefined ? {} : { weightField: String(o.weightField) }),
        ...pairFields(o),
      });
      process.stdout.write(JSON.stringify({ out: s.out, meta: s.meta, rows: s.rows, counts: s.counts }) + "\n");
    });
}
