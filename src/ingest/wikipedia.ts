/**
 * WikiExtractor output as raw records, from one file or a directory tree
 * (AA/wiki_00, AA/wiki_01, AB/..., walked in sorted order). Both forms:
 *   text:  <doc id=".." url=".." title="..">  article lines  </doc>
 *   json:  one {"id","url","title","text"} object per line (--json)
 * The form is chosen per file by its first non-blank line. Files ending in
 * .gz are gunzipped. bzip2 (--compress) is refused with a clear message:
 * Bun has no bzip2 decoder, and gamma adds no native dependency for it.
 * Broken input (an unclosed <doc>, a stray </doc>, text outside any doc, a
 * bad JSON line) becomes a reject with file:line; reading goes on.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.ts";
import { bumpCounter, excerptOf, reject, type Counters, type RawRecord, type RejectHandler } from "./raw-record.ts";
import { fileChunks, gunzipChunks, textLines } from "./text-lines.ts";

export interface WikiOptions {
  onReject?: RejectHandler;
  counters?: Counters;
}

/** A document larger than this is rejected rather than held in memory. */
const MAX_DOC_CHARS = 64 * 1024 * 1024;

/** The files under `input` (or `input` itself), hidden entries skipped, in sorted path order. */
export function wikiFiles(input: string): string[] {
  let st;
  try {
    st = statSync(input);
  } catch {
    throw new InputError(`${input}: no such file or directory; pass the WikiExtractor output directory or one of its files`, {
      code: "missing_input",
    });
  }
  if (st.isFile()) return [input];
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.name.startsWith("."))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(input);
  return out;
}

function attr(tag: string, name: string): string | undefined {
  return tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
}

/** Attributes of a `<doc ...>` line; the title runs to the last `">` (WikiExtractor does not escape quotes in it). */
export function parseDocTag(line: string): { id: string; url?: string; title?: string; revid?: string } | null {
  const m = line.match(/^<doc\s(.*)>\s*$/);
  if (!m) return null;
  const tag = ` ${m[1]}`;
  const id = attr(tag, "id");
  if (id === undefined) return null;
  const title = tag.match(/\stitle="(.*)"\s*$/)?.[1];
  return { id, url: attr(tag, "url"), title, revid: attr(tag, "revid") };
}

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

async function* fileLines(path: string): AsyncGenerator<{ line: number; text: string }> {
  if (/\.bz2$/i.test(path)) {
    throw new InputError(
      `${path} is bzip2-compressed, which gamma cannot decode; decompress first (bunzip2 -k ${path}) or run WikiExtractor without --compress`,
      { code: "bz2_unsupported" },
    );
  }
  let bytes = fileChunks(path);
  if (/\.gz$/i.test(path)) bytes = gunzipChunks(bytes);
  yield* textLines(bytes);
}

async function* jsonForm(
  path: string,
  lines: AsyncGenerator<{ line: number; text: string }>,
  first: { line: number; text: string },
  opts: WikiOptions,
): AsyncGenerator<RawRecord> {
  for (let cur: { line: number; text: string } | undefined = first; cur; cur = (await lines.next()).value || undefined) {
    if (cur.text.trim() === "") continue;
    const location = `${path}:${cur.line}`;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(cur.text);
    } catch (e) {
      reject(opts.onReject, {
        location,
        reason: "bad_json",
        message: `not JSON (${e instanceof Error ? e.message : e})`,
        excerpt: excerptOf(cur.text),
      });
      continue;
    }
    if (v === null || typeof v !== "object" || typeof v.text !== "string") {
      reject(opts.onReject, {
        location,
        reason: "missing_text",
        message: 'a WikiExtractor JSON line needs a string "text"',
        excerpt: excerptOf(cur.text),
      });
      continue;
    }
    bumpCounter(opts.counters, "docs");
    yield {
      fields: withoutUndefined({
        id: v.id === undefined ? undefined : String(v.id),
        url: v.url,
        title: v.title,
        revid: v.revid,
        text: v.text,
      }),
      location,
    };
  }
}

async function* textForm(
  path: string,
  lines: AsyncGenerator<{ line: number; text: string }>,
  first: { line: number; text: string },
  opts: WikiOptions,
): AsyncGenerator<RawRecord> {
  let open: { tag: NonNullable<ReturnType<typeof parseDocTag>>; line: number; body: string[]; chars: number } | null = null;
  let outsideReported = false;
  const unclosed = (o: NonNullable<typeof open>, why: string) =>
    reject(opts.onReject, {
      location: `${path}:${o.line}`,
      reason: "unclosed_doc",
      message: `<doc id="${o.tag.id}"> is not closed (${why}); the article is skipped`,
    });
  for (let cur: { line: number; text: string } | undefined = first; cur; cur = (await lines.next()).value || undefined) {
    const { line, text } = cur;
    if (text.startsWith("<doc ")) {
      const tag = parseDocTag(text);
      if (!tag) {
        reject(opts.onReject, {
          location: `${path}:${line}`,
          reason: "bad_doc_tag",
          message: "a <doc> tag without an id",
          excerpt: excerptOf(text),
        });
        continue;
      }
      if (open) unclosed(open, `a new <doc> starts at line ${line}`);
      open = { tag, line, body: [], chars: 0 };
      outsideReported = false;
    } else if (text.trim() === "</doc>") {
      if (!open) {
        reject(opts.onReject, { location: `${path}:${line}`, reason: "stray_close", message: "</doc> without an open <doc>" });
        continue;
      }
      if (open.chars > MAX_DOC_CHARS) {
        reject(opts.onReject, {
          location: `${path}:${open.line}`,
          reason: "doc_too_large",
          message: `article longer than ${MAX_DOC_CHARS} characters`,
        });
      } else {
        bumpCounter(opts.counters, "docs");
        const { id, url, title, revid } = open.tag;
        yield { fields: withoutUndefined({ id, url, title, revid, text: open.body.join("\n").trim() }), location: `${path}:${open.line}` };
      }
      open = null;
    } else if (open) {
      open.chars += text.length + 1;
      if (open.chars <= MAX_DOC_CHARS) open.body.push(text);
    } else if (text.trim() !== "" && !outsideReported) {
      reject(opts.onReject, {
        location: `${path}:${line}`,
        reason: "text_outside_doc",
        message: "text outside any <doc>",
        excerpt: excerptOf(text),
      });
      outsideReported = true;
    }
  }
  if (open) unclosed(open, "the file ends first");
}

/** Records with fields id, url, title, text (and revid when present); location is file:line of the <doc> tag or JSON line. */
export async function* readWikiExtractor(input: string, opts: WikiOptions = {}): AsyncGenerator<RawRecord> {
  for (const path of wikiFiles(input)) {
    const lines = fileLines(path);
    let first = (await lines.next()).value;
    while (first && first.text.trim() === "") first = (await lines.next()).value;
    if (!first) continue;
    bumpCounter(opts.counters, "files");
    if (first.text.trimStart().startsWith("{")) yield* jsonForm(path, lines, first, opts);
    else yield* textForm(path, lines, first, opts);
  }
}
