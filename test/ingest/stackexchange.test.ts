import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/errors.ts";
import type { Counters, RawRecord, RawReject } from "../../src/ingest/raw-record.ts";
import { findSevenZip } from "../../src/ingest/seven-zip.ts";
import { licenseForDate, parseTags, readStackExchange, siteFromPath, type StackExchangeOptions } from "../../src/ingest/stackexchange.ts";
import { sentences } from "./corpus-text.ts";

const root = mkdtempSync(join(tmpdir(), "gamma-se-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const s = sentences(20, 500);
const esc = (v: string) =>
  v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/\n/g, "&#xA;");
const p = (t: string) => `<p>${t}</p>`;
const CODE = 'for i in range(3):\n    print("<%d>" % i)';

function row(a: Record<string, string | number>): string {
  return `  <row ${Object.entries(a)
    .map(([k, v]) => `${k}="${esc(String(v))}"`)
    .join(" ")} />`;
}

const lines = [
  '<?xml version="1.0" encoding="utf-8"?>',
  "<posts>",
  row({
    Id: 21,
    PostTypeId: 2,
    ParentId: 20,
    Score: 3,
    CreationDate: "2019-01-02T10:00:00.000",
    Body: p(s[0]),
    ContentLicense: "CC BY-SA 4.0",
  }), // line 3: answer before its question
  row({
    Id: 10,
    PostTypeId: 1,
    Score: 7,
    AcceptedAnswerId: 12,
    CreationDate: "2010-05-01T08:00:00.000",
    Title: "How do I loop?",
    Tags: "<python><loops>",
    Body: p(s[1]),
  }), // 4
  row({ Id: 11, PostTypeId: 2, ParentId: 10, Score: 5, CreationDate: "2010-05-01T09:00:00.000", Body: p(s[2]) }), // 5
  row({
    Id: 12,
    PostTypeId: 2,
    ParentId: 10,
    Score: 9,
    CreationDate: "2012-01-01T00:00:00.000",
    Body: `${p(s[3])}<pre><code>${esc(CODE)}\n</code></pre>`,
  }), // 6
  '  <row Id="15" PostTypeId="2" ParentId="10" Body="unterminated', // 7: broken
  row({
    Id: 13,
    PostTypeId: 2,
    ParentId: 10,
    Score: 5,
    CreationDate: "2010-06-01T00:00:00.000",
    LastEditDate: "2019-03-01T00:00:00.000",
    Body: p(s[4]),
  }), // 8
  row({ Id: 14, PostTypeId: 2, ParentId: 10, Score: -2, CreationDate: "2010-06-02T00:00:00.000", Body: p(s[5]) }), // 9
  row({ PostTypeId: 1, Score: 1, Body: p("no id") }), // 10: broken (no Id)
  row({
    Id: 20,
    PostTypeId: 1,
    Score: 2,
    CreationDate: "2018-12-31T23:00:00.000",
    Title: "Tea or coffee?",
    Tags: "|tea|coffee|",
    Body: p(s[6]),
    ContentLicense: "CC BY-SA 4.0",
  }), // 11
  row({ Id: 22, PostTypeId: 4, Score: 0, CreationDate: "2012-01-01T00:00:00.000", Body: p("tag wiki excerpt") }), // 12: skipped type
  row({ Id: 30, PostTypeId: 1, Score: -5, CreationDate: "2015-01-01T00:00:00.000", Title: "Bad question", Body: p(s[7]) }), // 13
  row({ Id: 31, PostTypeId: 2, ParentId: 30, Score: 4, CreationDate: "2015-01-02T00:00:00.000", Body: p(s[8]) }), // 14
  row({ Id: 41, PostTypeId: 2, ParentId: 40, Score: 1, CreationDate: "2016-01-02T00:00:00.000", Body: p(s[9]) }), // 15: orphan
  row({ Id: 50, PostTypeId: 1, Score: "many", CreationDate: "2016-01-02T00:00:00.000", Body: p(s[10]) }), // 16: broken score
  "</posts>",
];
const XML = lines.join("\n") + "\n";
const siteDir = join(root, "cooking.stackexchange.com");
mkdirSync(siteDir);
const postsPath = join(siteDir, "Posts.xml");
writeFileSync(postsPath, XML);

async function read(input: string, opts: StackExchangeOptions = {}) {
  const rejects: RawReject[] = [];
  const counters: Counters = {};
  const out: RawRecord[] = [];
  for await (const r of readStackExchange(input, { onReject: (j) => rejects.push(j), counters, ...opts })) out.push(r);
  return { out, rejects, counters };
}

describe("readStackExchange", () => {
  test("makes one document per thread, answers by score then id, wherever they sit in the file", async () => {
    const { out } = await read(postsPath);
    expect(out.map((r) => r.fields.id)).toEqual([
      "cooking.stackexchange.com/questions/10",
      "cooking.stackexchange.com/questions/20",
      "cooking.stackexchange.com/questions/30",
    ]);
    const t = out[0].fields;
    expect(t.answer_ids).toEqual([12, 11, 13, 14]);
    expect(t.text).toBe([`How do I loop?\n\n${s[1]}`, `${s[3]}\n\n\`\`\`\n${CODE}\n\`\`\``, s[2], s[4], s[5]].join("\n\n---\n\n"));
    expect(t.title).toBe("How do I loop?");
    expect(t.tags).toEqual(["python", "loops"]);
    expect(t.url).toBe("https://cooking.stackexchange.com/questions/10");
    expect(t.site).toBe("cooking.stackexchange.com");
    expect(t.created_at).toBe("2010-05-01T08:00:00.000Z");
    expect(t.accepted_answer_id).toBe(12);
    expect(out[0].location).toBe(`${postsPath}:4`);
    expect(out[1].fields.answer_ids).toEqual([21]);
    expect(out[1].fields.tags).toEqual(["tea", "coffee"]);
  });

  test("tags each thread with the CC BY-SA version of its posts' dates, the newest for the thread", async () => {
    const { out } = await read(postsPath);
    // q10 2010 (2.5), a11 2010 (2.5), a12 2012 (3.0), a13 edited 2019 (4.0), a14 2010 (2.5)
    expect(out[0].fields.post_licenses).toEqual(["CC-BY-SA-2.5", "CC-BY-SA-3.0", "CC-BY-SA-4.0"]);
    expect(out[0].fields.license_tag).toBe("CC-BY-SA-4.0");
    // q20 dated 2018-12-31 but its ContentLicense attribute wins; q30 2015 -> 3.0
    expect(out[1].fields.license_tag).toBe("CC-BY-SA-4.0");
    expect(out[2].fields.license_tag).toBe("CC-BY-SA-3.0");
    expect([
      licenseForDate("2011-04-07T23:59:59Z"),
      licenseForDate("2011-04-08T00:00:00Z"),
      licenseForDate("2018-05-01T23:59:59"),
      licenseForDate("2018-05-02T00:00:00"),
    ]).toEqual(["CC-BY-SA-2.5", "CC-BY-SA-3.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0"]);
  });

  test("reports broken rows and orphan answers with file:line", async () => {
    const { rejects, counters } = await read(postsPath);
    expect(rejects.map((r) => [r.reason, r.location])).toEqual([
      ["broken_row", `${postsPath}:7`],
      ["broken_row", `${postsPath}:10`],
      ["broken_row", `${postsPath}:16`],
      ["orphan_answer", `${postsPath}:15`],
    ]);
    expect(rejects[2].message).toContain('Score "many"');
    expect(counters).toEqual({ questions: 3, answers: 7, threads: 3, skipped_post_type_4: 1 });
  });

  test("--min-score drops low questions with their answers, and low answers", async () => {
    const { out, counters } = await read(postsPath, { minScore: 0 });
    expect(out.map((r) => r.fields.id)).toEqual(["cooking.stackexchange.com/questions/10", "cooking.stackexchange.com/questions/20"]);
    expect(out[0].fields.answer_ids).toEqual([12, 11, 13]);
    expect(counters).toMatchObject({ questions_below_min_score: 1, answers_of_dropped_questions: 1, answers_below_min_score: 1 });
  });

  test("the output does not depend on the bucket size", async () => {
    const a = await read(postsPath);
    const b = await read(postsPath, { idsPerBucket: 3 });
    const c = await read(postsPath, { idsPerBucket: 1 });
    expect(b.out).toEqual(a.out);
    expect(c.out).toEqual(a.out);
  });

  test("removes its temp files, also when the reader is stopped early", async () => {
    const tmp = join(root, "tmp");
    mkdirSync(tmp);
    await read(postsPath, { tmpDir: tmp, idsPerBucket: 2 });
    expect(readdirSync(tmp)).toEqual([]);
    for await (const _ of readStackExchange(postsPath, { tmpDir: tmp, onReject: () => {} })) break;
    expect(readdirSync(tmp)).toEqual([]);
  });

  test("without a reject handler the first broken row throws with file:line", async () => {
    const err = await (async () => {
      for await (const _ of readStackExchange(postsPath));
    })().catch((e) => e);
    expect(err.code).toBe("record");
    expect(err.message).toContain(`${postsPath}:7`);
  });

  test("accepts the site directory and an explicit site name", async () => {
    const { out } = await read(siteDir, { site: "tea.example" });
    expect(out[0].fields.url).toBe("https://tea.example/questions/10");
  });

  test("names the site from dump file names", () => {
    expect(siteFromPath("/d/cooking.stackexchange.com.7z")).toBe("cooking.stackexchange.com");
    expect(siteFromPath("/d/stackoverflow.com-Posts.7z")).toBe("stackoverflow.com");
    expect(siteFromPath("/d/math.stackexchange.com/Posts.xml")).toBe("math.stackexchange.com");
    expect(parseTags("<c++><templates>")).toEqual(["c++", "templates"]);
  });

  test("a missing 7z is an error naming the Debian package", () => {
    expect(() => findSevenZip("")).toThrow(InputError);
    expect(() => findSevenZip("")).toThrow(/p7zip-full/);
  });

  const has7z = Bun.which("7z") !== null;
  test.skipIf(!has7z)("reads Posts.xml out of a .7z archive through the system 7z (skipped without 7z)", async () => {
    const archive = join(root, "cooking.stackexchange.com.7z");
    const r = Bun.spawnSync(["7z", "a", "-bd", archive, postsPath], { stdout: "ignore", stderr: "pipe" });
    expect(r.exitCode).toBe(0);
    const fromXml = await read(postsPath);
    const from7z = await read(archive);
    expect(from7z.out.map((x) => x.fields)).toEqual(fromXml.out.map((x) => x.fields));
    expect(from7z.out[0].location).toBe(`${archive}!Posts.xml:4`);
    expect(from7z.rejects.length).toBe(fromXml.rejects.length);
  });

  test.skipIf(!has7z)("an archive without Posts.xml is an InputError (skipped without 7z)", async () => {
    const other = join(root, "other.txt");
    writeFileSync(other, "x");
    const archive = join(root, "empty.stackexchange.com.7z");
    Bun.spawnSync(["7z", "a", "-bd", archive, other], { stdout: "ignore", stderr: "ignore" });
    const err = await read(archive).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain("Posts.xml");
  });
});
