import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import zlib from "node:zlib";
import { join } from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { NO_FILTERS } from "../../src/filters/rules.ts";
import { runNormalize } from "../../src/stages/normalize.ts";
import { runReport } from "../../src/stages/report.ts";
import { runTokenize, type TokenizeOptions } from "../../src/stages/tokenize.ts";
import { undoFim } from "../../src/tokenizer/fim.ts";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { gamma } from "../helpers/cli.ts";
import { codeFiles } from "../helpers/code-files.ts";
import { writeCodeTokenizer } from "../helpers/code-tokenizer.ts";
import { readZstJson, tempDir, writeJsonl } from "../helpers/tmp.ts";

const dir = tempDir();
/** A byte-level BPE tokenizer.json with FIM sentinels and two language tags as special tokens. */
const TOKENIZER = writeCodeTokenizer(join(dir, "tok"), [
  "<|fim_prefix|>",
  "<|fim_middle|>",
  "<|fim_suffix|>",
  "<|lang_python|>",
  "<|lang_javascript|>",
]);
const PLAIN = writeCodeTokenizer(join(dir, "plain-tok"), []);
const tok = await loadTokenizer(TOKENIZER);
const id = (s: string) => tok.tokenId(s)!;
const S = { prefix: id("<|fim_prefix|>"), suffix: id("<|fim_suffix|>"), middle: id("<|fim_middle|>") };

const files = codeFiles(60, 20_000);
const byId = new Map(files.map((f, i) => [`code-${i}`, f]));
/** Two shards of real code (half each) plus a document in a language without a tag. */
async function normalizeCode(): Promise<string[]> {
  const rows = files.map((f, i) => ({ id: `code-${i}`, text: f.text, language: f.language }));
  const half = Math.floor(rows.length / 2);
  const shards: string[] = [];
  for (const [k, part] of [rows.slice(0, half), rows.slice(half)].entries()) {
    const out = join(dir, `norm${k}`);
    await runNormalize({
      inputs: [writeJsonl(join(dir, `code${k}.jsonl`), part)],
      outDir: out,
      source: `code${k}`,
      domain: "code",
      textField: "text",
      idField: "id",
      licenseTag: null,
      filters: { ...NO_FILTERS },
      nfkc: false,
      strict: false,
      keepRejectedText: false,
      maxNulFraction: 1,
      overwrite: true,
    });
    shards.push(join(out, `code${k}/code/part-00000.jsonl.zst`));
  }
  return shards;
}
const shards = await normalizeCode();
const rubyDir = join(dir, "ruby");
await runNormalize({
  inputs: [
    writeJsonl(join(dir, "ruby.jsonl"), [
      { id: "rb", text: "puts 1\n", language: "ruby" },
      { id: "none", text: "no language here" },
    ]),
  ],
  outDir: rubyDir,
  source: "rb",
  domain: "code",
  textField: "text",
  idField: "id",
  licenseTag: null,
  filters: { ...NO_FILTERS },
  nfkc: false,
  strict: false,
  keepRejectedText: false,
  maxNulFraction: 1,
  overwrite: true,
});
const ruby = join(rubyDir, "rb/code/part-00000.jsonl.zst");

function opts(over: Partial<TokenizeOptions>): TokenizeOptions {
  return {
    inputs: shards,
    tokenizer: TOKENIZER,
    tokenizerSha256: null,
    outDir: join(dir, "t"),
    format: "jsonl",
    validFraction: 0,
    tokenBudget: null,
    dtype: "int32",
    noEos: false,
    cpuThreads: 1,
    seed: 3,
    ...over,
  };
}

type Sample = { input_ids: number[]; language: string | null; length: number };
type Row = {
  doc_id: string;
  split: string;
  language: string | null;
  tag: boolean;
  fim: { mode: string; layout: string; spans: [number, number][] } | null;
  first_sample: number;
  samples: number;
  chunks_dropped: number;
  tokens: number;
};

function samples(out: string, split = "train"): Sample[] {
  const d = join(out, split);
  return readdirSync(d)
    .filter((f) => f.endsWith(".jsonl.zst"))
    .sort()
    .flatMap((f) => readZstJson<Sample>(join(d, f)));
}

