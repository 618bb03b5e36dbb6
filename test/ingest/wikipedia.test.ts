import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { InputError } from "../../src/errors.ts";
import type { Counters, RawRecord, RawReject } from "../../src/ingest/raw-record.ts";
import { parseDocTag, readWikiExtractor } from "../../src/ingest/wikipedia.ts";
import { brownParagraphs } from "./corpus-text.ts";

const root = mkdtempSync(join(tmpdir(), "gamma-wiki-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Article {
  id: string;
  title: string;
  paragraphs: string[];
}

const articles: Article[] = ["ca01", "ca02", "cb01", "cc01", "cd01", "ce01"].map((f, i) => ({
  id: String(12 + i * 7),
  title: ["Atlanta primary election", "Texas legislature", 'Editorial: the "new" frontier', "Book reviews", "Religion", "Hobbies"][i],
  paragraphs: brownParagraphs(f).slice(0, 3),
}));

function textDoc(a: Article): string {
  return `<doc id="${a.id}" url="https://en.wikipedia.org/wiki?curid=${a.id}" title="${a.title}">\n${a.title}\n\n${a.paragraphs.join("\n\n")}\n\n</doc>\n`;
}

function expectedText(a: Article): string {
  return `${a.title}\n\n${a.paragraphs.join("\n\n")}`;
}

async function read(input: string, counters?: Counters) {
  const rejects: RawReject[] = [];
  const out: RawRecord[] = [];
  for await (const r of readWikiExtractor(input, { onReject: (j) => rejects.push(j), counters })) out.push(r);
  return { out, rejects };
}

describe("readWikiExtractor", () => {
  test("reads the text form of a directory tree in sorted order, gzipped files included", async () => {
    const dir = join(root, "text");
    mkdirSync(join(dir, "AA"), { recursive: true });
    mkdirSync(join(dir, "AB"), { recursive: true });
    writeFileSync(join(dir, "AB", "wiki_00"), textDoc(articles[4]) + textDoc(articles[5]));
    writeFileSync(join(dir, "AA", "wiki_01"), textDoc(articles[2]) + textDoc(articles[3]));
    writeFileSync(join(dir, "AA", "wiki_00.gz"), gzipSync(textDoc(articles[0]) + textDoc(articles[1])));
    writeFileSync(join(dir, "AA", ".hidden"), "not an article");
    const counters: Counters = {};
    const { out, rejects } = await read(dir, counters);
    expect(rejects).toEqual([]);
    expect(out.map((r) => r.fields.id)).toEqual(articles.map((a) => a.id));
    expect(out[2].fields).toEqual({
      id: articles[2].id,
      url: `https://en.wikipedia.org/wiki?curid=${articles[2].id}`,
      title: articles[2].title,
      text: expectedText(articles[2]),
    });
    expect(out[2].location).toBe(`${join(dir, "AA", "wiki_01")}:1`);
    expect(out[3].location).toBe(`${join(dir, "AA", "wiki_01")}:${textDoc(articles[2]).split("\n").length}`);
    expect(counters).toEqual({ files: 3, docs: 6 });
  });

  test("reads the --json form", async () => {
    const p = join(root, "wiki_json");
    writeFileSync(
      p,
      articles
        .slice(0, 3)
        .map((a) => JSON.stringify({ id: a.id, revid: "9" + a.id, url: `u${a.id}`, title: a.title, text: expectedText(a) }))
        .join("\n") + "\n",
    );
    const { out } = await read(p);
    expect(out.map((r) => r.fields)).toEqual(
      articles.slice(0, 3).map((a) => ({ id: a.id, revid: "9" + a.id, url: `u${a.id}`, title: a.title, text: expectedText(a) })),
    );
    expect(out[1].location).toBe(`${p}:2`);
  });

  test("an unclosed <doc> is a reject at its file:line, and reading goes on", async () => {
    const p = join(root, "wiki_unclosed");
    const broken = textDoc(articles[1]).replace("</doc>\n", "");
    const content = textDoc(articles[0]) + broken + textDoc(articles[2]) + broken;
    writeFileSync(p, content);
    const { out, rejects } = await read(p);
    expect(out.map((r) => r.fields.id)).toEqual([articles[0].id, articles[2].id]);
    const line1 = textDoc(articles[0]).split("\n").length;
    const line2 = line1 + broken.split("\n").length - 1 + textDoc(articles[2]).split("\n").length - 1;
    expect(rejects.map((r) => [r.reason, r.location])).toEqual([
      ["unclosed_doc", `${p}:${line1}`],
      ["unclosed_doc", `${p}:${line2}`],
    ]);
    expect(rejects[0].message).toContain("a new <doc> starts");
    expect(rejects[1].message).toContain("the file ends first");
    expect(out[1].fields.text).toBe(expectedText(articles[2]));
  });

  test("without a reject handler an unclosed <doc> throws a RecordError naming file:line", async () => {
    const p = join(root, "wiki_unclosed_strict");
    writeFileSync(p, textDoc(articles[0]).replace("</doc>\n", ""));
    const err = await (async () => {
      for await (const _ of readWikiExtractor(p));
    })().catch((e) => e);
    expect(err.code).toBe("record");
    expect(err.reason).toBe("unclosed_doc");
    expect(err.message).toContain(`${p}:1`);
  });

  test("a stray </doc>, text outside docs and bad JSON lines are rejects", async () => {
    const p = join(root, "wiki_mess");
    writeFileSync(p, `stray words\nmore stray\n</doc>\n${textDoc(articles[0])}`);
    const { out, rejects } = await read(p);
    expect(out.length).toBe(1);
    expect(rejects.map((r) => [r.reason, r.location])).toEqual([
      ["text_outside_doc", `${p}:1`],
      ["stray_close", `${p}:3`],
    ]);
    const j = join(root, "wiki_badjson");
    writeFileSync(
      j,
      `${JSON.stringify({ id: "1", title: "t", text: "x" })}\n{"id": "2", "title": \n${JSON.stringify({ id: "3", title: "t" })}\n`,
    );
    const jr = await read(j);
    expect(jr.out.map((r) => r.fields.id)).toEqual(["1"]);
    expect(jr.rejects.map((r) => [r.reason, r.location])).toEqual([
      ["bad_json", `${j}:2`],
      ["missing_text", `${j}:3`],
    ]);
  });

  test("bzip2 files are refused with what to do", async () => {
    const p = join(root, "wiki_00.bz2");
    writeFileSync(p, "BZh9");
    const err = await read(p).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain("bunzip2 -k");
  });

  test("keeps quotes inside titles", () => {
    expect(parseDocTag('<doc id="5" url="https://x/?curid=5" title="The "Weird" One">')).toEqual({
      id: "5",
      url: "https://x/?curid=5",
      title: 'The "Weird" One',
      revid: undefined,
    });
    expect(parseDocTag('<doc url="x">')).toBeNull();
  });
});
