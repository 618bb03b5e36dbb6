import { describe, expect, test } from "bun:test";
import { sortU32 } from "../../src/near/sort-u32.ts";
import { rng } from "./fixtures/corpus.ts";

describe("sortU32", () => {
  test("sorts like the built-in numeric sort, across sizes, duplicates and values above 2^31", () => {
    const r = rng(5);
    for (const n of [0, 1, 2, 63, 64, 65, 1000, 4097, 100_000]) {
      for (const range of [0x100000000, 1000, 3]) {
        const a = Uint32Array.from({ length: n }, () => Math.floor(r() * range));
        if (n > 10) a[0] = 0xffffffff;
        const want = a.slice().sort();
        sortU32(a);
        expect(Buffer.from(a.buffer).equals(Buffer.from(want.buffer))).toBe(true);
      }
    }
  });

  test("sorts a view in place without touching the values around it", () => {
    const r = rng(9);
    const whole = Uint32Array.from({ length: 3000 }, () => Math.floor(r() * 0x100000000));
    const before = whole.slice();
    sortU32(whole.subarray(1000, 2500));
    expect(Array.from(whole.subarray(0, 1000))).toEqual(Array.from(before.subarray(0, 1000)));
    expect(Array.from(whole.subarray(2500))).toEqual(Array.from(before.subarray(2500)));
    expect(Array.from(whole.subarray(1000, 2500))).toEqual(Array.from(before.subarray(1000, 2500).sort()));
  });
});
