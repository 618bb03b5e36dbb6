import { Command } from "commander";
import { GammaError } from "../errors.ts";
import { runReport } from "../stages/report.ts";
import { addGlobals, readGlobals } from "./globals.ts";

export function reportCommand(): Command {
  return addGlobals(new Command("report"))
    .description(
      "Summarise manifests (never the documents): docs, bytes, drops by reason, dedup rates and tokens, in total and per source/domain, with a check per stage that docs in = kept + dropped + rejected. Reads normalize *.manifest.json, dedup.manifest.json and pack meta.json files.",
    )
    .requiredOption("--input <glob...>", "manifest files or globs (e.g. 'out/**/*.manifest.json' out/packed/meta.json)")
    .requiredOption("--out <file>", "report JSON to write")
    .action(async (o) => {
      readGlobals(o);
      const rep = runReport(o.input, o.out);
      process.stdout.write(JSON.stringify({ out: o.out, adds_up: rep.adds_up }) + "\n");
      if (!rep.adds_up) throw new GammaError("report_mismatch", `report: some stage does not add up (docs in != kept + dropped + rejected); see "checks" in ${o.out}`);
    });
}
