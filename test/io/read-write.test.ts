import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { InputError } from "../../src/errors.ts";
import { lineBlocks, readLines, useZstdInPlace, zstdDecodesInPlace } from "../../src/io/read-lines.ts";
import { readItemLineBytes } from "../../src/io/doc-reader.ts";
import { ZstdTextWriter } from "../../src/io/zstd-writer.ts";
import { ZstdFrameWalker } from "../../src/io/zstd-frames.ts";
import { writeJsonString } from "../../src/stages/normalize-json-text.ts";
import { nlpSentences } from "../near/fixtures/corpus.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir();
const enc = new TextEncoder();

/** Real sentences as lines, with a few lines far longer than one read buffer (1 MiB). */
function text(): string {
  const s = nlpSentences();
  const lines: string[] = [];
  for (let i = 0; i < 150_000; i++) lines.push(`${s[i % s.length]} ${i}`);
  lines.splice(120_000, 0, "x".repeat(3 << 20)); // grows the buffer twice
  lines.splice(5000, 0, s.slice(0, 20_000).join(" ")); // > 1 MiB of words
  lines.splice(9000, 0, "", "  ", "\r"); // blank lines stay lines
  lines.push("é€😀 last line without a newline");
  return lines.join("\n");
}

async function allLines(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readLines(path)) for (const l of batch) out.push(l.text);
  return out;
}

describe("reading lines", () => {
  const t = text();
  const expected = t.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  const zst = join(dir, "lines.jsonl.zst");
  writeFileSync(zst, zlib.zstdCompressSync(enc.encode(t)));

  afterEach(() => useZstdInPlace(true));

  test("zstd is decoded into reused buffers here (the zlib handle is there)", () => {
    expect(zstdDecodesInPlace()).toBe(true);
    useZstdInPlace(false);
    expect(zstdDecodesInPlace()).toBe(false);
  });

  test("gives every line, in order, from .zst (in place and through a stream), .gz and plain files alike", async () => {
    const gz = join(dir, "lines.jsonl.gz");
    const plain = join(dir, "lines.jsonl");
    writeFileSync(gz, zlib.gzipSync(t));
    writeFileSync(plain, t);
    for (const inPlace of [true, false]) {
      useZstdInPlace(inPlace);
      for (const f of [zst, gz, plain]) {
        const got = await allLines(f);
        expect(got.length).toBe(expected.length);
        expect(got).toEqual(expected);
      }
    }
  });

  test("a .zst of several frames is read to its end", async () => {
    const bytes = enc.encode(t);
    const cut = bytes.indexOf(10, 2_000_000) + 1;
    const multi = join(dir, "multi.jsonl.zst");
    writeFileSync(multi, Buffer.concat([zlib.zstdCompressSync(bytes.subarray(0, cut)), zlib.zstdCompressSync(bytes.subarray(cut))]));
    expect(await allLines(multi)).toEqual(expected);
  });

  test("line blocks end at line ends and reuse one buffer", async () => {
    const buffers = new Set<ArrayBufferLike>();
    const joined: Uint8Array[] = [];
    let blocks = 0;
    for await (const b of lineBlocks(zst)) {
      buffers.add(b.buffer);
      joined.push(b.slice(), enc.encode("\n"));
      blocks++;
    }
    joined.pop();
    expect(blocks).toBeGreaterThan(6);
    // One buffer, plus the bigger ones the long lines needed.
    expect(buffers.size).toBeLessThanOrEqual(4);
    expect(Buffer.concat(joined).equals(Buffer.from(enc.encode(t)))).toBe(true);
  });

  test("truncated and corrupt .zst files fail naming the file", async () => {
    const whole = readFileSync(zst);
    const truncated = join(dir, "truncated.jsonl.zst");
    writeFileSync(truncated, whole.subarray(0, whole.length >> 1));
    // With a checksum, so that damage anywhere is detectable.
    const corrupt = join(dir, "corrupt.jsonl.zst");
    const bad = zlib.zstdCompressSync(enc.encode(t), { params: { [zlib.constants.ZSTD_c_checksumFlag]: 1 } });
    for (let i = 1000; i < 1100; i++) bad[i] ^= 0x5a;
    writeFileSync(corrupt, bad);
    for (const inPlace of [true, false]) {
      useZstdInPlace(inPlace);
      for (const f of [truncated, corrupt]) {
        const err = await allLines(f).then(
          () => null,
          (e) => e,
        );
        expect(err).toBeInstanceOf(InputError);
        expect(String(err.message)).toContain(f);
      }
    }
  });

  test("readItemLineBytes gives the stored bytes of each non-blank line", async () => {
    const got: string[] = [];
    for await (const lines of readItemLineBytes(zst)) for (const l of lines) got.push(Buffer.from(l).toString("utf8"));
    expect(got).toEqual(expected.filter((l) => l.trim().length > 0));
  });
});

