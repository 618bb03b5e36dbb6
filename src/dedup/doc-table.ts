/**
 * Every input item of a dedup run by input position (shards in sorted order, lines in order):
 * what the facts phase read and the decision the later phases make. Groups and source/domain
 * buckets are numbered (a million documents share a handful of them).
 */
import { Names } from "../util/names.ts";
import { Decision } from "./decisions.ts";
import type { ItemFacts } from "./facts.ts";

export class DocTable {
  readonly docIds: string[] = [];
  readonly groupOf: number[] = [];
  readonly bucketOf: number[] = [];
  readonly groupNames = new Names();
  readonly bucketNames = new Names();
  /** Rejected positions: "location: reason". */
  readonly badLines = new Map<number, string>();
  readonly decision: Decision[] = [];
  /** -1 when kept, else the position of the document this one duplicates (followed to a kept one by root()). */
  readonly dupOf: number[] = [];
  /** Similarity to dupOf; NaN when kept. */
  readonly similarity: number[] = [];
  /** Position of each shard's first item. */
  private readonly firstOf: number[] = [];
  private readonly firstByKey = new Map<string, number>();

  get size(): number {
    return this.docIds.length;
  }

  /** The positions [first, end) of shard `f`'s items. */
  shardRange(f: number): [number, number] {
    return [this.firstOf[f]!, this.firstOf[f + 1] ?? this.docIds.length];
  }

  group(i: number): string {
    return this.groupNames.name(this.groupOf[i]!);
  }

  bucket(i: number): string {
    return this.bucketNames.name(this.bucketOf[i]!);
  }

  /**
   * Adds the next shard's items and makes the exact decisions: a document whose key an earlier one
   * had is its exact duplicate (so a shard's exact decisions are final once it is added). Returns
   * the positions of the shard's documents, in order.
   */
  addShard(items: readonly ItemFacts[]): number[] {
    this.firstOf.push(this.docIds.length);
    const positions: number[] = [];
    for (const item of items) {
      const idx = this.docIds.length;
      if ("bad" in item) {
        this.push(item.location, "", "", Decision.Rejected);
        this.badLines.set(idx, `${item.location}: ${item.bad}`);
        continue;
      }
      positions.push(idx);
      const first = item.key === null ? undefined : this.firstByKey.get(item.key);
      if (first === undefined) {
        if (item.key !== null) this.firstByKey.set(item.key, idx);
        this.push(item.docId, item.group, item.bucket, Decision.Kept);
      } else {
        this.push(item.docId, item.group, item.bucket, Decision.ExactDup, first, 1);
      }
    }
    return positions;
  }

  /** The exact-key index is not needed once every shard is in. */
  forgetKeys(): void {
    this.firstByKey.clear();
  }

  /** Follows dupOf links to the document that was kept. */
  root(i: number): number {
    let t = this.dupOf[i]!;
    let guard = 0;
    while (this.dupOf[t]! >= 0 && guard++ < 1_000_000) t = this.dupOf[t]!;
    return t;
  }

  private push(docId: string, group: string, bucket: string, d: Decision, dupOf = -1, similarity = Number.NaN): void {
    this.docIds.push(docId);
    this.groupOf.push(this.groupNames.id(group));
    this.bucketOf.push(this.bucketNames.id(bucket));
    this.decision.push(d);
    this.dupOf.push(dupOf);
    this.similarity.push(similarity);
  }
}
