import { Command } from "commander";
import { ConfigError } from "../errors.ts";
import { HfHubClient } from "../ingest/hf-hub.ts";
import { HF_SOURCES } from "../ingest/hf-sources.ts";
import { mergeCounts, emptyCounts } from "../pipeline.ts";
import { DEFAULT_HF_DOMAIN, planHfSource } from "../stages/hf-plan.ts";
import { runHfSource } from "../stages/hf-stream.ts";
import { addGlobals, intArg, readGlobals } from "./globals.ts";
import { addNormalizeFlags, readNormalizeFlags } from "./normalize-flags.ts";

const SOURCES = Object.values(HF_SOURCES)
  .map((s) => `${s.name} (${s.datasetId}${s.needsConfig ? `, config default ${s.defaultConfig}` : ""})`)
  .join("; ");

export function hfStreamCommand(): Command {
  const cmd = addGlobals(new Command("hf-stream"))
    .description(
      "Stream a Hugging Face Hub dataset's split into normalized shards, never holding the dataset on disk: resolves --revision to a commit sha once and pins it, lists the config's Parquet (or JSON lines) files at that sha, reads them with HTTP range requests, and writes one shard per remote file, DIR/<source>/<domain>/part-NNNNN.jsonl.zst (NNNNN = the file's index in the pinned list) with its .manifest.json (inputs: the file's path in the repo, size, LFS sha256, the pinned sha and its URL; params.hf: dataset, config, split, revision, resolved_sha) and .rejects.jsonl.zst. Resume state lives in DIR/.hf-state/: a rerun skips finished files and restarts a partial one. Retries 429/5xx with backoff. Needs the network; HF_ENDPOINT picks a mirror, HF_TOKEN (never logged or written) authenticates for gated datasets. " +
        `Built-in sources: ${SOURCES}.`,
    )
    .option("--source <name...>", "built-in source name(s); each gets its own folder DIR/<name>/<domain>/")
    .option("--dataset <id>", "a dataset id instead of a built-in source (shards go to DIR/<owner>__<name>/<domain>/)")
    .option(
      "--config-name <name>",
      "config (subset) to read, for every --source given (default: the source's own, e.g. eng_Latn for fineweb2; list them with gamma hf-configs)",
    )
    .option("--split <name>", "split to read", "train")
    .option("--revision <rev>", "branch, tag or commit sha (default main); resolved to a sha once and pinned for reruns")
    .requiredOption("--out-dir <dir>", "output root")
    .option("--limit <n>", "stop after N documents per source (counting those of files finished by earlier runs)")
    .option("--text-field <field>", "field holding the text (default: the source's, else text)")
    .option(
      "--id-field <field>",
      "field holding a document id (default: the source's; none: doc_id is <source>/<path of the file in the repo>/<row or line number, from 1>)",
    )
    .option("--domain <name>", `domain folder and field (default: the source's, else ${DEFAULT_HF_DOMAIN})`)
    .option("--license-tag <tag>", "licence tag for every document (default: the source's, else the record's license_tag, else null)")
    .option("--overwrite", "forget the resume state and the pinned sha and stream every file again");
  return addNormalizeFlags(cmd).action(async (o) => {
    readGlobals(o);
    const names: string[] = [...new Set<string>(o.source ?? [])];
    if (names.length === 0 && o.dataset === undefined)
      throw new ConfigError("hf-stream: give --source NAME (built-in: " + Object.keys(HF_SOURCES).join(", ") + ") or --dataset ID");
    if (names.length > 0 && o.dataset !== undefined) throw new ConfigError("hf-stream: give either --source or --dataset, not both");
    const requests = names.length > 0 ? names.map((source) => ({ source })) : [{ dataset: o.dataset as string }];
    const plans = requests.map((r) =>
      planHfSource({
        ...r,
        config: o.configName,
        split: o.split,
        revision: o.revision,
        textField: o.textField,
        idField: o.idField,
        domain: o.domain,
        licenseTag: o.licenseTag,
      }),
    );
    const normalize = readNormalizeFlags(o);
    const limit = o.limit === undefined ? undefined : intArg("--limit", o.limit, 0);
    const client = new HfHubClient();
    const sources = [];
    const total = emptyCounts();
    for (const plan of plans) {
      const r = await runHfSource({ plan, outDir: o.outDir, normalize, limit, overwrite: Boolean(o.overwrite), client });
      mergeCounts(total, r.counts);
      sources.push({
        source: r.source,
        dataset: r.datasetId,
        config: r.config,
        split: r.split,
        revision: r.revision,
        resolved_sha: r.resolvedSha,
        files: r.files.length,
        shards: r.shards,
        skipped: r.skipped,
        counts: r.counts,
      });
    }
    process.stdout.write(JSON.stringify({ sources, counts: total }) + "\n");
  });
}
