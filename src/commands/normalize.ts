import { Command, Option } from "commander";
import { loadFilterConfig } from "../filters/config.ts";
import { DEFAULT_FILTERS } from "../filters/rules.ts";
import { runNormalize } from "../stages/normalize.ts";
import { addGlobals, intArg, numArg, readGlobals } from "./globals.ts";
import { ConfigError } from "../errors.ts";
import { DEFAULT_MAX_FILE_BYTES } from "../code/file-tree.ts";
import { STACK_FIELDS, type CodeInputs } from "../code/code-shard.ts";
import type { FilterConfig } from "../filters/rules.ts";
import { addTaskFlags, readTask } from "../runtime/flags.ts";

/** The code inputs of `--filters code` (or a filter file with base: code); flags that need it are an error without it. */
function codeInputs(o: Record<string, unknown>, filters: FilterConfig, files: boolean, seed: number): CodeInputs | undefined {
  const given = (["pathField", "starsField", "languageField"] as const).filter((k) => o[k] !== undefined);
  if (!filters.code) {
    if (given.length > 0)
      throw new ConfigError(
        `--${given[0]!.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())} applies to code records: use it with --filters code`,
      );
    return undefined;
  }
  if (files) return { pathFields: ["path"], starsFields: [], languageFields: [], seed };
  const one = (k: string, fallback: string[]) => (typeof o[k] === "string" ? [o[k] as string] : fallback);
  return {
    pathFields: one("pathField", STACK_FIELDS.pathFields),
    starsFields: one("starsField", STACK_FIELDS.starsFields),
    languageFields: one("languageField", STACK_FIELDS.languageFields),
    seed,
  };
}

const DEFAULTS = Object.entries(DEFAULT_FILTERS)
  .map(([k, v]) => `${k}=${v === null ? "off" : v}`)
  .join(", ");

export function normalizeCommand(): Command {
  return addTaskFlags(addGlobals(new Command("normalize")))
    .description(
      "Read .jsonl/.jsonl.gz/.jsonl.zst/.parquet files, normalize them to the gamma schema {text, source, domain, doc_id, license_tag, created_at, meta}, apply heuristic filters and, when the filter file asks (languages, lang_threshold, language_field, lid_model), the language rule (fastText lid.176, embedded: meta.language and meta.language_score on every document it sees), and write DIR/<source>/<domain>/part-NNNNN.jsonl.zst with a .manifest.json and a .rejects.jsonl.zst beside each (one shard per input file).",
    )
    .requiredOption("--input <glob...>", "input files or globs (** allowed, quoted or not)")
    .requiredOption("--out-dir <dir>", "output root")
    .requiredOption("--source <name>", "source name (a path component)")
    .requiredOption("--domain <name>", "domain name (a path component)")
    .option("--text-field <field>", "field holding the text", "text")
    .option(
      "--id-field <field>",
      "field holding a document id, copied verbatim (default: derived as <source>/<first 12 hex of the input file's sha256>/<line or row>)",
    )
    .option("--license-tag <tag>", "licence tag for every document (default: the input's license_tag field, else null)")
    .option("--filters <spec>", `default | none | code | FILE.yaml (defaults: ${DEFAULTS}; code: the code rules, see README)`, "default")
    .addOption(
      new Option(
        "--format <kind>",
        "records: .jsonl/.parquet files of records; files: every file the inputs match is one document (source trees)",
      )
        .choices(["records", "files"])
        .default("records"),
    )
    .option(
      "--exclude <pattern...>",
      "with --format files: .gitignore-style patterns of files to leave out (e.g. 'node_modules/' '*.lock')",
    )
    .option("--max-file-bytes <n>", "with --format files: reject files larger than this (file_too_large)", String(DEFAULT_MAX_FILE_BYTES))
    .option("--path-field <field>", "with --filters code: field holding the file path (default: max_stars_repo_path, else path)")
    .option("--stars-field <field>", "with --filters code: field holding the repository's stars (default: max_stars_count, else stars)")
    .option(
      "--language-field <field>",
      "with --filters code: field naming the language, which wins over detection (default: lang, else language)",
    )
    .option(
      "--lid-model <path>",
      "fastText model for the language rule (lang_threshold/languages in the --filters file; default: the embedded lid.176.ftz)",
    )
    .option("--nfkc", "apply Unicode NFKC normalization (off: text stays as in the source)")
    .option("--strict", "abort at the first bad record instead of rejecting it")
    .option("--keep-rejected-text", "also write the text of dropped/rejected documents into the rejects file")
    .addOption(
      new Option("--max-nul-fraction <f>", "fail a shard when more than this fraction of its documents contain NUL characters").default(
        "0.01",
      ),
    )
    .option("--overwrite", "replace existing shards instead of resuming")
    .action(async (o) => {
      const g = readGlobals(o);
      const { task, merge } = readTask(o);
      const filters = loadFilterConfig(o.filters, o.lidModel ?? null);
      const files = o.format === "files";
      const s = await runNormalize({
        format: files ? "files" : "records",
        exclude: o.exclude ?? [],
        maxFileBytes: intArg("--max-file-bytes", o.maxFileBytes, 1),
        code: codeInputs(o, filters, files, g.seed),
        task: o.taskIndex !== undefined || o.numTasks !== undefined || merge || task.count > 1 ? task : undefined,
        merge,
        cpuThreads: g.cpuThreads,
        inputs: o.input,
        outDir: o.outDir,
        source: o.source,
        domain: o.domain,
        textField: files ? "text" : o.textField,
        idField: files ? "path" : (o.idField ?? null),
        licenseTag: o.licenseTag ?? null,
        filters,
        nfkc: Boolean(o.nfkc),
        strict: Boolean(o.strict),
        keepRejectedText: Boolean(o.keepRejectedText),
        maxNulFraction: numArg("--max-nul-fraction", o.maxNulFraction, 0, 1),
        overwrite: Boolean(o.overwrite),
      });
      const c = s.counts;
      process.stdout.write(JSON.stringify({ shards: s.shards, skipped: s.skipped, counts: c }) + "\n");
    });
}
