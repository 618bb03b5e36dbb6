import { Command } from "commander";
import { ConfigError, GammaError } from "../errors.ts";
import { reportFiles, runHtmlReport, runReport } from "../stages/report.ts";
import { addGlobals, readGlobals } from "./globals.ts";

export function reportCommand(): Command {
  return addGlobals(new Command("report"))
    .description(
      "Summarise manifests: docs, bytes, drops by reason, dedup rates and tokens, in total and per source/domain, with a check per stage that docs in = kept + dropped + rejected. Reads normalize *.manifest.json, dedup.manifest.json, tokenize manifest.json, pack meta.json, sample, ingest, encode, batches and train-tokenizer manifests; any other kind is listed as not understood. --html also draws charts (funnels, document lengths, near-duplicate clusters, languages, tokens) from the files the manifests name, into one self-contained page.",
    )
    .requiredOption("--input <glob...>", "manifest files or globs (e.g. 'out/**/*.manifest.json' out/packed/meta.json)")
    .option("--out <file>", "report JSON to write")
    .option("--html <file>", "self-contained HTML report with inline SVG charts to write")
    .action(async (o) => {
      readGlobals(o);
      if (!o.out && !o.html) throw new ConfigError("report: give --out FILE.json, --html FILE.html, or both");
      const rep = runReport(o.input, o.out ?? null);
      if (o.html) await runHtmlReport(reportFiles(o.input), rep, o.html);
      process.stdout.write(JSON.stringify({ out: o.out ?? null, html: o.html ?? null, adds_up: rep.adds_up }) + "\n");
      if (!rep.adds_up)
        throw new GammaError(
          "report_mismatch",
          `report: some stage does not add up (docs in != kept + dropped + rejected); see "checks" in ${o.out ?? o.html}`,
        );
    });
}