describe("tokenize for code", () => {
  test("special-token text is ordinary ids by default and one id when --allow-special names it", async () => {
    const src = join(dir, "eot");
    await runNormalize({
      inputs: [writeJsonl(join(dir, "eot.jsonl"), [{ id: "e", text: "a<|endoftext|>b" }])],
      outDir: src,
      source: "e",
      domain: "d",
      textField: "text",
      idField: "id",
      licenseTag: null,
      filters: { ...NO_FILTERS },
      nfkc: false,
      strict: false,
      keepRejectedText: false,
      maxNulFraction: 1,
      overwrite: true,
    });
    const input = [join(src, "e/d/part-00000.jsonl.zst")];
    const eot = id("<|endoftext|>");
    await runTokenize(opts({ inputs: input, outDir: join(dir, "eot-plain"), noEos: true }));
    await runTokenize(opts({ inputs: input, outDir: join(dir, "eot-allowed"), noEos: true, allowSpecial: ["<|endoftext|>"] }));
    const plain = samples(join(dir, "eot-plain"))[0]!.input_ids;
    const allowed = samples(join(dir, "eot-allowed"))[0]!.input_ids;
    expect(plain).toEqual(Array.from(tok.encode("a<|endoftext|>b")));
    expect(plain).not.toContain(eot);
    expect(plain.length).toBeGreaterThan(3);
    expect(allowed).toEqual([...tok.encode("a"), eot, ...tok.encode("b")]);
    await expect(runTokenize(opts({ inputs: input, outDir: join(dir, "eot-bad"), allowSpecial: ["<|nope|>"] }))).rejects.toThrow(
      "<|nope|> is not a token",
    );
  });

  test("--language-tags prepends the tag token of meta.language; a language without one is an error listing it, or counted", async () => {
    const m = await runTokenize(opts({ outDir: join(dir, "tags"), languageTags: true }));
    const got = samples(join(dir, "tags"));
    expect(got.length).toBe(files.length);
    const rows = readZstJson<Row>(join(dir, "tags/index.jsonl.zst"));
    for (const [i, r] of rows.entries()) {
      const f = byId.get(r.doc_id)!;
      expect(got[i]!.input_ids).toEqual([id(`<|lang_${f.language}|>`), ...tok.encode(f.text), tok.eosId!]);
      expect(got[i]!.language).toBe(f.language);
      expect(r.tag).toBe(true);
    }
    expect(m.metrics.language_tags!.tagged).toBe(files.length);
    await expect(runTokenize(opts({ inputs: [...shards, ruby], outDir: join(dir, "tags-missing"), languageTags: true }))).rejects.toThrow(
      /documents without meta\.language, ruby \(<\|lang_ruby\|>\).*--missing-tag/,
    );
    const skip = await runTokenize(
      opts({ inputs: [...shards, ruby], outDir: join(dir, "tags-skip"), languageTags: true, missingTag: "skip" }),
    );
    expect(skip.metrics.language_tags!.missing).toEqual({ "(none)": 1, ruby: 1 });
    expect(skip.counts.docs.kept).toBe(files.length + 2);
    const drop = await runTokenize(
      opts({ inputs: [...shards, ruby], outDir: join(dir, "tags-drop"), languageTags: true, missingTag: "drop" }),
    );
    expect(drop.counts.docs.dropped).toEqual({ missing_language_tag: 2 });
  });

  test("every FIM sample of a real-code run decodes and undoes to its document; the rate is within 3 standard deviations", async () => {
    const rate = 0.5;
    const m = await runTokenize(opts({ outDir: join(dir, "fim"), languageTags: true, fim: { rate, spmRate: 0.5, mode: "multi" } }));
    const got = samples(join(dir, "fim"));
    const rows = readZstJson<Row>(join(dir, "fim/index.jsonl.zst"));
    let fim = 0;
    let spm = 0;
    for (const r of rows) {
      const ids = got[r.first_sample]!.input_ids;
      const f = byId.get(r.doc_id)!;
      expect(ids[0]).toBe(id(`<|lang_${f.language}|>`));
      expect(ids[ids.length - 1]).toBe(tok.eosId!);
      const body = ids.slice(1, -1);
      if (r.fim === null) {
        expect(tok.decode(body)).toBe(f.text);
        continue;
      }
      fim++;
      if (r.fim.layout === "spm") spm++;
      expect(r.fim.mode).toBe("multi");
      expect(body[0]).toBe(S.prefix);
      expect(undoFim(body, S, (x) => tok.decode(x))).toBe(f.text);
    }
    const n = rows.length;
    expect(Math.abs(fim - n * rate)).toBeLessThanOrEqual(3 * Math.sqrt(n * rate * (1 - rate)));
    expect(fim).toBeGreaterThan(0);
    expect(spm).toBeGreaterThan(0);
    expect(m.metrics.fim).toMatchObject({ docs: n, transformed: fim, by_mode: { multi: fim }, spm });
    expect(m.metrics.languages).toEqual({
      javascript: expect.objectContaining({ docs: files.filter((f) => f.language === "javascript").length }),
      python: expect.objectContaining({ docs: files.filter((f) => f.language === "python").length }),
    });
    // The report carries the metrics and checks the counts.
    const rep = runReport([join(dir, "fim/manifest.json")], join(dir, "fim-report.json"));
    expect(rep.tokenize[0]!.metrics).toEqual(JSON.parse(JSON.stringify(m.metrics)));
    expect(rep.checks).toEqual([expect.objectContaining({ stage: "tokenize", in: n, kept: n, adds_up: true })]);
  });

  test("a tokenizer without the sentinels is refused, naming them", async () => {
    await expect(
      runTokenize(opts({ tokenizer: PLAIN, outDir: join(dir, "nosent"), fim: { rate: 0.5, spmRate: 0, mode: "char" } })),
    ).rejects.toThrow("<|fim_prefix|>, <|fim_suffix|>, <|fim_middle|> are not tokens");
  });

  test("--max-length cuts sequences into samples; samples under --min-chunk-tokens are left out and counted", async () => {
    const L = 256;
    const min = 100;
    const m = await runTokenize(opts({ outDir: join(dir, "chunks"), maxLength: L, minChunkTokens: min }));
    const got = samples(join(dir, "chunks"));
    const rows = readZstJson<Row>(join(dir, "chunks/index.jsonl.zst"));
    let dropped = 0;
    for (const r of rows) {
      const full = [...tok.encode(byId.get(r.doc_id)!.text), tok.eosId!];
      const mine = got.slice(r.first_sample, r.first_sample + r.samples);
      for (const [k, s] of mine.entries()) {
        expect(s.input_ids).toEqual(full.slice(k * L, (k + 1) * L));
        expect(s.length).toBe(s.input_ids.length);
        expect(s.length).toBeGreaterThanOrEqual(min);
      }
      const tail = full.length % L;
      const want = tail > 0 && tail < min ? 1 : 0;
      expect(r.chunks_dropped).toBe(want);
      dropped += want;
    }
    expect(dropped).toBeGreaterThan(0);
    // A document whose only chunk is short is left out whole (and its chunk counted).
    const whole = m.counts.docs.dropped.short_chunks ?? 0;
    expect(rows.length + whole).toBe(files.length);
    expect(m.metrics.chunks).toEqual({ kept: got.length, dropped_short: dropped + whole });
    expect(m.metrics.samples).toBe(got.length);
    expect(m.metrics.avg_length).toBeCloseTo(m.metrics.tokens / got.length, 2);
  });

  test("JSONL shards hold N samples each; Parquet holds the same rows as list<int32>, string, int32, zstd, with the datasets features", async () => {
    const jm = await runTokenize(opts({ outDir: join(dir, "jsonl"), samplesPerShard: 25, maxLength: 512, languageTags: true }));
    const names = readdirSync(join(dir, "jsonl/train")).sort();
    const all = samples(join(dir, "jsonl"));
    expect(names.length).toBe(Math.ceil(all.length / 25));
    expect(readZstJson(join(dir, "jsonl/train", names[0]!)).length).toBe(25);
    expect(jm.outputs.train.map((d) => d.path)).toEqual(names.map((n) => `train/${n}`));
    await runTokenize(opts({ outDir: join(dir, "pq"), format: "parquet", samplesPerShard: 25, maxLength: 512, languageTags: true }));
    const pq = readdirSync(join(dir, "pq/train")).sort();
    expect(pq.length).toBe(names.length);
    const rows: Sample[] = [];
    for (const f of pq) {
      const buf = readFileSync(join(dir, "pq/train", f));
      const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      const meta = parquetMetadata(file);
      expect(meta.row_groups.every((g) => g.columns.every((c) => c.meta_data?.codec === "ZSTD"))).toBe(true);
      const hf = JSON.parse(meta.key_value_metadata!.find((kv) => kv.key === "huggingface")!.value!);
      expect(hf.info.features.input_ids).toEqual({ feature: { dtype: "int32", _type: "Value" }, _type: "Sequence" });
      expect(meta.schema.map((s) => [s.name, s.type ?? null])).toEqual([
        ["schema", null],
        ["input_ids", null],
        ["list", null],
        ["element", "INT32"],
        ["language", "BYTE_ARRAY"],
        ["length", "INT32"],
      ]);
      rows.push(
        ...((await parquetReadObjects({
          file,
          compressors: { ZSTD: (b: Uint8Array) => new Uint8Array(zlib.zstdDecompressSync(b)) },
        })) as Sample[]),
      );
    }
    expect(rows.map((r) => [Array.from(r.input_ids), r.language, r.length])).toEqual(all.map((s) => [s.input_ids, s.language, s.length]));
  });

  test("the command line takes the flags: tags, FIM, allowed specials, samples, format; a missing tag exits 2 listing it", () => {
    const out = join(dir, "cli");
    const r = gamma([
      "tokenize",
      "--input",
      ...shards,
      "--tokenizer",
      TOKENIZER,
      "--out-dir",
      out,
      "--format",
      "jsonl",
      "--language-tags",
      "--fim-rate",
      "1",
      "--fim-spm-rate",
      "0",
      "--fim-mode",
      "line",
      "--allow-special",
      "<|endoftext|>,<|fim_prefix|>",
      "--max-length",
      "512",
      "--min-chunk-tokens",
      "10",
      "--samples-per-shard",
      "50",
      "--seed",
      "4",
      "--cpu-threads",
      "1",
    ]);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).metrics;
    expect(m.fim).toMatchObject({ docs: files.length, transformed: files.length, by_mode: { line: files.length }, spm: 0 });
    expect(m.language_tags.tagged).toBe(files.length);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.config).toMatchObject({
      seed: 4,
      max_length: 512,
      min_chunk_tokens: 10,
      samples_per_shard: 50,
      allow_special: { "<|endoftext|>": tok.eosId!, "<|fim_prefix|>": S.prefix },
    });
    expect(samples(out).every((x) => x.length <= 512 && x.length >= 10)).toBe(true);
    const bad = gamma([
      "tokenize",
      "--input",
      ruby,
      "--tokenizer",
      TOKENIZER,
      "--out-dir",
      join(dir, "cli-bad"),
      "--language-tags",
      "--cpu-threads",
      "1",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("ruby (<|lang_ruby|>)");
  });

  test("outputs are byte-identical for 1 or 2 threads and either input order", async () => {
    const base = { languageTags: true, fim: { rate: 0.5, spmRate: 0.3, mode: "ast" as const }, maxLength: 300, minChunkTokens: 50 };
    for (const format of ["jsonl", "parquet"] as const) {
      const a = await runTokenize(opts({ ...base, format, outDir: join(dir, `det-${format}-1`), cpuThreads: 1 }));
      const b = await runTokenize(
        opts({ ...base, format, outDir: join(dir, `det-${format}-2`), cpuThreads: 2, inputs: [...shards].reverse() }),
      );
      expect(JSON.stringify(b.outputs)).toBe(JSON.stringify(a.outputs));
      expect(JSON.stringify(b.metrics)).toBe(JSON.stringify(a.metrics));
      expect(a.outputs.train.length).toBeGreaterThan(0);
      expect(a.metrics.fim!.by_mode.ast).toBeGreaterThan(10);
    }
  });
});
