import { Command } from "commander";
import { GammaError } from "../errors.ts";
import { runSmoke } from "../stages/smoke.ts";
import type { Report } from "../stages/report.ts";
import { nearSettings } from "./dedup.ts";
import { addGlobals, readGlobals } from "./globals.ts";

function codeLine(rep: Report): string {
  const langs = Object.entries(rep.normalize?.by_language ?? {});
  return langs.map(([l, c]) => `${l} ${c.kept}/${c.docs} kept`).join(", ") || "no documents";
}

export function smokeCommand(): Command {
  return addGlobals(new Command("smoke"), "threads", "seed", "device")
    .description(
      "Run the whole pipeline (normalize -> dedup exact+near -> pack -> report) on a small real-text sample and a real tokenizer embedded in the binary, and normalize --filters code on an embedded code sample, and print where everything went. Needs no network and no files.",
    )
    .option(
      "--out-dir <dir>",
      "where to write (its inputs/, normalized/, dedup/, packed/, report.json and report.html are replaced)",
      "out",
    )
    .action(async (o) => {
      const g = readGlobals(o);
      const r = await runSmoke(o.outDir, g, nearSettings({}, g));
      const rep = r.report;
      const lines = [
        "",
        `gamma smoke: done in ${r.outDir}`,
        `  inputs        ${r.paths.inputs}/ (embedded sample and tokenizer)`,
        `  normalized    ${r.paths.normalized_shards}/part-00000.jsonl.zst (+ .manifest.json, .rejects.jsonl.zst)`,
        `  code          ${r.paths.code_shards}/part-00000.jsonl.zst (--filters code; ${codeLine(rep)})`,
        `  deduped       ${r.paths.deduped}`,
        `  decisions     ${r.paths.decisions}`,
        `  packed        ${r.paths.input_ids} + ${r.paths.meta}`,
        `  report        ${r.paths.report} + ${r.paths.html}`,
        `  documents     ${rep.normalize?.counts.in ?? 0} in, ${rep.normalize?.counts.kept ?? 0} kept by normalize, ${rep.dedup[0]?.counts.kept ?? 0} after dedup; ${rep.pack[0]?.n_seqs ?? 0} rows x ${rep.pack[0]?.seq_len ?? 0} tokens`,
        `  accounting    ${rep.adds_up ? "every stage adds up (in = kept + dropped + rejected)" : "DOES NOT ADD UP"}`,
      ];
      process.stdout.write(lines.join("\n") + "\n");
      if (!rep.adds_up) throw new GammaError("report_mismatch", "smoke: the report does not add up");
    });
}
