import { describe, expect, test } from "bun:test";
import { fmix32, murmur3Bytes, murmur3Words } from "../../src/kernels/hash32.ts";
import { murmurRef } from "./minhash-reference.ts";

const enc = new TextEncoder();

describe("MurmurHash3_x86_32", () => {
  // Published test vectors of the reference implementation (SMHasher's MurmurHash3_x86_32).
  const vectors: [string, number, number][] = [
    ["", 0, 0],
    ["", 1, 0x514e28b7],
    ["", 0xffffffff, 0x81f16f39],
    ["\0\0\0\0", 0, 0x2362f9de],
    ["aaaa", 0x9747b28c, 0x5a97808a],
    ["abc", 0, 0xb3dd93fa],
    ["Hello, world!", 0x9747b28c, 0x24884cba],
    ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
  ];
  for (const [text, seed, want] of vectors) {
    test(`hashes ${JSON.stringify(text)} with seed 0x${seed.toString(16)} to the published 0x${want.toString(16)}`, () => {
      const b = enc.encode(text);
      expect(murmur3Bytes(b, 0, b.length, seed)).toBe(want);
    });
  }

  test("hashes a sub-range of a buffer like the same bytes on their own, for every tail length", () => {
    const b = enc.encode("xx héllo wörld 日本語 😀 and more text yy");
    for (let s = 0; s < 6; s++) {
      for (let e = s; e <= b.length; e++) {
        const own = Array.from(b.subarray(s, e));
        expect(murmur3Bytes(b, s, e, 7)).toBe(murmurRef(own, 7));
      }
    }
  });

  test("hashes u32 words as their little-endian bytes", () => {
    const words = new Uint32Array([0xdeadbeef, 0, 0xffffffff, 0x01020304]);
    const bytes = new Uint8Array(words.buffer);
    expect(murmur3Words(words, 0, 4, 3)).toBe(murmur3Bytes(bytes, 0, 16, 3));
    expect(murmur3Words(words, 1, 2, 0)).toBe(murmur3Bytes(bytes, 4, 12, 0));
  });

  test("fmix32 is a bijection on a sample and maps 0 to 0", () => {
    expect(fmix32(0)).toBe(0);
    const seen = new Set<number>();
    for (let i = 0; i < 50000; i++) seen.add(fmix32(Math.imul(i, 0x9e3779b1) >>> 0));
    expect(seen.size).toBe(50000);
  });
});
