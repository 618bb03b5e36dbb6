import { Command } from "commander";
import { EMBEDDED_ASSETS } from "../embedded-assets.ts";
import { GAMMA_VERSION } from "../version.ts";

export function licensesCommand(): Command {
  return new Command("licenses")
    .description(
      "List what the binary carries that others made (models, tokenizer, sample data, Dawn, the runtime) with origin, licence and attribution.",
    )
    .option("--json", "print a JSON array instead of text")
    .action((o) => {
      if (o.json) {
        process.stdout.write(JSON.stringify(EMBEDDED_ASSETS, null, 2) + "\n");
        return;
      }
      const lines = [`gamma ${GAMMA_VERSION} (Apache-2.0) embeds:`, ""];
      for (const a of EMBEDDED_ASSETS)
        lines.push(`${a.name}: ${a.what}`, `  origin: ${a.origin}`, `  licence: ${a.license}`, `  by: ${a.attribution}`, "");
      process.stdout.write(lines.join("\n"));
    });
}
