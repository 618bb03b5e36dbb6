/**
 * The I/O floor of a JSONL stage: zstd-decode every file and JSON.parse every
 * line, with one worker per file up to --threads, and nothing else. Prints
 * {"bytes": uncompressed bytes, "lines": n}.
 *   bun run bench/floor-io.ts --threads 2 FILE...
 */
import { readFileSync } from "node:fs";
import zlib from "node:zlib";

declare const self: Worker | undefined;

function parseFile(path: string): { bytes: number; lines: number } {
  const buf = zlib.zstdDecompressSync(readFileSync(path));
  const text = buf.toString("utf8");
  let lines = 0;
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const line = nl < 0 ? text.slice(start) : text.slice(start, nl);
    if (line.length > 0) {
      try {
        JSON.parse(line);
      } catch {}
      lines++;
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return { bytes: buf.length, lines };
}

if (typeof Bun !== "undefined" && !Bun.isMainThread) {
  (globalThis as unknown as Worker).onmessage = (ev: MessageEvent<string>) =>
    (globalThis as unknown as Worker).postMessage(parseFile(ev.data));
} else {
  const args = process.argv.slice(2);
  const ti = args.indexOf("--threads");
  const threads = ti >= 0 ? Number(args.splice(ti, 2)[1]) : 1;
  const files = args;
  let next = 0;
  let bytes = 0;
  let lines = 0;
  const lane = () =>
    new Promise<void>((resolve) => {
      const w = new Worker(new URL(import.meta.url).href);
      const go = () => {
        if (next >= files.length) {
          w.terminate();
          return resolve();
        }
        w.postMessage(files[next++]);
      };
      w.onmessage = (ev: MessageEvent<{ bytes: number; lines: number }>) => {
        bytes += ev.data.bytes;
        lines += ev.data.lines;
        go();
      };
      go();
    });
  await Promise.all(Array.from({ length: Math.min(threads, files.length) }, lane));
  console.log(JSON.stringify({ bytes, lines }));
}
