/**
 * A Stack Exchange dump's Posts.xml (plain, or inside SITE.7z through the
 * system 7z) as one record per question thread: the question, then its
 * answers by score (highest first, ties by lower id), HTML turned into text
 * with code blocks kept.
 *
 * Memory: answers may come before or after their question anywhere in the
 * file, so threads are put together in two passes over disk, not in memory.
 * Pass 1 streams the XML once and appends every post (already converted to
 * text) to a temp bucket file chosen by its thread id (the question's id, or
 * an answer's ParentId): bucket = floor(threadId / idsPerBucket). Pass 2
 * reads the buckets in ascending order, one at a time, and emits threads in
 * ascending question id. Peak memory is one bucket (at most idsPerBucket
 * thread ids' posts, 65536 by default) plus the write buffers (32 MiB),
 * whatever the dump's size; the output order does not depend on the bucket
 * size. Temp files are removed at the end, also when the reader is stopped.
 *
 * Licences: a post's ContentLicense attribute when the dump has it, else the
 * date rule Stack Exchange published: before 2011-04-08 CC BY-SA 2.5, before
 * 2018-05-02 CC BY-SA 3.0, after that CC BY-SA 4.0, using the date of the
 * post's last edit (an edit republishes the post) or else its creation. A
 * thread carries the newest version among its posts (the BY-SA licences
 * allow adaptations under a later version) and the per-post list.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { ConfigError } from "../errors.ts";
import { htmlToText } from "./html-text.ts";
import { bumpCounter, excerptOf, reject, type Counters, type RawRecord, type RejectHandler } from "./raw-record.ts";
import { sevenZipMember } from "./seven-zip.ts";
import { fileChunks } from "./text-lines.ts";
import { xmlRows } from "./xml-rows.ts";

export interface StackExchangeOptions {
  /** Drop questions (with their threads) and answers whose Score is below this. */
  minScore?: number;
  /** Site name, e.g. "cooking.stackexchange.com" (default: from the file or directory name). */
  site?: string;
  /** Where the bucket files go (default: the system temp dir). */
  tmpDir?: string;
  /** Thread ids per bucket (default 65536): the memory bound of pass 2. */
  idsPerBucket?: number;
  onReject?: RejectHandler;
  counters?: Counters;
  /** Path of the 7z binary (default: found on PATH). */
  sevenZip?: string;
}

interface Post {
  k: "q" | "a";
  id: number;
  parent?: number;
  score: number;
  created: string | null;
  license: string;
  title?: string;
  tags?: string[];
  accepted?: number;
  text: string;
  line: number;
}

const DAY_3_0 = "2011-04-08";
const DAY_4_0 = "2018-05-02";
const FLUSH_BUCKET_CHARS = 1 << 20;
const FLUSH_ALL_CHARS = 32 << 20;

/** The CC BY-SA version for a post published (or last edited) at `isoDate` (UTC). */
export function licenseForDate(isoDate: string): string {
  const day = isoDate.slice(0, 10);
  if (day < DAY_3_0) return "CC-BY-SA-2.5";
  if (day < DAY_4_0) return "CC-BY-SA-3.0";
  return "CC-BY-SA-4.0";
}

/** "CC BY-SA 4.0" (the dump's ContentLicense) -> "CC-BY-SA-4.0"; null when not a CC BY-SA value. */
export function normalizeContentLicense(v: string | undefined): string | null {
  const m = v?.match(/^CC BY-SA (\d\.\d)$/);
  return m ? `CC-BY-SA-${m[1]}` : null;
}

/** The site a dump path belongs to: "x.stackexchange.com.7z", "stackoverflow.com-Posts.7z" or ".../x.stackexchange.com/Posts.xml". */
export function siteFromPath(input: string): string {
  const name = basename(input);
  if (/\.7z$/i.test(name)) return name.replace(/\.7z$/i, "").replace(/-Posts$/i, "");
  const dir = /\.xml$/i.test(name) ? basename(dirname(input)) : name;
  return dir || "unknown";
}

