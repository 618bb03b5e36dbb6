import { describe, expect, test } from "bun:test";
import { interleaveBlocks, ownedBatches } from "../../src/runtime/task-blocks.ts";

async function* batches(items: number[], size: number): AsyncGenerator<number[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

async function* each<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function collect<T>(g: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
}

describe("task blocks", () => {
  test("the tasks' blocks, read back block by block, are the stream in order, whatever the batch sizes", async () => {
    for (const n of [0, 1, 9, 50, 101]) {
      for (const count of [1, 3, 4]) {
        for (const block of [1, 4, 7]) {
          const items = Array.from({ length: n }, (_, i) => i);
          const shares = await Promise.all(
            Array.from({ length: count }, async (_, index) =>
              (await collect(ownedBatches(batches(items, 5), { index, count }, block))).flat(),
            ),
          );
          expect(shares.flat().sort((a, b) => a - b)).toEqual(items);
          for (const [index, share] of shares.entries()) for (const i of share) expect(Math.floor(i / block) % count).toBe(index);
          const merged = await collect(
            interleaveBlocks(
              shares.map((s) => each(s)),
              block,
            ),
          );
          expect(merged).toEqual(items);
        }
      }
    }
  });

  test("records of a task that go on past the stream's end are an error, not dropped", async () => {
    const streams = [
      [0, 1, 4],
      [2, 3, 99],
    ].map((s) => each(s));
    await expect(collect(interleaveBlocks(streams, 2))).rejects.toThrow(/task 1's results go on past the end/);
  });
});
