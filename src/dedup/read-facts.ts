/**
 * The facts phase's reads: one shard per worker thread at a time (with --cpu-threads > 1), taken
 * back in shard order; a shard's facts depend only on its own file, so they are the same whatever
 * the number of threads.
 */
import type { SignRequest } from "../near/shard-signer.ts";
import { FileWorkers } from "../stages/file-pool.ts";
import { shardFacts, type ShardFacts } from "./facts.ts";

export interface FactsSettings {
  perSource: boolean;
  withKeys: boolean;
  /** Shard `f`'s sign request (CPU backend), or null: no signing in this phase. */
  sign: ((f: number) => SignRequest) | null;
}

export class FactsReader {
  private readonly workers: FileWorkers | null;
  private readonly pending: (Promise<ShardFacts> | null)[];

  /** Starts the threads and queues every shard now, so they read while the caller hashes the inputs. */
  constructor(
    private readonly files: readonly string[],
    threads: number,
    private readonly s: FactsSettings,
  ) {
    this.workers = threads > 1 ? new FileWorkers(threads) : null;
    const w = this.workers;
    this.pending = files.map((file, f) =>
      w ? w.run<ShardFacts>({ kind: "dedup-facts", file, perSource: s.perSource, withKeys: s.withKeys, sign: s.sign?.(f) ?? null }) : null,
    );
    for (const p of this.pending) p?.catch(() => undefined); // surfaces when awaited in order
  }

  /** Shard `f`'s facts (read now when there are no threads). */
  shard(f: number): Promise<ShardFacts> {
    return this.pending[f] ?? shardFacts(this.files[f]!, this.s.perSource, this.s.withKeys, this.s.sign?.(f) ?? null);
  }

  close(): void {
    this.workers?.close();
  }
}
