import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brownParagraphs, sentences } from "../ingest/corpus-text.ts";
import { gamma, gammaOk, jsonOut, sha256, textOf } from "./run.ts";

const root = mkdtempSync(join(tmpdir(), "gamma-cli-local-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const lines = (path: string) =>
  textOf(path)
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));

interface Summary {
  shards: string[];
  skipped: number;
  counts: { in: number; kept: number; dropped: Record<string, number>; rejected: Record<string, number> };
  reader: Record<string, number>;
}

describe("gamma ingest-wikipedia", () => {
  const articles = ["ca01", "cb01", "cc01", "cd01", "ce01"].map((f, i) => ({
    id: String(100 + i),
    title: `Article ${i}`,
    body: brownParagraphs(f).slice(0, 3).join("\n\n"),
  }));
  const doc = (a: (typeof articles)[number]) =>
    `<doc id="${a.id}" url="https://en.wikipedia.org/wiki?curid=${a.id}" title="${a.title}">\n${a.title}\n\n${a.body}\n</doc>\n`;
  const wiki = join(root, "wiki");
  mkdirSync(join(wiki, "AA"), { recursive: true });
  const unclosed = doc(articles[2]!).replace("</doc>\n", "");
  writeFileSync(join(wiki, "AA", "wiki_00"), doc(articles[0]!) + doc(articles[1]!));
  writeFileSync(join(wiki, "AA", "wiki_01"), unclosed + doc(articles[3]!));
  writeFileSync(
    join(wiki, "AA", "wiki_02"),
    JSON.stringify({ id: articles[4]!.id, url: "u", title: articles[4]!.title, text: `${articles[4]!.title}\n\n${articles[4]!.body}` }) +
      "\n",
  );

  test("one shard per WikiExtractor file; the article id is the doc_id; an unclosed <doc> is a counted reject with file:line", async () => {
    const out = join(root, "wiki-out");
    const s = jsonOut<Summary>(await gammaOk(["ingest-wikipedia", "--input", wiki, "--out-dir", out]));
    expect(s.counts).toMatchObject({ in: 5, kept: 4, rejected: { unclosed_doc: 1 } });
    expect(s.reader).toEqual({ files: 3, docs: 4 });
    const dir = join(out, "wikipedia/encyclopedia");
    const d0 = lines(join(dir, "part-00000.jsonl.zst"));
    expect(d0.map((d) => d.doc_id)).toEqual(["100", "101"]);
    expect(d0[0]).toEqual({
      text: `${articles[0]!.title}\n\n${articles[0]!.body}`,
      source: "wikipedia",
      domain: "encyclopedia",
      doc_id: "100",
      license_tag: "CC-BY-SA-4.0",
      created_at: null,
      meta: { url: "https://en.wikipedia.org/wiki?curid=100", title: "Article 0" },
    });
    expect(lines(join(dir, "part-00001.jsonl.zst")).map((d) => d.doc_id)).toEqual(["103"]);
    expect(lines(join(dir, "part-00002.jsonl.zst")).map((d) => d.doc_id)).toEqual(["104"]);
    const rejects = lines(join(dir, "part-00001.rejects.jsonl.zst"));
    expect(rejects).toHaveLength(1);
    expect(rejects[0].reason).toBe("unclosed_doc");
    expect(rejects[0].detail).toContain(`${join(wiki, "AA", "wiki_01")}:1:`);
    const m = json(join(dir, "part-00001.manifest.json"));
    expect(m.inputs).toEqual([
      {
        path: join(wiki, "AA", "wiki_01"),
        sha256: sha256(readFileSync(join(wiki, "AA", "wiki_01"))),
        bytes: readFileSync(join(wiki, "AA", "wiki_01")).length,
      },
    ]);
    expect(m.counts).toMatchObject({ in: 2, kept: 1, rejected: { unclosed_doc: 1 } });
    expect(m.params.format).toBe("wikiextractor");
  });

  test("a rerun skips the shards already made, and --strict stops at the unclosed <doc>", async () => {
    const out = join(root, "wiki-rerun");
    await gammaOk(["ingest-wikipedia", "--input", wiki, "--out-dir", out]);
    const s = jsonOut<Summary>(await gammaOk(["ingest-wikipedia", "--input", wiki, "--out-dir", out]));
    expect(s.skipped).toBe(3);
    const strict = await gamma([
      "ingest-wikipedia",
      "--input",
      join(wiki, "AA", "wiki_01"),
      "--out-dir",
      join(root, "wiki-strict"),
      "--strict",
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`${join(wiki, "AA", "wiki_01")}:1`);
  });
});

describe("gamma ingest-stackexchange", () => {
  const s = sentences(12, 700);
  const esc = (v: string) =>
    v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/\n/g, "&#xA;");
  const row = (a: Record<string, string | number>) =>
    `  <row ${Object.entries(a)
      .map(([k, v]) => `${k}="${esc(String(v))}"`)
      .join(" ")} />`;
  const xml =
    [
      '<?xml version="1.0" encoding="utf-8"?>',
      "<posts>",
      row({
        Id: 1,
        PostTypeId: 1,
        Score: 4,
        CreationDate: "2019-02-01T10:00:00.000",
        Title: "Why rest dough?",
        Tags: "<baking>",
        Body: `<p>${s[0]}</p>`,
        ContentLicense: "CC BY-SA 4.0",
      }), // 3
      row({
        Id: 2,
        PostTypeId: 2,
        ParentId: 1,
        Score: 1,
        CreationDate: "2019-02-01T11:00:00.000",
        Body: `<p>${s[1]}</p>`,
        ContentLicense: "CC BY-SA 4.0",
      }), // 4
      row({
        Id: 3,
        PostTypeId: 2,
        ParentId: 1,
        Score: 6,
        CreationDate: "2019-02-01T12:00:00.000",
        Body: `<p>${s[2]}</p><pre><code>mix(flour, water)\n</code></pre>`,
        ContentLicense: "CC BY-SA 4.0",
      }), // 5
      '  <row Id="4" PostTypeId="2" ParentId="1" Body="cut off', // 6: broken
      row({ Id: 5, PostTypeId: 1, Score: -3, CreationDate: "2012-03-01T00:00:00.000", Title: "Salt?", Body: `<p>${s[3]}</p>` }), // 7
      row({ Id: 6, PostTypeId: 2, ParentId: 99, Score: 2, CreationDate: "2012-03-02T00:00:00.000", Body: `<p>${s[4]}</p>` }), // 8: orphan
      "</posts>",
    ].join("\n") + "\n";
  const site = join(root, "cooking.stackexchange.com");
  mkdirSync(site);
  const posts = join(site, "Posts.xml");
  writeFileSync(posts, xml);

  test("one document per thread with answers by score; broken rows and orphans are counted rejects with file:line", async () => {
    const out = join(root, "se-out");
    const r = jsonOut<Summary>(await gammaOk(["ingest-stackexchange", "--input", posts, "--out-dir", out, "--filters", "none"]));
    expect(r.counts).toMatchObject({ in: 4, kept: 2, rejected: { broken_row: 1, orphan_answer: 1 } });
    const dir = join(out, "stackexchange/qa");
    const docs = lines(join(dir, "part-00000.jsonl.zst"));
    expect(docs.map((d) => d.doc_id)).toEqual(["cooking.stackexchange.com/questions/1", "cooking.stackexchange.com/questions/5"]);
    expect(docs[0].text).toBe([`Why rest dough?\n\n${s[0]}`, `${s[2]}\n\n\`\`\`\nmix(flour, water)\n\`\`\``, s[1]].join("\n\n---\n\n"));
    expect(docs[0].license_tag).toBe("CC-BY-SA-4.0");
    expect(docs[1].license_tag).toBe("CC-BY-SA-3.0");
    expect(docs[0].created_at).toBe("2019-02-01T10:00:00.000Z");
    expect(docs[0].meta).toMatchObject({ site: "cooking.stackexchange.com", answer_ids: [3, 2], tags: ["baking"] });
    const rejects = lines(join(dir, "part-00000.rejects.jsonl.zst"));
    expect(rejects.map((j) => j.reason)).toEqual(["broken_row", "orphan_answer"]);
    expect(rejects[0].detail).toContain(`${posts}:6`);
    expect(rejects[1].detail).toContain(`${posts}:8`);
  });

  test("--min-score drops low-scoring threads and answers; --site names the site; the settings are in the manifest", async () => {
    const out = join(root, "se-min");
    const r = jsonOut<Summary>(
      await gammaOk([
        "ingest-stackexchange",
        "--input",
        site,
        "--out-dir",
        out,
        "--filters",
        "none",
        "--min-score",
        "2",
        "--site",
        "baking.example",
      ]),
    );
    expect(r.reader).toMatchObject({ questions_below_min_score: 1, answers_below_min_score: 1 });
    const dir = join(out, "stackexchange/qa");
    const docs = lines(join(dir, "part-00000.jsonl.zst"));
    expect(docs.map((d) => [d.doc_id, d.meta.answer_ids])).toEqual([["baking.example/questions/1", [3]]]);
    const m = json(join(dir, "part-00000.manifest.json"));
    expect(m.params).toMatchObject({ format: "stackexchange", site: "baking.example", min_score: 2 });
    expect(m.inputs[0].path).toBe(posts);
  });

  test.skipIf(!Bun.which("7z"))("reads SITE.7z through the system 7z and gives the same documents as Posts.xml", async () => {
    const archive = join(root, "cooking.stackexchange.com.7z");
    const z = Bun.spawnSync(["7z", "a", "-bd", archive, posts], { cwd: site, stdout: "pipe", stderr: "pipe" });
    expect(z.exitCode).toBe(0);
    const a = join(root, "se-7z");
    const b = join(root, "se-xml");
    await gammaOk(["ingest-stackexchange", "--input", archive, "--out-dir", a, "--filters", "none"]);
    await gammaOk(["ingest-stackexchange", "--input", posts, "--out-dir", b, "--filters", "none"]);
    expect(textOf(join(a, "stackexchange/qa/part-00000.jsonl.zst"))).toBe(textOf(join(b, "stackexchange/qa/part-00000.jsonl.zst")));
  });

  test("without 7z on PATH a .7z input fails with the package to install, and leaves no shard", async () => {
    const archive = join(root, "x.stackexchange.com.7z");
    writeFileSync(archive, "7z");
    const out = join(root, "se-no7z");
    const r = await gamma(["ingest-stackexchange", "--input", archive, "--out-dir", out], { PATH: "/nonexistent" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("p7zip-full");
    expect(existsSync(join(out, "stackexchange/qa/part-00000.jsonl.zst"))).toBe(false);
  });
});
