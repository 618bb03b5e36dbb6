import { Command } from "commander";
import { runIngestWikipedia } from "../stages/ingest-wikipedia.ts";
import { addGlobals, readGlobals } from "./globals.ts";
import { addNormalizeFlags, readNormalizeFlags } from "./normalize-flags.ts";

export function ingestWikipediaCommand(): Command {
  const cmd = addGlobals(new Command("ingest-wikipedia"))
    .description(
      'Turn WikiExtractor output into normalized shards: both the text form (<doc id=".." url=".." title="..">...</doc>) and the --json form, plain or .gz, one file or a directory tree (AA/wiki_00, ...; walked in sorted order). One shard per WikiExtractor file, DIR/<source>/<domain>/part-NNNNN.jsonl.zst with .manifest.json and .rejects.jsonl.zst; the article id is the doc_id, url and title go under meta. Broken input (an unclosed <doc>, a stray </doc>, text outside any <doc>, a bad JSON line) is rejected with its file:line and counted. Reruns skip shards already made from the same file with the same settings. Works offline.',
    )
    .requiredOption("--input <path...>", "WikiExtractor output directory, or one or more of its files")
    .requiredOption("--out-dir <dir>", "output root")
    .option("--source <name>", "source name (a path component)", "wikipedia")
    .option("--domain <name>", "domain name (a path component)", "encyclopedia")
    .option("--license-tag <tag>", "licence tag of every article", "CC-BY-SA-4.0")
    .option("--overwrite", "replace existing shards instead of resuming");
  return addNormalizeFlags(cmd).action(async (o) => {
    readGlobals(o);
    const s = await runIngestWikipedia({
      inputs: o.input,
      outDir: o.outDir,
      overwrite: Boolean(o.overwrite),
      params: { ...readNormalizeFlags(o), source: o.source, domain: o.domain, textField: "text", idField: "id", licenseTag: o.licenseTag },
    });
    process.stdout.write(JSON.stringify({ shards: s.shards, skipped: s.skipped, counts: s.counts, reader: s.reader }) + "\n");
  });
}
