import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { ConfigError, InputError, RecordError } from "../../src/errors.ts";
import { DEFAULT_FILTERS, NO_FILTERS } from "../../src/filters/rules.ts";
import { runNormalize, type NormalizeOptions } from "../../src/stages/normalize.ts";
import { countsAddUp, docToJson, type Doc } from "../../src/pipeline.ts";
import { brownFiles, brownParagraphs } from "../../scripts/lib/brown.ts";
import { readZstJson, tempDir, writeJsonl } from "../helpers/tmp.ts";

process.env.SOURCE_DATE_EPOCH = "1700000000";
const paras = brownFiles()
  .slice(0, 8)
  .flatMap((f) => brownParagraphs(f))
  .filter((p) => p.length > 300);
const dir = tempDir();

function opts(over: Partial<NormalizeOptions>): NormalizeOptions {
  return {
    inputs: [],
    outDir: join(dir, "out"),
    source: "brown",
    domain: "news",
    textField: "text",
    idField: null,
    licenseTag: null,
    filters: { ...DEFAULT_FILTERS },
    nfkc: false,
    strict: false,
    keepRejectedText: false,
    maxNulFraction: 0.5,
    overwrite: false,
    ...over,
  };
}

describe("normalize", () => {
  test("when the rejects file cannot be opened, the shard's temporary file goes too", async () => {
    const input = writeJsonl(join(dir, "open.jsonl"), [{ text: paras[0] }]);
    const out = join(dir, "open-fails");
    const shardDir = join(out, "brown/news");
    // A directory squatting on the rejects file's temporary name makes opening it fail.
    mkdirSync(join(shardDir, `part-00000.rejects.jsonl.zst.tmp-${process.pid}`), { recursive: true });
    await expect(runNormalize(opts({ inputs: [input], outDir: out }))).rejects.toThrow(/part-00000\.rejects\.jsonl\.zst/);
    expect(readdirSync(shardDir)).toEqual([`part-00000.rejects.jsonl.zst.tmp-${process.pid}`]);
  });

  test("writes the schema with exactly the seven keys and derives doc ids from file hash and line", async () => {
    const input = writeJsonl(join(dir, "a.jsonl"), [{ text: paras[0], url: "http://x", lang: "en" }, { text: paras[1] }]);
    const out = join(dir, "schema");
    const s = await runNormalize(opts({ inputs: [input], outDir: out }));
    expect(s.counts.kept).toBe(2);
    const docs = readZstJson(join(out, "brown/news/part-00000.jsonl.zst"));
    expect(Object.keys(docs[0]!)).toEqual(["text", "source", "domain", "doc_id", "license_tag", "created_at", "meta"]);
    expect(docs[0]!.text).toBe(paras[0]);
    expect(docs[0]!.meta).toEqual({ url: "http://x", lang: "en" });
    expect(docs[1]!.meta).toBeNull();
    const sha = new Bun.CryptoHasher("sha256").update(readFileSync(input)).digest("hex");
    expect(docs[0]!.doc_id).toBe(`brown/${sha.slice(0, 12)}/1`);
    expect(docs[1]!.doc_id).toBe(`brown/${sha.slice(0, 12)}/2`);
  });

  test("writes each kept document as the UTF-8 of docToJson, escapes and lone surrogates included", async () => {
    const odd = [
      'quote " backslash \\ tab \t controls \u0001\u001f del \u007f',
      "line\u2028sep \u00e9 \u4e2d 😀 lone \ud800 and \udc00",
      "\r\n\f\b",
    ];
    const input = writeJsonl(
      join(dir, "escapes.jsonl"),
      odd.map((t, i) => ({ text: `${paras[i]} ${t}`, n: i })),
    );
    const out = join(dir, "escapes");
    await runNormalize(opts({ inputs: [input], outDir: out, filters: { ...NO_FILTERS } }));
    const raw = zlib.zstdDecompressSync(readFileSync(join(out, "brown/news/part-00000.jsonl.zst")));
    const lines = raw
      .toString("utf8")
      .split("\n")
      .filter((l) => l.length > 0);
    expect(lines.length).toBe(3);
    for (const line of lines) expect(docToJson(JSON.parse(line) as Doc)).toBe(line);
    expect(raw.equals(Buffer.from(lines.join("\n") + "\n"))).toBe(true);
    expect((JSON.parse(lines[1]!) as Doc).text.endsWith("lone \ud800 and \udc00")).toBe(true);
  });

  test("copies the id field verbatim and takes the licence tag from the flag", async () => {
    const input = writeJsonl(join(dir, "ids.jsonl"), [
      { id: "doc-7", text: paras[2] },
      { id: 42, text: paras[3] },
    ]);
    const out = join(dir, "ids");
    await runNormalize(opts({ inputs: [input], outDir: out, idField: "id", licenseTag: "cc-by-4.0" }));
    const docs = readZstJson(join(out, "brown/news/part-00000.jsonl.zst"));
    expect(docs.map((d) => d.doc_id)).toEqual(["doc-7", "42"]);
    expect(docs.every((d) => d.license_tag === "cc-by-4.0")).toBe(true);
  });

  test("rejects malformed JSON and wrong text fields with file:line and the keys present, and the counts add up", async () => {
    const input = writeJsonl(join(dir, "bad.jsonl"), [
      { text: paras[0] },
      '{"text": "unterminated',
      { body: "no text here" },
      { text: 5 },
      "[1,2]",
      { text: paras[1] },
    ]);
    const out = join(dir, "bad");
    const s = await runNormalize(opts({ inputs: [input], outDir: out }));
    expect(s.counts).toMatchObject({
      in: 6,
      kept: 2,
      rejected: { invalid_json: 1, missing_text_field: 1, text_not_string: 1, not_an_object: 1 },
    });
    expect(countsAddUp(s.counts)).toBe(true);
    const rej = readZstJson(join(out, "brown/news/part-00000.rejects.jsonl.zst"));
    expect(rej.map((r) => r.reason)).toEqual(["invalid_json", "missing_text_field", "text_not_string", "not_an_object"]);
    expect(String(rej[0]!.detail)).toContain(`${input}:2`);
    expect(String(rej[1]!.detail)).toContain("keys present: body");
    expect(rej[0]!.stage).toBe("normalize");
    const m = JSON.parse(readFileSync(join(out, "brown/news/part-00000.manifest.json"), "utf8"));
    expect(m.counts.rejected.invalid_json).toBe(1);
    expect(m.inputs[0].path).toBe(input);
  });

  test("--strict aborts at the first bad record, naming file and line, and leaves no shard", async () => {
    const input = writeJsonl(join(dir, "strict.jsonl"), [{ text: paras[0] }, "{oops"]);
    const out = join(dir, "strict");
    const p = runNormalize(opts({ inputs: [input], outDir: out, strict: true }));
    await expect(p).rejects.toBeInstanceOf(RecordError);
    await expect(runNormalize(opts({ inputs: [input], outDir: out, strict: true }))).rejects.toThrow(`${input}:2`);
    expect(existsSync(join(out, "brown/news/part-00000.jsonl.zst"))).toBe(false);
  });

  test("replaces invalid UTF-8 with U+FFFD and counts it", async () => {
    const good = Buffer.from(JSON.stringify({ text: paras[0] }) + "\n");
    const bad = Buffer.concat([
      Buffer.from('{"text": "'),
      Buffer.from(paras[1]!.slice(0, 200)),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(paras[1]!.slice(200).replace(/"/g, "'") + '"}\n'),
    ]);
    const input = join(dir, "utf8.jsonl");
    writeFileSync(input, Buffer.concat([good, bad]));
    const out = join(dir, "utf8");
    const s = await runNormalize(opts({ inputs: [input], outDir: out }));
    expect(s.counts.kept).toBe(2);
    expect(s.counts.modified.invalid_utf8).toBe(1);
    const docs = readZstJson(join(out, "brown/news/part-00000.jsonl.zst"));
    expect(String(docs[1]!.text)).toContain("\uFFFD");
  });

  test("removes NUL characters and counts them; pervasive NUL fails the shard with no partial output", async () => {
    const input = writeJsonl(join(dir, "nul.jsonl"), [{ text: paras[0]!.replace(" ", "\u0000 ") }, { text: paras[1] }]);
    const out = join(dir, "nul");
    const s = await runNormalize(opts({ inputs: [input], outDir: out, maxNulFraction: 0.5 }));
    expect(s.counts.modified.nul_removed).toBe(1);
    expect(String(readZstJson(join(out, "brown/news/part-00000.jsonl.zst"))[0]!.text)).not.toContain("\u0000");
    const out2 = join(dir, "nul2");
    await expect(runNormalize(opts({ inputs: [input], outDir: out2, maxNulFraction: 0.1 }))).rejects.toBeInstanceOf(InputError);
    expect(existsSync(join(out2, "brown/news"))).toBe(true);
    expect(readdirSync(join(out2, "brown/news"))).toEqual([]);
  });

  test("a truncated .zst or .gz input is an error naming the file, and no partial shard is left", async () => {
    for (const kind of ["zst", "gz"] as const) {
      const full = writeJsonl(
        join(dir, `trunc.jsonl.${kind}`),
        paras.slice(0, 20).map((t) => ({ text: t })),
        kind,
      );
      const bytes = readFileSync(full);
      writeFileSync(full, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const out = join(dir, `trunc-${kind}`);
      const p = runNormalize(opts({ inputs: [full], outDir: out }));
      await expect(p).rejects.toBeInstanceOf(InputError);
      await expect(runNormalize(opts({ inputs: [full], outDir: out }))).rejects.toThrow(full);
      expect(readdirSync(join(out, "brown/news"))).toEqual([]);
    }
  });

  test("drops documents by named, versioned filter rules and writes each with its reason", async () => {
    const input = writeJsonl(join(dir, "filters.jsonl"), [
      { text: paras[0] },
      { text: "Too short." },
      { text: Array.from({ length: 40 }, (_, i) => `${i * 7919} ${i * 31}`).join(" ") },
      {
        text:
          Array.from({ length: 5 }, () => "We use cookies. Accept our cookie policy.\nAll rights reserved.").join("\n") +
          "\n" +
          paras[1]!.slice(0, 150),
      },
      { text: Array.from({ length: 6 }, () => paras[2]!.slice(0, 80)).join("\n") },
    ]);
    const out = join(dir, "filters");
    const s = await runNormalize(opts({ inputs: [input], outDir: out, keepRejectedText: true }));
    expect(s.counts.kept).toBe(1);
    expect(s.counts.dropped).toEqual({ min_chars_v1: 1, alpha_ratio_v1: 1, boilerplate_v1: 1, repeated_lines_v1: 1 });
    const rej = readZstJson(join(out, "brown/news/part-00000.rejects.jsonl.zst"));
    expect(rej[0]).toMatchObject({ reason: "min_chars_v1", stage: "normalize", text: "Too short." });
    const none = await runNormalize(opts({ inputs: [input], outDir: join(dir, "filters-none"), filters: { ...NO_FILTERS } }));
    expect(none.counts.kept).toBe(5);
  });

  test("an empty glob is a ConfigError (exit 2) that names the pattern", async () => {
    const p = runNormalize(opts({ inputs: [join(dir, "nothing-here/**/*.jsonl")], outDir: join(dir, "empty") }));
    await expect(p).rejects.toBeInstanceOf(ConfigError);
    await expect(runNormalize(opts({ inputs: [join(dir, "nothing-here/**/*.jsonl")], outDir: join(dir, "empty") }))).rejects.toThrow(
      "nothing-here",
    );
  });

  test("a rerun skips shards with a valid manifest; other parameters need --overwrite", async () => {
    const input = writeJsonl(
      join(dir, "resume.jsonl"),
      paras.slice(0, 5).map((t) => ({ text: t })),
    );
    const out = join(dir, "resume");
    const first = await runNormalize(opts({ inputs: [input], outDir: out }));
    expect(first.skipped).toBe(0);
    const again = await runNormalize(opts({ inputs: [input], outDir: out }));
    expect(again.skipped).toBe(1);
    expect(again.counts).toEqual(first.counts);
    const other = runNormalize(opts({ inputs: [input], outDir: out, filters: { ...NO_FILTERS } }));
    await expect(other).rejects.toThrow("--overwrite");
    const over = await runNormalize(opts({ inputs: [input], outDir: out, filters: { ...NO_FILTERS }, overwrite: true }));
    expect(over.skipped).toBe(0);
  });

  test("the same input gives byte-identical shards, rejects and manifests", async () => {
    const rows = [...paras.slice(0, 30).map((t) => ({ text: t })), "{bad", { text: "short" }];
    const input = writeJsonl(join(dir, "det.jsonl.zst"), rows, "zst");
    const a = join(dir, "det-a");
    const b = join(dir, "det-b");
    await runNormalize(opts({ inputs: [input], outDir: a }));
    await runNormalize(opts({ inputs: [input], outDir: b }));
    for (const f of readdirSync(join(a, "brown/news"))) {
      const fa = readFileSync(join(a, "brown/news", f));
      const fb = readFileSync(join(b, "brown/news", f));
      if (f.endsWith(".manifest.json")) {
        expect(fa.toString().replaceAll(a, "X")).toBe(fb.toString().replaceAll(b, "X"));
      } else expect(Buffer.compare(fa, fb)).toBe(0);
    }
    // The shard is one zstd frame that decodes to JSON lines.
    const shard = readFileSync(join(a, "brown/news/part-00000.jsonl.zst"));
    expect(zlib.zstdDecompressSync(shard).toString().split("\n").filter(Boolean).length).toBe(30);
  });

  test("one worker or two give the same shards, byte for byte, and the same counts", async () => {
    const inputs = [0, 1, 2].map((k) =>
      writeJsonl(
        join(dir, `thr-${k}.jsonl.zst`),
        [...paras.slice(k * 10, k * 10 + 10).map((t) => ({ text: t })), "{broken", { text: "tiny" }],
        "zst",
      ),
    );
    const one = await runNormalize(opts({ inputs, outDir: join(dir, "thr1"), cpuThreads: 1 }));
    const two = await runNormalize(opts({ inputs, outDir: join(dir, "thr2"), cpuThreads: 2 }));
    expect(two.counts).toEqual(one.counts);
    expect(one.counts.in).toBe(36);
    const files = readdirSync(join(dir, "thr1", "brown/news"))
      .filter((f) => !f.endsWith(".json"))
      .sort();
    expect(files.length).toBe(6);
    for (const f of files) {
      expect(readFileSync(join(dir, "thr2", "brown/news", f)).equals(readFileSync(join(dir, "thr1", "brown/news", f)))).toBe(true);
    }
  });

  test("an error inside a worker keeps its class and message", async () => {
    const inputs = [0, 1].map((k) => writeJsonl(join(dir, `werr-${k}.jsonl`), [{ text: paras[k] }, "{broken"]));
    const p = runNormalize(opts({ inputs, outDir: join(dir, "werr"), cpuThreads: 2, strict: true }));
    await expect(p).rejects.toBeInstanceOf(RecordError);
  });
});
