/**
 * Local files through a reader into normalized shards, one shard per task,
 * with normalize's resume rule: a shard whose manifest records the same
 * input digest and parameters is skipped; one made from anything else needs
 * --overwrite. Used by ingest-wikipedia and ingest-stackexchange.
 */
import { sha256File } from "../io/hash.ts";
import { Progress } from "../log.ts";
import { countsAddUp, emptyCounts, mergeCounts, type StageCounts } from "../pipeline.ts";
import { normalizeStream, paramsRecord, shardPaths, type NormalizeParams, type SourceItem } from "./normalize-core.ts";
import { checkName, shardToSkip } from "./normalize.ts";

export interface LocalShardTask {
  part: number;
  /** The file whose sha256 and size go into the manifest's inputs. */
  file: string;
  items: () => AsyncIterable<SourceItem[]>;
  /** Reader settings recorded in the manifest's params (and compared on resume). */
  extraParams?: Record<string, unknown>;
}

export interface ShardRunSummary {
  /** Shard manifests, in part order. */
  manifests: string[];
  shards: string[];
  skipped: number;
  counts: StageCounts;
}

export async function runLocalShards(
  label: string,
  tasks: LocalShardTask[],
  p: NormalizeParams,
  outDir: string,
  overwrite: boolean,
): Promise<ShardRunSummary> {
  checkName("--source", p.source);
  checkName("--domain", p.domain);
  const summary: ShardRunSummary = { manifests: [], shards: [], skipped: 0, counts: emptyCounts() };
  const progress = new Progress(label, null);
  for (const t of tasks) {
    const digest = await sha256File(t.file);
    const paths = shardPaths(outDir, p.source, p.domain, t.part);
    const params = { ...paramsRecord(p), ...t.extraParams };
    const done = shardToSkip(label, paths, digest, params, overwrite);
    if (done !== null) {
      mergeCounts(summary.counts, done.counts);
      summary.manifests.push(paths.manifest);
      summary.shards.push(paths.shard);
      summary.skipped++;
      continue;
    }
    let last = { docs: 0, bytes: 0 };
    const target = {
      outDir,
      part: t.part,
      inputs: [digest],
      idBase: `${p.source}/${digest.sha256.slice(0, 12)}`,
      extraParams: t.extraParams,
    };
    const r = await normalizeStream(t.items(), target, p, (docs, bytes) => {
      progress.add(docs - last.docs, bytes - last.bytes);
      last = { docs, bytes };
    });
    mergeCounts(summary.counts, r.manifest.counts);
    summary.manifests.push(r.manifestPath);
    summary.shards.push(paths.shard);
  }
  progress.done();
  if (!countsAddUp(summary.counts)) throw new Error(`${label}: internal error: counts do not add up`);
  return summary;
}
