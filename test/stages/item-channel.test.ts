import { describe, expect, test } from "bun:test";
import { ItemChannel } from "../../src/stages/item-channel.ts";
import type { SourceItem } from "../../src/stages/normalize-core.ts";

const item = (i: number): SourceItem => ({ fields: { text: `t${i}` }, ordinal: i, location: `f:${i}` });

describe("ItemChannel", () => {
  test("hands every item over in order, in batches, and ends", async () => {
    const ch = new ItemChannel(3, 2);
    const got: number[][] = [];
    const consumer = (async () => {
      for await (const b of ch) got.push(b.map((x) => x.ordinal));
    })();
    for (let i = 1; i <= 8; i++) await ch.push(item(i));
    ch.end();
    await consumer;
    expect(got).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
  });

  test("a producer ahead of the consumer waits once maxQueued batches are waiting", async () => {
    const ch = new ItemChannel(1, 2);
    let pushed = 0;
    const producer = (async () => {
      for (let i = 1; i <= 5; i++) {
        await ch.push(item(i));
        pushed = i;
      }
      ch.end();
    })();
    await Bun.sleep(10);
    expect(pushed).toBe(1); // the second push put a second batch in the queue and waits
    const got: number[] = [];
    for await (const b of ch) got.push(...b.map((x) => x.ordinal));
    await producer;
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });

  test("a failed consumer makes the waiting producer throw its error", async () => {
    const ch = new ItemChannel(1, 1);
    const producer = (async () => {
      for (let i = 1; i <= 10; i++) await ch.push(item(i));
    })();
    await Bun.sleep(5);
    ch.fail(new Error("disk full"));
    expect(await producer.catch((e) => e.message)).toBe("disk full");
  });

  test("a failed producer makes the consumer's next read throw", async () => {
    const ch = new ItemChannel(10, 4);
    ch.add(item(1));
    const consumer = (async () => {
      for await (const _ of ch);
    })();
    ch.fail(new Error("connection reset"));
    expect(await consumer.catch((e) => e.message)).toBe("connection reset");
  });
});
