import { Command } from "commander";
import { hfConfigs, type HfConfig } from "../ingest/hf-configs.ts";
import { HfHubClient } from "../ingest/hf-hub.ts";
import { info } from "../log.ts";
import { addGlobals, readGlobals } from "./globals.ts";

/** "asm_Beng", "deu_Latn (removed)", "en", or "-" when the name carries no language code. */
export function languageOf(c: HfConfig): string {
  if (!c.code) return "-";
  const base = c.code.script ? `${c.code.lang}_${c.code.script}` : c.code.lang;
  return c.code.variant ? `${base} (${c.code.variant})` : base;
}

export function hfConfigsCommand(): Command {
  return addGlobals(new Command("hf-configs"))
    .description(
      "List a Hugging Face Hub dataset's configs (subsets) with their splits and the language code parsed from each name, from the dataset card at a revision, resolved to its commit sha (printed; or the dataset viewer's Parquet export when the card declares none). --lang and --script match the parsed lang_Script code, never substrings: --lang eng lists eng_Latn but never asm_Beng; en and eng are the same language. Needs the network (HF_ENDPOINT picks a mirror, HF_TOKEN authenticates).",
    )
    .requiredOption("--dataset <id>", "dataset id, e.g. HuggingFaceFW/fineweb-2")
    .option("--lang <code>", "only configs of this language (ISO 639-1 or 639-3: en, eng, deu)")
    .option("--script <code>", "only configs in this script (ISO 15924: Latn, Cyrl, Beng)")
    .option("--revision <rev>", "branch, tag or commit sha to read the card at", "main")
    .option(
      "--json",
      "print JSON {dataset, revision, resolved_sha, lang, script, configs: [{name, splits, language, default}]} instead of a table",
    )
    .action(async (o) => {
      readGlobals(o);
      const client = new HfHubClient();
      const sha = await client.resolveRevision(o.dataset, o.revision);
      const configs = await hfConfigs(o.dataset, { lang: o.lang, script: o.script, revision: sha, client });
      if (o.json) {
        const rows = configs.map((c) => ({
          name: c.name,
          splits: c.splits,
          language: c.code ? languageOf(c) : null,
          default: c.isDefault,
        }));
        process.stdout.write(
          JSON.stringify({
            dataset: o.dataset,
            revision: o.revision,
            resolved_sha: sha,
            lang: o.lang ?? null,
            script: o.script ?? null,
            configs: rows,
          }) + "\n",
        );
        return;
      }
      info(`hf-configs: ${o.dataset} at ${o.revision} = ${sha}`);
      if (configs.length === 0) {
        const filter = [o.lang && `--lang ${o.lang}`, o.script && `--script ${o.script}`].filter(Boolean).join(" ");
        info(`hf-configs: ${o.dataset} has no config${filter ? ` matching ${filter}` : "s"} at ${o.revision}`);
        return;
      }
      const width = Math.max(6, ...configs.map((c) => c.name.length));
      const lines = [`${"config".padEnd(width)}  ${"language".padEnd(16)}  splits`];
      for (const c of configs)
        lines.push(`${c.name.padEnd(width)}  ${languageOf(c).padEnd(16)}  ${c.splits.join(",")}${c.isDefault ? "  (default)" : ""}`);
      process.stdout.write(lines.join("\n") + "\n");
    });
}