/** Tags as stored: "<a><b>" (older dumps) or "|a|b|" (newer). */
export function parseTags(v: string | undefined): string[] {
  if (!v) return [];
  const angle = [...v.matchAll(/<([^<>]+)>/g)].map((m) => m[1]);
  return angle.length ? angle : v.split("|").filter(Boolean);
}

function isoUtc(v: string | undefined): string | null {
  if (!v || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(v)) return null;
  return /(Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v}Z`;
}

function intAttr(v: string | undefined): number | null {
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null;
}

function licenseRank(l: string): number {
  return Number(l.slice(-3));
}

function postsSource(input: string, opts: StackExchangeOptions): { chunks: AsyncIterable<Uint8Array>; label: string } {
  if (/\.7z$/i.test(input)) return { chunks: sevenZipMember(input, "Posts.xml", { binary: opts.sevenZip }), label: `${input}!Posts.xml` };
  let path = input;
  try {
    if (statSync(input).isDirectory()) path = join(input, "Posts.xml");
  } catch {
    throw new ConfigError(`${input}: no such file; pass Posts.xml, the site's .7z archive, or the directory holding Posts.xml`, {
      code: "missing_input",
    });
  }
  return { chunks: fileChunks(path), label: path };
}

class Buckets {
  private buf = new Map<number, string[]>();
  private sizes = new Map<number, number>();
  private total = 0;
  constructor(readonly dir: string) {}
  add(bucket: number, line: string): void {
    const b = this.buf.get(bucket) ?? [];
    b.push(line);
    this.buf.set(bucket, b);
    const s = (this.sizes.get(bucket) ?? 0) + line.length + 1;
    this.sizes.set(bucket, s);
    this.total += line.length + 1;
    if (s >= FLUSH_BUCKET_CHARS) this.flush(bucket);
    else if (this.total >= FLUSH_ALL_CHARS) for (const k of [...this.buf.keys()]) this.flush(k);
  }
  flush(bucket: number): void {
    const b = this.buf.get(bucket);
    if (!b?.length) return;
    appendFileSync(join(this.dir, `${bucket}.jsonl`), `${b.join("\n")}\n`);
    this.total -= this.sizes.get(bucket) ?? 0;
    this.buf.delete(bucket);
    this.sizes.delete(bucket);
  }
  flushAll(): void {
    for (const k of [...this.buf.keys()]) this.flush(k);
  }
  ids(): number[] {
    return readdirSync(this.dir)
      .map((f) => Number(f.replace(/\.jsonl$/, "")))
      .sort((a, b) => a - b);
  }
}

/** Pass 1: every question and answer row into its thread's bucket. */
async function bucketPosts(
  label: string,
  chunks: AsyncIterable<Uint8Array>,
  buckets: Buckets,
  perBucket: number,
  opts: StackExchangeOptions,
): Promise<void> {
  const bad = (line: number, message: string, excerpt?: string) =>
    reject(opts.onReject, { location: `${label}:${line}`, reason: "broken_row", message, excerpt });
  for await (const { attrs, line } of xmlRows(chunks, { onBroken: (b) => bad(b.line, b.message, excerptOf(b.excerpt)) })) {
    const id = intAttr(attrs.Id);
    const type = attrs.PostTypeId;
    if (id === null || id <= 0) {
      bad(line, "row without a valid Id");
      continue;
    }
    if (type !== "1" && type !== "2") {
      bumpCounter(opts.counters, `skipped_post_type_${type ?? "none"}`);
      continue;
    }
    const score = attrs.Score === undefined ? 0 : intAttr(attrs.Score);
    if (score === null) {
      bad(line, `post ${id}: Score "${attrs.Score}" is not an integer`);
      continue;
    }
    const created = isoUtc(attrs.CreationDate);
    const license =
      normalizeContentLicense(attrs.ContentLicense) ?? (created ? licenseForDate(isoUtc(attrs.LastEditDate) ?? created) : null);
    if (!license) {
      bad(line, `post ${id}: no ContentLicense and no CreationDate, so its licence is unknown`);
      continue;
    }
    const post: Post = { k: type === "1" ? "q" : "a", id, score, created, license, text: htmlToText(attrs.Body ?? ""), line };
    if (post.k === "a") {
      const parent = intAttr(attrs.ParentId);
      if (parent === null || parent <= 0) {
        bad(line, `answer ${id} has no valid ParentId`);
        continue;
      }
      post.parent = parent;
    } else {
      post.title = attrs.Title ?? "";
      post.tags = parseTags(attrs.Tags);
      const acc = intAttr(attrs.AcceptedAnswerId);
      if (acc !== null) post.accepted = acc;
    }
    bumpCounter(opts.counters, post.k === "q" ? "questions" : "answers");
    const thread = post.parent ?? id;
    buckets.add(Math.floor(thread / perBucket), JSON.stringify(post));
  }
  buckets.flushAll();
}

