import { describe, expect, test } from "bun:test";
import { lz4BlockDecode, lz4HadoopDecode } from "../../src/ingest/parquet-codecs.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

// Blocks written by hand from the LZ4 block format description:
// token = (literal length << 4) | (match length - 4); literals; 2-byte little-endian offset.
const ABC_BLOCK = Uint8Array.from([0x35, ...enc("abc"), 0x03, 0x00, 0x10, ...enc("!")]); // "abc" + copy 9 from 3 back + "!"

describe("lz4", () => {
  test("decodes literals and an overlapping match", () => {
    expect(dec(lz4BlockDecode(ABC_BLOCK, 13))).toBe("abcabcabcabc!");
  });

  test("decodes extended literal and match lengths", () => {
    const lit = "The quick brown fox jumps"; // 25 literals: 15 + 10
    // match of 4 + 15 + 1 = 20 bytes at offset 4 ("jumps" tail "umps" repeated)
    const block = Uint8Array.from([0xff, 10, ...enc(lit), 0x04, 0x00, 1, 0x00]);
    const out = dec(lz4BlockDecode(block, 45));
    expect(out).toBe(lit + "umps".repeat(5));
  });

  test("rejects a match pointing before the start", () => {
    const block = Uint8Array.from([0x10, ...enc("a"), 0x05, 0x00]);
    expect(() => lz4BlockDecode(block, 6)).toThrow(/offset/);
  });

  test("rejects output of the wrong length", () => {
    expect(() => lz4BlockDecode(ABC_BLOCK, 20)).toThrow(/decoded 13 bytes/);
  });

  test("reads Hadoop-framed blocks and falls back to a bare block", () => {
    const be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    const framed = Uint8Array.from([...be(13), ...be(ABC_BLOCK.length), ...ABC_BLOCK, ...be(13), ...be(ABC_BLOCK.length), ...ABC_BLOCK]);
    expect(dec(lz4HadoopDecode(framed, 26))).toBe("abcabcabcabc!".repeat(2));
    expect(dec(lz4HadoopDecode(ABC_BLOCK, 13))).toBe("abcabcabcabc!");
  });
});
