import { Command, Option } from "commander";
import { loadFilterConfig } from "../filters/config.ts";
import { DEFAULT_FILTERS } from "../filters/rules.ts";
import { runNormalize } from "../stages/normalize.ts";
import { addGlobals, numArg, readGlobals } from "./globals.ts";
import { addTaskFlags, readTask } from "../runtime/flags.ts";

const DEFAULTS = Object.entries(DEFAULT_FILTERS)
  .map(([k, v]) => `${k}=${v === null ? "off" : v}`)
  .join(", ");

export function normalizeCommand(): Command {
  return addTaskFlags(addGlobals(new Command("normalize")))
    .description(
      "Read .jsonl/.jsonl.gz/.jsonl.zst/.parquet files, normalize them to the gamma schema {text, source, domain, doc_id, license_tag, created_at, meta}, apply heuristic filters, and write DIR/<source>/<domain>/part-NNNNN.jsonl.zst with a .manifest.json and a .rejects.jsonl.zst beside each (one shard per input file).",
    )
    .requiredOption("--input <glob...>", "input files or globs (** allowed, quoted or not)")
    .requiredOption("--out-dir <dir>", "output root")
    .requiredOption("--source <name>", "source name (a path component)")
    .requiredOption("--domain <name>", "domain name (a path component)")
    .option("--text-field <field>", "field holding the text", "text")
    .option("--id-field <field>", "field holding a document id, copied verbatim (default: derived as <source>/<first 12 hex of the input file's sha256>/<line or row>)")
    .option("--license-tag <tag>", "licence tag for every document (default: the input's license_tag field, else null)")
    .option("--filters <spec>", `default | none | FILE.yaml (defaults: ${DEFAULTS})`, "default")
    .option("--nfkc", "apply Unicode NFKC normalization (off: text stays as in the source)")
    .option("--strict", "abort at the first bad record instead of rejecting it")
    .option("--keep-rejected-text", "also write the text of dropped/rejected documents into the rejects file")
    .addOption(new Option("--max-nul-fraction <f>", "fail a shard when more than this fraction of its documents contain NUL characters").default("0.01"))
    .option("--overwrite", "replace existing shards instead of resuming")
    .action(async (o) => {
      const g = readGlobals(o);
      const { task, merge } = readTask(o);
      const s = await runNormalize({
        task: o.taskIndex !== undefined || o.numTasks !== undefined || merge || task.count > 1 ? task : undefined,
        merge,
        cpuThreads: g.cpuThreads,
        inputs: o.input,
        outDir: o.outDir,
        source: o.source,
        domain: o.domain,
        textField: o.textField,
        idField: o.idField ?? null,
        licenseTag: o.licenseTag ?? null,
        filters: loadFilterConfig(o.filters),
        nfkc: Boolean(o.nfkc),
        strict: Boolean(o.strict),
        keepRejectedText: Boolean(o.keepRejectedText),
        maxNulFraction: numArg("--max-nul-fraction", o.maxNulFraction, 0, 1),
        overwrite: Boolean(o.overwrite),
      });
      const c = s.counts;
      process.stdout.write(
        JSON.stringify({ shards: s.shards, skipped: s.skipped, counts: c }) + "\n",
      );
    });
}
