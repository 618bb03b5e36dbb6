/**
 * `--format files`: source trees as documents, one per file. Each --input
 * pattern ('repo/**\/*', or a directory, meaning everything under it) has a
 * root, the directory before its first glob character; a file's doc_id is
 * its path relative to that root. Files are taken in byte order of that
 * path and cut into shards of FILES_PER_SHARD, pattern after pattern, so the
 * shards depend only on the tree. Binary files (a NUL byte in the first
 * 8,000, as git decides) and files over --max-file-bytes are rejected with
 * `binary_file` and `file_too_large`.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { globToRegExp } from "../ingest/path-glob.ts";
import type { FileDigest } from "../io/hash.ts";
import { byteOrder, expandInputs, patternRoot } from "../io/glob.ts";
import type { SourceItem } from "../stages/normalize-core.ts";

export const FILES_PER_SHARD = 2000;
export const DEFAULT_MAX_FILE_BYTES = 1 << 20;
const BINARY_PROBE = 8000;

/** One shard's files: paths relative to `root`, in byte order. */
export interface FileChunk {
  root: string;
  files: string[];
  maxBytes: number;
}

/**
 * .gitignore-style excludes: a pattern with no "/" but a trailing one matches
 * a name at any depth ("node_modules/", "*.min.js"); one with a "/" matches
 * from the root ("/build", "docs/generated/"); a trailing "/" matches only
 * directories; "**" crosses directories. "!" (re-include) is not supported.
 */
export function excludeMatcher(patterns: string[]): (rel: string) => boolean {
  const res = patterns.map((p) => {
    if (p.startsWith("!")) throw new ConfigError(`--exclude ${p}: re-including ("!") is not supported; list only what to leave out`);
    const dirOnly = p.endsWith("/");
    let body = dirOnly ? p.slice(0, -1) : p;
    const anchored = body.includes("/");
    if (body.startsWith("/")) body = body.slice(1);
    if (body === "") throw new ConfigError(`--exclude ${JSON.stringify(p)}: empty pattern`);
    const core = globToRegExp(body).source.slice(1, -1);
    return new RegExp(`${anchored ? "^" : "(?:^|/)"}${core}${dirOnly ? "/" : "(?:/|$)"}`);
  });
  return (rel) => res.some((re) => re.test(rel));
}

/** The shards' file lists for the --input patterns, in order. */
export function planFileChunks(patterns: string[], exclude: string[], maxBytes: number, perShard = FILES_PER_SHARD): FileChunk[] {
  const excluded = excludeMatcher(exclude);
  const seen = new Set<string>();
  const chunks: FileChunk[] = [];
  for (const raw of patterns) {
    const isDir = existsSync(raw) && statSync(raw).isDirectory();
    const pattern = isDir ? join(raw, "**", "*") : raw;
    const root = resolve(isDir ? raw : patternRoot(pattern));
    const files = expandInputs([pattern], { what: "source files", dataOnly: false })
      .map((f) => relative(root, f).split("\\").join("/"))
      .filter((rel) => !excluded(rel) && !seen.has(join(root, rel)));
    files.sort(byteOrder);
    for (const rel of files) seen.add(join(root, rel));
    for (let i = 0; i < files.length; i += perShard) chunks.push({ root, files: files.slice(i, i + perShard), maxBytes });
  }
  if (chunks.length === 0)
    throw new ConfigError(`no source files left in ${patterns.join(" ")} after --exclude ${exclude.join(" ")}`, { code: "empty_glob" });
  return chunks;
}

/**
 * The chunk as one input in the manifest: its root, the total size of its
 * files, and a sha256 over each file's relative path, size and bytes, so a
 * rerun skips the shard only when the same files hold the same bytes.
 */
export async function chunkDigest(c: FileChunk): Promise<FileDigest> {
  const h = new Bun.CryptoHasher("sha256");
  let bytes = 0;
  for (const rel of c.files) {
    const data = await Bun.file(join(c.root, rel)).bytes();
    h.update(`${rel}\u0000${data.length}\u0000`);
    h.update(data);
    bytes += data.length;
  }
  return { path: c.root, sha256: h.digest("hex"), bytes };
}

function isBinary(head: Uint8Array): boolean {
  return head.subarray(0, BINARY_PROBE).includes(0);
}

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder("utf-8", { ignoreBOM: true });

/** The chunk's files as records {text, path}, or rejects with reasons. */
export async function* fileItems(c: FileChunk, batchSize = 256): AsyncGenerator<SourceItem[]> {
  let batch: SourceItem[] = [];
  for (let i = 0; i < c.files.length; i++) {
    const rel = c.files[i]!;
    const abs = join(c.root, rel);
    const ordinal = i + 1;
    const size = statSync(abs).size;
    if (size > c.maxBytes) {
      batch.push({
        reject: "file_too_large",
        detail: `${size} bytes > --max-file-bytes ${c.maxBytes}`,
        ordinal,
        location: abs,
        docId: rel,
      });
    } else {
      const data = readAll(abs, size);
      if (isBinary(data)) {
        batch.push({ reject: "binary_file", detail: `a NUL byte in the first ${BINARY_PROBE} bytes`, ordinal, location: abs, docId: rel });
      } else {
        let text: string;
        let invalidUtf8 = false;
        try {
          text = strict.decode(data);
        } catch {
          text = lossy.decode(data);
          invalidUtf8 = true;
        }
        batch.push({ fields: { text, path: rel }, ordinal, location: abs, ...(invalidUtf8 ? { invalidUtf8 } : {}) });
      }
    }
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function readAll(path: string, size: number): Uint8Array {
  const buf = new Uint8Array(size);
  const fd = openSync(path, "r");
  try {
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}
