/**
 * Bridges the dedup stage to the near-duplicate engine: streams the documents
 * still in play (not exact duplicates, not rejected) to nearDedup and maps its
 * answers back to input positions.
 */
import { selectBackend, type DeviceChoice } from "../gpu/device.ts";
import { nearDedup, type NearDoc, type NearOptions, type NearResult } from "../near/near-dedup.ts";
import { readDocBatches } from "../io/doc-reader.ts";
import { info } from "../log.ts";

/** What the dedup command asks of the near engine; the backend is chosen from `device` at run time. */
export interface NearSettings
  extends Pick<NearOptions, "shingle" | "numPerm" | "threshold" | "bands" | "rows" | "seed" | "verify" | "selection" | "cpuThreads"> {
  device: DeviceChoice;
  adapterName?: string;
  describe(): Record<string, unknown>;
}

export interface NearOutcome {
  dupOf: Int32Array;
  similarity: Float32Array;
  stats: NearResult["stats"];
  describe: string;
}

export async function runNear(
  files: string[],
  kind: Uint8Array,
  groups: string[],
  s: NearSettings,
  workDir: string,
): Promise<NearOutcome> {
  const backend = await selectBackend({ device: s.device, adapterName: s.adapterName });
  info(`dedup: near-duplicate kernels on ${backend.kind}${backend.adapter ? ` (${backend.adapter.description || backend.adapter.device})` : ""}: ${backend.reason}`);
  const local: number[] = [];
  async function* docs(): AsyncGenerator<NearDoc> {
    let idx = 0;
    for await (const batch of readDocBatches(files)) {
      for (const item of batch) {
        const i = idx++;
        if (kind[i] !== 0 || "bad" in item) continue;
        const index = local.length;
        local.push(i);
        yield { index, docId: item.doc.doc_id, text: item.doc.text, group: groups[i]! };
      }
    }
  }
  const r = await nearDedup(docs(), {
    shingle: s.shingle,
    numPerm: s.numPerm,
    threshold: s.threshold,
    bands: s.bands,
    rows: s.rows,
    seed: s.seed,
    verify: s.verify,
    selection: s.selection,
    backend,
    cpuThreads: s.cpuThreads,
    workDir,
  });
  const n = kind.length;
  const dupOf = new Int32Array(n).fill(-1);
  const similarity = new Float32Array(n).fill(Number.NaN);
  for (let j = 0; j < r.nDocs; j++) {
    const t = r.dupOf[j]!;
    if (t >= 0) {
      dupOf[local[j]!] = local[t]!;
      similarity[local[j]!] = r.similarity[j]!;
    }
  }
  return {
    dupOf,
    similarity,
    stats: r.stats,
    describe: `${s.shingle} shingles, ${s.numPerm} permutations, ${r.stats.bands}x${r.stats.rows} bands, threshold ${s.threshold}, verify ${s.verify}`,
  };
}
