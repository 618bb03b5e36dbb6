/**
 * Dedup's first phase, facts: what one read of a shard tells the later phases about each of its
 * items (doc id, scope group, source/domain bucket, exact key; or the reason a line is not a
 * document) and, on the CPU backend, each document's MinHash signing (../near/shard-signer.ts).
 * A task writes a shard's facts to a file in the work folder and the merge reads them back, so
 * the later phases see the same values whether one process or N tasks read the shards.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import zlib from "node:zlib";
import { InputError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { readDocBatches } from "../io/doc-reader.ts";
import { ShardSigner, type SignedShard, type SignRequest } from "../near/shard-signer.ts";
import { exactKey } from "../stages/exact-key.ts";

export interface DocFacts {
  docId: string;
  /** Scope group: the source with --scope per-source, else "". */
  group: string;
  /** `source/domain`, for the manifest's by_source counts. */
  bucket: string;
  /** Group and exact key (null when the mode has no exact phase). */
  key: string | null;
}

/** What the facts phase learns of each item of a shard, in line order. */
export type ItemFacts = DocFacts | { location: string; bad: string };

export interface ShardFacts {
  items: ItemFacts[];
  /** Characters of text, for the progress log. */
  chars: number;
  /** With a sign request: every document's signing, in order. */
  signed: SignedShard | null;
}

/** Reads one shard: ids, groups, source/domain buckets and exact keys; signatures when asked. */
export async function shardFacts(file: string, perSource: boolean, withKeys: boolean, sign: SignRequest | null = null): Promise<ShardFacts> {
  const items: ItemFacts[] = [];
  let chars = 0;
  const signer = sign ? new ShardSigner(sign) : null;
  try {
    for await (const batch of readDocBatches([file])) {
      for (const item of batch) {
        if ("bad" in item) {
          items.push({ location: item.location, bad: item.bad });
          continue;
        }
        const d = item.doc;
        chars += d.text.length;
        const group = perSource ? d.source : "";
        items.push({ docId: d.doc_id, group, bucket: `${d.source}/${d.domain}`, key: withKeys ? `${group}\u0000${exactKey(d.text)}` : null });
        signer?.add(d.text);
      }
    }
  } catch (e) {
    signer?.abort();
    throw e;
  }
  return { items, chars, signed: signer?.finish() ?? null };
}

const FACTS_KIND = "gamma.dedup-facts/v1";

/** The facts file of shard `tag` in `dir`. */
export function factsPath(dir: string, tag: string): string {
  return join(dir, `${tag}.facts.json.zst`);
}

/**
 * Writes a shard's facts beside its signing files (which must be in `dir`): items as compact
 * arrays, signing files by name only, so the folder can be renamed as a whole.
 */
export function writeShardFacts(dir: string, tag: string, f: ShardFacts): void {
  const items = f.items.map((it) => ("bad" in it ? { location: it.location, bad: it.bad } : [it.docId, it.group, it.bucket, it.key]));
  const s = f.signed;
  const signed = s && {
    signatures: basename(s.signatures),
    bandKeys: basename(s.bandKeys),
    sets: s.sets === null ? null : basename(s.sets),
    counts: Array.from(s.counts),
    lengths: Array.from(s.lengths),
    ms: s.ms,
  };
  for (const p of s ? [s.signatures, s.bandKeys, s.sets] : []) {
    if (p !== null && dirname(p) !== dir) throw new Error(`dedup: internal error: ${p} is not in ${dir}`);
  }
  writeFileAtomic(factsPath(dir, tag), zlib.zstdCompressSync(Buffer.from(JSON.stringify({ kind: FACTS_KIND, chars: f.chars, items, signed }))));
}

/** Reads back what writeShardFacts wrote (signing files resolved in `dir`). */
export function readShardFacts(dir: string, tag: string): ShardFacts {
  const path = factsPath(dir, tag);
  let raw: { kind: string; chars: number; items: (unknown[] | { location: string; bad: string })[]; signed: Record<string, unknown> | null };
  try {
    raw = JSON.parse(zlib.zstdDecompressSync(readFileSync(path)).toString("utf8"));
  } catch (e) {
    throw new InputError(`dedup --merge: cannot read ${path}: ${(e as Error).message}; run the task that wrote it again`, { cause: e });
  }
  if (raw.kind !== FACTS_KIND) throw new InputError(`dedup --merge: ${path} is not a ${FACTS_KIND} file`);
  const items: ItemFacts[] = raw.items.map((it) => {
    if (!Array.isArray(it)) return { location: it.location, bad: it.bad };
    const [docId, group, bucket, key] = it as [string, string, string, string | null];
    return { docId, group, bucket, key };
  });
  const s = raw.signed as { signatures: string; bandKeys: string; sets: string | null; counts: number[]; lengths: number[]; ms: { shingle: number; sign: number } } | null;
  const signed: SignedShard | null = s && {
    signatures: join(dir, s.signatures),
    bandKeys: join(dir, s.bandKeys),
    sets: s.sets === null ? null : join(dir, s.sets),
    counts: Uint32Array.from(s.counts),
    lengths: Float64Array.from(s.lengths),
    ms: s.ms,
  };
  return { items, chars: raw.chars, signed };
}
