/** The normalize settings the ingest commands share with `gamma normalize`. */
import { Option, type Command } from "commander";
import { loadFilterConfig } from "../filters/config.ts";
import type { NormalizeParams } from "../stages/normalize-core.ts";
import { numArg } from "./globals.ts";

export type NormalizeFlags = Pick<NormalizeParams, "filters" | "nfkc" | "strict" | "keepRejectedText" | "maxNulFraction">;

export function addNormalizeFlags(cmd: Command): Command {
  return cmd
    .option("--filters <spec>", "default | none | FILE.yaml (the rules of gamma normalize --help)", "default")
    .option("--lid-model <path>", "fastText model for the language rule of the --filters file (default: the embedded lid.176.ftz)")
    .option("--nfkc", "apply Unicode NFKC normalization (off: text stays as in the source)")
    .option("--strict", "abort at the first bad record instead of rejecting it")
    .option("--keep-rejected-text", "also write the text of dropped/rejected documents into the rejects file")
    .addOption(
      new Option("--max-nul-fraction <f>", "fail a shard when more than this fraction of its documents contain NUL characters").default(
        "0.01",
      ),
    );
}

export function readNormalizeFlags(o: Record<string, unknown>): NormalizeFlags {
  return {
    filters: loadFilterConfig(String(o.filters ?? "default"), typeof o.lidModel === "string" ? o.lidModel : null),
    nfkc: Boolean(o.nfkc),
    strict: Boolean(o.strict),
    keepRejectedText: Boolean(o.keepRejectedText),
    maxNulFraction: numArg("--max-nul-fraction", o.maxNulFraction ?? "0.01", 0, 1),
  };
}
