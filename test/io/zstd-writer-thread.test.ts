import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { ZstdTextWriter } from "../../src/io/zstd-writer.ts";
import { ZstdWriterThread } from "../../src/io/zstd-writer-thread.ts";
import { nlpSentences } from "../near/fixtures/corpus.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir();

/** About 12 MB of real sentences as lines of UTF-8, in pieces of uneven size (some bigger than a 4 MiB chunk). */
function pieces(): Uint8Array[] {
  const s = nlpSentences();
  const out: Uint8Array[] = [];
  let i = 0;
  for (const size of [1, 10, 1000, 5 << 20, 3, 100_000, 4 << 20, 77, 2 << 20]) {
    const lines: string[] = [];
    let n = 0;
    while (n < size) {
      const l = `${s[i++ % s.length]} ${i}\n`;
      lines.push(l);
      n += l.length;
    }
    out.push(new TextEncoder().encode(lines.join("")));
  }
  return out;
}

describe("ZstdWriterThread", () => {
  test("writes the same file, sha256 and size as ZstdTextWriter, in one zstd frame", async () => {
    const parts = pieces();
    const a = new ZstdTextWriter(join(dir, "a.jsonl.zst"));
    const b = new ZstdWriterThread(join(dir, "b.jsonl.zst"));
    for (const p of parts) {
      await a.writeBytes(p);
      await b.writeBytes(p);
    }
    await a.finish();
    await b.finish();
    const fa = readFileSync(join(dir, "a.jsonl.zst"));
    const fb = readFileSync(join(dir, "b.jsonl.zst"));
    expect(fb.equals(fa)).toBe(true);
    expect(b.digest().sha256).toBe(a.digest().sha256);
    expect(b.digest().bytes).toBe(fa.length);
    const total = parts.reduce((n, p) => n + p.length, 0);
    expect(total).toBeGreaterThan(11 << 20);
    expect(zlib.zstdDecompressSync(fb).equals(Buffer.concat(parts))).toBe(true);
  });

  test("abort leaves no file, temporary or final", async () => {
    const sub = join(dir, "aborted");
    mkdirSync(sub);
    const w = new ZstdWriterThread(join(sub, "x.jsonl.zst"));
    await w.writeBytes(new Uint8Array(5 << 20).fill(65));
    await w.abort();
    expect(readdirSync(sub)).toEqual([]);
  });

  test("a file that cannot be created fails the writer with the path in the message", async () => {
    const notADir = join(dir, "plain-file");
    writeFileSync(notADir, "x");
    const w = new ZstdWriterThread(join(notADir, "x.jsonl.zst"));
    const run = async () => {
      await w.writeBytes(new Uint8Array(9 << 20).fill(66));
      await w.finish();
    };
    await expect(run()).rejects.toThrow(/plain-file\/x\.jsonl\.zst/);
  });
});
