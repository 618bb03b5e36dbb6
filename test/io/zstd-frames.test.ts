import { describe, expect, test } from "bun:test";
import zlib from "node:zlib";
import { ZstdFrameWalker } from "../../src/io/zstd-frames.ts";
import { brownFiles, brownParagraphs } from "../../scripts/lib/brown.ts";

const text = Buffer.from(
  brownFiles()
    .slice(0, 3)
    .flatMap((f) => brownParagraphs(f))
    .join("\n"),
);

function walk(bytes: Uint8Array, chunk = 977): string | null {
  const w = new ZstdFrameWalker();
  for (let i = 0; i < bytes.length; i += chunk) w.push(bytes.subarray(i, i + chunk));
  return w.finish();
}

describe("zstd frame walker", () => {
  const plain = zlib.zstdCompressSync(text);
  const checked = zlib.zstdCompressSync(text, {
    params: { [zlib.constants.ZSTD_c_checksumFlag]: 1, [zlib.constants.ZSTD_c_compressionLevel]: 9 },
  });
  const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);

  test("accepts complete streams: one frame, with checksum, several frames and skippable frames", () => {
    expect(walk(plain)).toBeNull();
    expect(walk(checked)).toBeNull();
    expect(walk(Buffer.concat([plain, skippable, checked]), 64)).toBeNull();
    const w = new ZstdFrameWalker();
    w.push(Buffer.concat([plain, checked]));
    expect(w.finish()).toBeNull();
    expect(w.frames).toBe(2);
  });

  test("reports every truncation point of a stream as truncated", () => {
    const stream = Buffer.concat([plain, checked]);
    const cuts = [1, 4, 5, 7, 100, plain.length - 1, plain.length + 3, stream.length - 4, stream.length - 1];
    for (const cut of cuts) expect(walk(stream.subarray(0, cut))).not.toBeNull();
  });

  test("rejects data that is not zstd", () => {
    expect(walk(Buffer.from("plain text, not compressed"))).toContain("bad magic");
    expect(walk(new Uint8Array(0))).toContain("no complete");
  });
});
