/**
 * A bounded hand-off of SourceItem batches from a producer (a loop over a
 * remote record stream) to a consumer (normalizeStream). The producer waits
 * when `maxQueued` batches are waiting; a consumer that fails makes the next
 * push throw its error; a producer that fails makes the consumer's next read
 * throw, so normalizeStream discards its temporary files.
 */
import type { SourceItem } from "./normalize-core.ts";

export class ItemChannel implements AsyncIterable<SourceItem[]> {
  private batch: SourceItem[] = [];
  private queue: SourceItem[][] = [];
  private ended = false;
  private error: unknown = null;
  private wakeConsumer: (() => void) | null = null;
  private wakeProducer: (() => void) | null = null;

  constructor(
    private readonly batchSize = 1024,
    private readonly maxQueued = 4,
  ) {}

  /** Adds an item without waiting (for callbacks that cannot await); the next push() applies backpressure. */
  add(item: SourceItem): void {
    if (this.ended) throw new Error("ItemChannel: add after end");
    this.batch.push(item);
    if (this.batch.length >= this.batchSize) this.enqueue();
  }

  /** Adds an item, waiting while the consumer is behind. Throws the consumer's error if it failed. */
  async push(item: SourceItem): Promise<void> {
    if (this.error !== null) throw this.error;
    this.add(item);
    while (this.queue.length >= this.maxQueued && this.error === null) {
      await new Promise<void>((r) => (this.wakeProducer = r));
    }
    if (this.error !== null) throw this.error;
  }

  /** No more items: the consumer drains what is queued and finishes. */
  end(): void {
    if (this.ended) return;
    this.enqueue();
    this.ended = true;
    this.wake();
  }

  /** Fails both sides: the consumer's next read and the producer's next push throw `e`. */
  fail(e: unknown): void {
    if (this.error === null) this.error = e;
    this.ended = true;
    this.wake();
  }

  private enqueue(): void {
    if (this.batch.length === 0) return;
    this.queue.push(this.batch);
    this.batch = [];
    this.wake();
  }

  private wake(): void {
    const c = this.wakeConsumer;
    const p = this.wakeProducer;
    this.wakeConsumer = null;
    this.wakeProducer = null;
    c?.();
    p?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SourceItem[]> {
    for (;;) {
      if (this.error !== null) throw this.error;
      const next = this.queue.shift();
      if (next) {
        this.wake();
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((r) => (this.wakeConsumer = r));
    }
  }
}
