/**
 * Writing the corpus shards (one zstd frame per file, written under a temporary name and
 * renamed) and reading them back to check that every line is what the plan says it is.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import zlib from "node:zlib";

/** A line without its newline: text, or bytes when it must carry invalid UTF-8. */
export type Line = string | Uint8Array;

export type LineClass = "doc" | "nul" | "invalid_utf8" | "malformed_json" | "missing_text" | "not_an_object";

export interface ExpectedLine {
  cls: LineClass;
  id?: string;
  origin?: string;
}

export const ZSTD_LEVEL = 3;

/** Lines joined with "\n", each line ended by one. */
export function assemble(lines: Line[]): Buffer {
  const chunks: Buffer[] = [];
  let strs: string[] = [];
  const flush = () => {
    if (strs.length > 0) chunks.push(Buffer.from(strs.join(""), "utf8"));
    strs = [];
  };
  for (const line of lines) {
    if (typeof line === "string") strs.push(line, "\n");
    else {
      flush();
      chunks.push(Buffer.from(line), Buffer.from("\n"));
    }
  }
  flush();
  return Buffer.concat(chunks);
}

export function zstd(buf: Buffer): Buffer {
  return zlib.zstdCompressSync(buf, { params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } });
}

export function sha256(buf: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(buf).digest("hex");
}

export function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const fatal = new TextDecoder("utf-8", { fatal: true });
const lossy = new TextDecoder("utf-8");

/** What a line is, as a reader would see it. */
export function classifyLine(line: Uint8Array): { cls: LineClass; id?: string; origin?: string; textBytes: number } {
  let s: string;
  let badUtf8 = false;
  try {
    s = fatal.decode(line);
  } catch {
    s = lossy.decode(line);
    badUtf8 = true;
  }
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return { cls: "malformed_json", textBytes: 0 };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { cls: "not_an_object", textBytes: 0 };
  const rec = v as Record<string, unknown>;
  const id = typeof rec.id === "string" ? rec.id : undefined;
  const origin = typeof rec.origin === "string" ? rec.origin : undefined;
  if (typeof rec.text !== "string") return { cls: "missing_text", id, origin, textBytes: 0 };
  const textBytes = Buffer.byteLength(rec.text, "utf8");
  if (badUtf8) return { cls: "invalid_utf8", id, origin, textBytes };
  return { cls: rec.text.includes("\u0000") ? "nul" : "doc", id, origin, textBytes };
}

/**
 * Reads a written shard back, checks it decompresses to `plainSha` and that line i is of the
 * class, id and origin `expected[i]` says. Returns the text bytes of the valid-UTF-8 documents.
 */
export function verifyShard(path: string, plainSha: string, expected: ExpectedLine[]): number {
  const plain = zlib.zstdDecompressSync(readFileSync(path));
  if (sha256(plain) !== plainSha)
    throw new Error(`make-corpus: ${path} does not decompress to the bytes written; rerun, and report a Bun zstd bug if it persists`);
  let start = 0;
  let n = 0;
  let textBytes = 0;
  for (let i = 0; i < plain.length; i++) {
    if (plain[i] !== 0x0a) continue;
    const got = classifyLine(plain.subarray(start, i));
    const want = expected[n];
    if (want === undefined) throw new Error(`make-corpus: ${path} has more lines than planned (${expected.length})`);
    const ok =
      got.cls === want.cls && (want.id === undefined || got.id === want.id) && (want.origin === undefined || got.origin === want.origin);
    if (!ok)
      throw new Error(
        `make-corpus: ${path}:${n + 1} reads as ${got.cls} (${got.id}, ${got.origin}) but was planned as ${want.cls} (${want.id}, ${want.origin})`,
      );
    if (got.cls === "doc" || got.cls === "nul") textBytes += got.textBytes;
    n++;
    start = i + 1;
  }
  if (start !== plain.length || n !== expected.length)
    throw new Error(`make-corpus: ${path} has ${n} complete lines, planned ${expected.length}`);
  return textBytes;
}