/** Records with fields id, text, title, site, url, license_tag, post_licenses, created_at, tags, score, answer_count, answer_ids. */
export async function* readStackExchange(input: string, opts: StackExchangeOptions = {}): AsyncGenerator<RawRecord> {
  const perBucket = opts.idsPerBucket ?? 65536;
  if (!(Number.isInteger(perBucket) && perBucket > 0)) throw new ConfigError(`idsPerBucket must be a positive integer, got ${perBucket}`);
  if (opts.minScore !== undefined && !Number.isFinite(opts.minScore))
    throw new ConfigError(`--min-score must be a number, got ${opts.minScore}`);
  const site = opts.site ?? siteFromPath(input);
  const minScore = opts.minScore ?? -Infinity;
  const { chunks, label } = postsSource(input, opts);
  const dir = mkdtempSync(join(opts.tmpDir ?? tmpdir(), "gamma-se-"));
  try {
    const buckets = new Buckets(dir);
    await bucketPosts(label, chunks, buckets, perBucket, opts);
    for (const b of buckets.ids()) {
      const questions = new Map<number, Post>();
      const answers = new Map<number, Post[]>();
      for (const l of readFileSync(join(dir, `${b}.jsonl`), "utf8").split("\n")) {
        if (!l) continue;
        const p = JSON.parse(l) as Post;
        if (p.k === "a") {
          const list = answers.get(p.parent!) ?? [];
          list.push(p);
          answers.set(p.parent!, list);
        } else if (questions.has(p.id)) {
          reject(opts.onReject, {
            location: `${label}:${p.line}`,
            reason: "duplicate_id",
            message: `question ${p.id} appears twice (first at line ${questions.get(p.id)!.line})`,
          });
        } else questions.set(p.id, p);
      }
      for (const [parent, list] of answers) {
        if (questions.has(parent)) continue;
        for (const a of list) {
          reject(opts.onReject, {
            location: `${label}:${a.line}`,
            reason: "orphan_answer",
            message: `answer ${a.id} points to question ${parent}, which is not in the file`,
          });
        }
      }
      for (const q of [...questions.values()].sort((x, y) => x.id - y.id)) {
        const all = answers.get(q.id) ?? [];
        if (q.score < minScore) {
          bumpCounter(opts.counters, "questions_below_min_score");
          bumpCounter(opts.counters, "answers_of_dropped_questions", all.length);
          continue;
        }
        const kept = all.filter((a) => a.score >= minScore).sort((x, y) => y.score - x.score || x.id - y.id);
        bumpCounter(opts.counters, "answers_below_min_score", all.length - kept.length);
        bumpCounter(opts.counters, "threads");
        const parts = [q.title ? `${q.title}\n\n${q.text}` : q.text, ...kept.map((a) => a.text)];
        const licenses = [...new Set([q.license, ...kept.map((a) => a.license)])].sort();
        const newest = licenses.reduce((m, l) => (licenseRank(l) > licenseRank(m) ? l : m));
        yield {
          fields: {
            id: `${site}/questions/${q.id}`,
            text: parts.join("\n\n---\n\n"),
            title: q.title,
            site,
            url: `https://${site}/questions/${q.id}`,
            license_tag: newest,
            post_licenses: licenses,
            created_at: q.created,
            tags: q.tags ?? [],
            score: q.score,
            accepted_answer_id: q.accepted ?? null,
            answer_count: kept.length,
            answer_ids: kept.map((a) => a.id),
          },
          location: `${label}:${q.line}`,
        };
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
