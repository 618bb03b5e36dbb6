/**
 * Dedup's first phase, facts: what one read of a shard tells the later phases about each of its
 * items (doc id, scope group, source/domain bucket, exact key; or the reason a line is not a
 * document) and, on the CPU backend, each document's MinHash signing (../near/shard-signer.ts).
 * A task writes a shard's facts to a file in the work folder and the merge reads them back, so
 * the later phases see the same values whether one process or N tasks read the shards.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.ts";
import { readDocBatches } from "../io/doc-reader.ts";
import { readLines } from "../io/read-lines.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";
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
export async function shardFacts(
  file: string,
  perSource: boolean,
  withKeys: boolean,
  sign: SignRequest | null = null,
): Promise<ShardFacts> {
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
        items.push({
          docId: d.doc_id,
          group,
          bucket: `${d.source}/${d.domain}`,
          key: withKeys ? `${group}\u0000${exactKey(d.text)}` : null,
        });
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
  return join(dir, `${tag}.facts.jsonl.zst`);
}

interface FactsHeader {
  kind: string;
  chars: number;
  /** The signing files by name (in the same folder), and the signing's thread time. */
  signed: { signatures: string; bandKeys: string; sets: string | null; ms: { shingle: number; sign: number } } | null;
}

/**
 * Writes a shard's facts beside its signing files (which must be in `dir`), streamed as JSON
 * lines (a shard of millions of documents is never one string): a header, then per item
 * `[doc_id, group, bucket, key]` (plus `shingle count, UTF-8 length` when signed) or
 * `{location, bad}`. Signing files are named without their folder, so it can be renamed whole.
 */
export async function writeShardFacts(dir: string, tag: string, f: ShardFacts): Promise<void> {
  const s = f.signed;
  for (const p of s ? [s.signatures, s.bandKeys, s.sets] : []) {
    if (p !== null && dirname(p) !== dir) throw new Error(`dedup: internal error: ${p} is not in ${dir}`);
  }
  const header: FactsHeader = {
    kind: FACTS_KIND,
    chars: f.chars,
    signed: s && {
      signatures: basename(s.signatures),
      bandKeys: basename(s.bandKeys),
      sets: s.sets === null ? null : basename(s.sets),
      ms: s.ms,
    },
  };
  const out = new ZstdTextWriter(factsPath(dir, tag));
  try {
    await out.write(JSON.stringify(header) + "\n");
    let d = 0;
    for (const it of f.items) {
      if ("bad" in it) {
        await out.write(JSON.stringify({ location: it.location, bad: it.bad }) + "\n");
        continue;
      }
      const row: unknown[] = [it.docId, it.group, it.bucket, it.key];
      if (s) row.push(s.counts[d], s.lengths[d]);
      d++;
      await out.write(JSON.stringify(row) + "\n");
    }
    await out.finish();
  } catch (e) {
    await out.abort();
    throw e;
  }
}

/** Reads back what writeShardFacts wrote (signing files resolved in `dir`). */
export async function readShardFacts(dir: string, tag: string): Promise<ShardFacts> {
  const path = factsPath(dir, tag);
  const bad = (why: string) => new InputError(`dedup --merge: ${path}: ${why}; run the task that wrote it again`);
  if (!existsSync(path)) throw bad("missing");
  let header: FactsHeader | null = null;
  const items: ItemFacts[] = [];
  const counts: number[] = [];
  const lengths: number[] = [];
  for await (const lines of readLines(path)) {
    for (const line of lines) {
      let v: unknown;
      try {
        v = JSON.parse(line.text);
      } catch {
        throw bad(`line ${line.lineNo} is not JSON`);
      }
      if (header === null) {
        header = v as FactsHeader;
        if (header.kind !== FACTS_KIND) throw bad(`not a ${FACTS_KIND} file`);
      } else if (Array.isArray(v)) {
        const [docId, group, bucket, key, count, length] = v as [string, string, string, string | null, number?, number?];
        items.push({ docId, group, bucket, key });
        if (header.signed) {
          counts.push(count!);
          lengths.push(length!);
        }
      } else {
        const b = v as { location: string; bad: string };
        items.push({ location: b.location, bad: b.bad });
      }
    }
  }
  if (header === null) throw bad("empty");
  const s = header.signed;
  const signed: SignedShard | null = s && {
    signatures: join(dir, s.signatures),
    bandKeys: join(dir, s.bandKeys),
    sets: s.sets === null ? null : join(dir, s.sets),
    counts: Uint32Array.from(counts),
    lengths: Float64Array.from(lengths),
    ms: s.ms,
  };
  return { items, chars: header.chars, signed };
}
