/**
 * Dedup's last phase, apply: per shard in input order, its kept documents (read again and copied
 * as stored, not parsed) to deduped.jsonl.zst and one decisions line per item, with the counts.
 */
import { InputError } from "../errors.ts";
import { readItemLineBytes } from "../io/doc-reader.ts";
import type { ZstdTextWriter } from "../io/zstd-writer.ts";
import { bump, emptyCounts, type StageCounts } from "../pipeline.ts";
import { DECISION_NAME, Decision, EXACT_TAIL, reasonTail, UNIQUE_TAIL, writeDecision } from "./decisions.ts";
import type { DocTable } from "./doc-table.ts";

const NEWLINE = new Uint8Array([10]);

export class Apply {
  readonly counts = emptyCounts();
  readonly bySource: Record<string, StageCounts> = {};
  private nearTail = reasonTail(JSON.stringify(""));

  /** `out` null: --decisions-only. */
  constructor(
    private readonly table: DocTable,
    private readonly files: readonly string[],
    private readonly out: ZstdTextWriter | null,
    private readonly dec: ZstdTextWriter,
  ) {}

  /** The reason near_dup lines carry (the engine's settings). */
  setNearReason(describe: string): void {
    this.nearTail = reasonTail(JSON.stringify(`minhash_lsh_v1 (${describe})`));
  }

  async shard(f: number): Promise<void> {
    const t = this.table;
    const [first, end] = t.shardRange(f);
    if (this.out !== null) {
      let i = first;
      for await (const lines of readItemLineBytes(this.files[f]!)) {
        for (const stored of lines) {
          if (i < end && t.decision[i] === Decision.Kept) {
            await this.out.writeBytes(stored);
            await this.out.writeBytes(NEWLINE);
          }
          i++;
        }
      }
      if (i !== end)
        throw new InputError(`dedup: ${this.files[f]} changed while dedup ran (${end - first} documents at first, ${i - first} now)`);
    }
    const counts = this.counts;
    for (let i = first; i < end; i++) {
      const d = t.decision[i]!;
      const name = DECISION_NAME[d];
      counts.in++;
      const b = (this.bySource[t.bucket(i) || "(unreadable)"] ??= emptyCounts());
      b.in++;
      switch (d) {
        case Decision.Rejected:
          bump(counts.rejected, "invalid_record");
          bump(b.rejected, "invalid_record");
          await writeDecision(this.dec, t.docIds[i]!, name, null, null, reasonTail(JSON.stringify(t.badLines.get(i))));
          break;
        case Decision.Kept:
          counts.kept++;
          b.kept++;
          await writeDecision(this.dec, t.docIds[i]!, name, null, null, UNIQUE_TAIL);
          break;
        default:
          bump(counts.dropped, name);
          bump(b.dropped, name);
          await writeDecision(
            this.dec,
            t.docIds[i]!,
            name,
            t.docIds[t.root(i)]!,
            roundSim(t.similarity[i]!),
            d === Decision.ExactDup ? EXACT_TAIL : this.nearTail,
          );
      }
    }
  }
}

function roundSim(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