describe("ZstdTextWriter", () => {
  test("write, writeBytes and writeWith give one frame of exactly the bytes written, over many reused buffers", async () => {
    const path = join(dir, "w.jsonl.zst");
    const w = new ZstdTextWriter(path);
    const parts: Buffer[] = [];
    const s = nlpSentences();
    for (let i = 0; i < 80_000; i++) {
      const line = `${s[i % s.length]} ${i}\n`;
      if (i % 3 === 0) await w.write(line);
      else if (i % 3 === 1) await w.writeBytes(enc.encode(line));
      else await writeJsonString(w, line, "[", "]\n");
      parts.push(Buffer.from(i % 3 === 2 ? `[${JSON.stringify(line)}]\n` : line));
      if (i === 30_000) {
        const big = "é".repeat(2 << 20) + "\n"; // over one buffer: written in pieces
        await w.write(big);
        parts.push(Buffer.from(big));
      }
    }
    await w.finish();
    const file = readFileSync(path);
    const expected = Buffer.concat(parts);
    expect(expected.length).toBeGreaterThan(3 * (3 << 20));
    expect(zlib.zstdDecompressSync(file).equals(expected)).toBe(true);
    expect(w.bytesIn).toBe(expected.length);
    expect(w.digest().sha256).toBe(new Bun.CryptoHasher("sha256").update(file).digest("hex"));
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  test("one frame, the same bytes for 1, 2 or 3 compressing threads and however the text is cut", async () => {
    const s = nlpSentences();
    const lines: string[] = [];
    for (let i = 0; i < 300_000; i++) lines.push(`${s[i % s.length]} ${i}\n`);
    const whole = Buffer.from(lines.join(""));
    expect(whole.length).toBeGreaterThan(20 << 20); // several of zstd's jobs
    const files: Buffer[] = [];
    for (const [threads, cut] of [
      [1, 0],
      [2, 1],
      [3, 2],
      [2, 0],
    ] as const) {
      const path = join(dir, `threads-${threads}-${cut}.zst`);
      const w = new ZstdTextWriter(path, 3, threads);
      if (cut === 0) for (const l of lines) await w.write(l);
      else if (cut === 1) await w.writeBytes(whole);
      else for (let at = 0; at < whole.length; at += 777_777) await w.writeBytes(whole.subarray(at, at + 777_777));
      await w.finish();
      files.push(readFileSync(path));
    }
    for (const f of files.slice(1)) expect(f.equals(files[0]!)).toBe(true);
    const walker = new ZstdFrameWalker();
    walker.push(files[0]!);
    expect(walker.finish()).toBeNull();
    expect(walker.frames).toBe(1);
    expect(zlib.zstdDecompressSync(files[0]!).equals(whole)).toBe(true);
  });

  test("abort leaves no file, temporary or final", async () => {
    const sub = join(dir, "aborted");
    mkdirSync(sub);
    const w = new ZstdTextWriter(join(sub, "x.jsonl.zst"), 3, 2);
    await w.writeBytes(new Uint8Array(9 << 20).fill(65));
    await w.abort();
    expect(readdirSync(sub)).toEqual([]);
  });

  test("a file that cannot be created fails the writer with the path in the message", () => {
    const notADir = join(dir, "plain-file");
    writeFileSync(notADir, "x");
    expect(() => new ZstdTextWriter(join(notADir, "x.jsonl.zst"))).toThrow(/plain-file\/x\.jsonl\.zst/);
  });

  test("writeWith refuses more than one buffer and a fill that ends outside it", async () => {
    const w = new ZstdTextWriter(join(dir, "refuse.jsonl.zst"));
    await expect(w.writeWith(ZstdTextWriter.BUFFER_BYTES + 1, (_b, at) => at)).rejects.toBeInstanceOf(RangeError);
    await expect(w.writeWith(10, (b) => b.length + 1)).rejects.toBeInstanceOf(RangeError);
    await w.abort();
    expect(readdirSync(dir).filter((f) => f.startsWith("refuse"))).toEqual([]);
  });
});
