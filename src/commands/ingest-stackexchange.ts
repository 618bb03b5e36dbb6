import { Command } from "commander";
import { ConfigError } from "../errors.ts";
import { runIngestStackExchange } from "../stages/ingest-stackexchange.ts";
import { addGlobals, readGlobals } from "./globals.ts";
import { addNormalizeFlags, readNormalizeFlags } from "./normalize-flags.ts";

export function ingestStackExchangeCommand(): Command {
  const cmd = addGlobals(new Command("ingest-stackexchange"))
    .description(
      "Turn a Stack Exchange dump into normalized shards, one per --input: Posts.xml, the folder holding it, or SITE.7z (read through the system 7z, Debian package p7zip-full; nothing is unpacked to disk). The XML is streamed, never loaded whole. One document per question thread: title and question, then its answers by score (highest first), HTML turned into text with code blocks kept; doc_id <site>/questions/<id>; license_tag the CC BY-SA version of the thread's posts (ContentLicense, else by date); site, url, tags, score and answer ids under meta. Broken rows, orphan answers and duplicate ids are rejected with file:line and counted. Works offline.",
    )
    .requiredOption("--input <path...>", "Posts.xml, the folder holding it, or SITE.7z (several: one shard each, in the order given)")
    .requiredOption("--out-dir <dir>", "output root")
    .option("--min-score <n>", "drop questions (with their threads) and answers scoring below N")
    .option("--site <name>", "site name, e.g. cooking.stackexchange.com (default: from the file or folder name; one --input only)")
    .option("--source <name>", "source name (a path component)", "stackexchange")
    .option("--domain <name>", "domain name (a path component)", "qa")
    .option("--overwrite", "replace existing shards instead of resuming");
  return addNormalizeFlags(cmd).action(async (o) => {
    readGlobals(o);
    let minScore: number | null = null;
    if (o.minScore !== undefined) {
      minScore = Number(o.minScore);
      if (!Number.isInteger(minScore)) throw new ConfigError(`--min-score must be an integer, got ${JSON.stringify(o.minScore)}`);
    }
    const s = await runIngestStackExchange({
      inputs: o.input,
      outDir: o.outDir,
      overwrite: Boolean(o.overwrite),
      minScore,
      site: o.site ?? null,
      params: { ...readNormalizeFlags(o), source: o.source, domain: o.domain, textField: "text", idField: "id", licenseTag: null },
    });
    process.stdout.write(JSON.stringify({ shards: s.shards, skipped: s.skipped, counts: s.counts, reader: s.reader }) + "\n");
  });
}
