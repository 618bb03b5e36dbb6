import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { isValid, splitThreshold } from "../../src/io/split.ts";

describe("sha256(doc_id) split", () => {
  test("the threshold is the exact value of F x 2^256", () => {
    expect(splitThreshold(0)).toBe(0n);
    expect(splitThreshold(1)).toBe(1n << 256n);
    expect(splitThreshold(0.5)).toBe(1n << 255n);
    expect(splitThreshold(0.25)).toBe(1n << 254n);
    // 0.1 is 0x3FB999999999999A = 0x1999999999999A * 2^-56
    expect(splitThreshold(0.1)).toBe(0x1999999999999an << 200n);
  });

  test("assigns a document by comparing its big-endian digest, independently of other documents", () => {
    const t = splitThreshold(0.1);
    let valid = 0;
    for (let i = 0; i < 20000; i++) {
      const id = `doc-${i}`;
      const ref = BigInt("0x" + createHash("sha256").update(Buffer.from(id, "utf8")).digest("hex")) < t;
      expect(isValid(id, t)).toBe(ref);
      if (ref) valid++;
    }
    // 20000 draws at p = 0.1: mean 2000, sd 42.4; 5 sd either side.
    expect(Math.abs(valid - 2000)).toBeLessThan(212);
    expect(isValid("anything", splitThreshold(0))).toBe(false);
    expect(isValid("anything", splitThreshold(1))).toBe(true);
  });

  test("matches Python's int.from_bytes(sha256(id), 'big') < F * 2**256 on non-ASCII ids", () => {
    const ids = ["naïve", "文档-1", "emoji-😀", "a b"];
    for (const id of ids) {
      const h = BigInt("0x" + createHash("sha256").update(id, "utf8").digest("hex"));
      expect(isValid(id, splitThreshold(0.5))).toBe(h < 1n << 255n);
    }
  });
});
