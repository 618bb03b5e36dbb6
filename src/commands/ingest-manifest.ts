import { Command } from "commander";
import { HfHubClient } from "../ingest/hf-hub.ts";
import { runIngestManifest } from "../stages/ingest-manifest.ts";
import { addGlobals, readGlobals } from "./globals.ts";

export function ingestManifestCommand(): Command {
  return addGlobals(new Command("ingest-manifest"))
    .description(
      "Ingest every source of a Stage A manifest (stageA_manifest.yaml) into normalized shards under DIR/<name>/<domain>/: an entry with hf: {dataset, config, split, revision, text_field, id_field, ...} or source: <built-in name> streams from the Hugging Face Hub at a pinned revision (needs the network); an entry with local: {input, format: jsonl|parquet|wikipedia|stackexchange, ...} reads local files; an entry with neither is left alone. Then writes DIR/ingest.manifest.json: each source with its resolved revision (commit sha), parameters, counts and every output file with its sha256 and size, english_filter_applied (false unless a language filter was really applied), the gamma version and created_at. Reruns resume each source. The README's Stage A manifest section lists every key.",
    )
    .requiredOption("--manifest <file>", "the Stage A manifest (YAML)")
    .requiredOption(
      "--out-dir <dir>",
      "output root (use the manifest's outputs.normalized_dir to make `gamma pack --manifest` find the shards)",
    )
    .option("--overwrite", "redo every source: replace shards and forget the Hub resume state and pinned shas")
    .action(async (o) => {
      const g = readGlobals(o);
      const r = await runIngestManifest({
        manifest: o.manifest,
        outDir: o.outDir,
        overwrite: Boolean(o.overwrite),
        cpuThreads: g.cpuThreads,
        client: new HfHubClient(),
      });
      const inv = r.inventory;
      process.stdout.write(
        JSON.stringify({
          manifest: r.path,
          sources: inv.sources.map((s) => ({ name: s.name, kind: s.kind, counts: s.counts ?? null })),
          revisions: inv.revisions,
          totals: inv.totals,
        }) + "\n",
      );
    });
}
