import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { HubStandIn } from "../helpers/hub-stand-in.ts";
import { brownParagraphs } from "../ingest/corpus-text.ts";
import { DATASETS, EDU, c4Rows, eduCC } from "./hub.ts";
import { allFiles, gamma, gammaOk, sha256, textOf } from "./run.ts";

let hub: HubStandIn;
let env: Record<string, string>;
const root = mkdtempSync(join(tmpdir(), "gamma-cli-manifest-"));
beforeAll(() => {
  hub = HubStandIn.start({ datasets: DATASETS });
  env = { HF_ENDPOINT: hub.endpoint };
});
afterAll(() => {
  hub.stop();
  rmSync(root, { recursive: true, force: true });
});

const paras = brownParagraphs("cf01").filter((p) => p.length > 300);
mkdirSync(join(root, "raw"));
writeFileSync(
  join(root, "raw/notes.jsonl"),
  paras
    .slice(0, 4)
    .map((text, i) => JSON.stringify({ id: `n${i}`, text }))
    .join("\n") + "\n",
);
mkdirSync(join(root, "wiki/AA"), { recursive: true });
writeFileSync(
  join(root, "wiki/AA/wiki_00"),
  `<doc id="7" url="https://en.wikipedia.org/wiki?curid=7" title="Seven">\nSeven\n\n${paras[5]}\n</doc>\n<doc id="8" url="u" title="Eight">\n${paras[6]}\n`,
);

const MANIFEST = `# Stage A manifest with ingest entries
outputs:
  normalized_dir: normalized
sources:
  - name: fineweb_edu
    weight: 0.5
    source: fineweb-edu
    hf:
      config: CC-MAIN-2024-10
      revision: main
  - name: c4_en
    weight: 0.1
    hf:
      dataset: allenai/c4
      config: en
      split: train
      text_field: text
      domain: web
      filters: none
      limit: 20
  - name: notes
    weight: 0.2
    local:
      input: [raw/*.jsonl]
      format: jsonl
      id_field: id
      domain: notes
      license_tag: CC-BY-4.0
  - name: wiki
    weight: 0.1
    local:
      input: wiki
      format: wikipedia
  - name: ready
    weight: 0.1
    paths: [normalized/ready/**/*.jsonl.zst]
`;
const manifestPath = join(root, "stageA_manifest.yaml");
writeFileSync(manifestPath, MANIFEST);

interface Output {
  kind: string;
  path: string;
  sha256: string;
  bytes: number;
}

describe("gamma ingest-manifest", () => {
  test("runs Hub and local sources and writes an inventory with resolved revisions and every output's sha256", async () => {
    const out = join(root, "normalized");
    await gammaOk(["ingest-manifest", "--manifest", manifestPath, "--out-dir", out], env);
    const inv = JSON.parse(readFileSync(join(out, "ingest.manifest.json"), "utf8"));
    expect(inv).toMatchObject({
      kind: "gamma.ingest/v1",
      english_filter_applied: false,
      language_filter: null,
      created_at: "2023-11-14T22:13:20.000Z",
    });
    expect(inv.manifest.sha256).toBe(sha256(MANIFEST));
    expect(inv.revisions).toEqual([
      {
        name: "fineweb_edu",
        dataset: EDU,
        config: "CC-MAIN-2024-10",
        split: "train",
        revision: "main",
        resolved_sha: hub.shaOf(EDU, "e2"),
      },
      { name: "c4_en", dataset: "allenai/c4", config: "en", split: "train", revision: "main", resolved_sha: hub.shaOf("allenai/c4", "k1") },
    ]);
    expect(inv.sources.map((s: { name: string; kind: string }) => [s.name, s.kind])).toEqual([
      ["fineweb_edu", "hf"],
      ["c4_en", "hf"],
      ["notes", "local"],
      ["wiki", "local"],
      ["ready", "none"],
    ]);
    const [edu, c4, notes, wiki] = inv.sources;
    expect(edu.counts).toMatchObject({ in: eduCC.length, kept: eduCC.length });
    expect(edu.hf.files.map((f: { path: string }) => f.path)).toEqual([
      "data/CC-MAIN-2024-10/train-00000-of-00002.parquet",
      "data/CC-MAIN-2024-10/train-00001-of-00002.parquet",
    ]);
    expect(edu.params).toMatchObject({ source: "fineweb_edu", domain: "web_edu", text_field: "text", id_field: "id" });
    expect(c4.counts).toMatchObject({ in: 20, kept: 20 });
    expect(c4.hf.limit).toBe(20);
    expect(notes.counts).toMatchObject({ in: 4, kept: 4 });
    expect(notes.local.inputs[0].sha256).toBe(sha256(readFileSync(join(root, "raw/notes.jsonl"))));
    expect(wiki.counts).toMatchObject({ in: 2, kept: 1, rejected: { unclosed_doc: 1 } });
    expect(wiki.params.license_tag).toBe("CC-BY-SA-4.0");

    const listed: Output[] = inv.sources.flatMap((s: { outputs?: Output[] }) => s.outputs ?? []);
    for (const o of listed) {
      const b = readFileSync(join(out, o.path));
      expect([o.path, o.sha256, o.bytes]).toEqual([o.path, sha256(b), b.length]);
    }
    const onDisk = allFiles(out)
      .map((f) => relative(out, f))
      .filter((f) => !f.startsWith(".hf-state/") && f !== "ingest.manifest.json");
    expect(listed.map((o) => o.path).sort()).toEqual(onDisk);
    expect(onDisk).toContain("c4_en/web/part-00001.jsonl.zst");
    expect(
      textOf(join(out, "notes/notes/part-00000.jsonl.zst"))
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).doc_id),
    ).toEqual(["n0", "n1", "n2", "n3"]);
    expect(
      textOf(join(out, "c4_en/web/part-00000.jsonl.zst"))
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).text),
    ).toEqual(c4Rows.slice(0, 15).map((r) => r.text));

    const again = await gammaOk(["ingest-manifest", "--manifest", manifestPath, "--out-dir", out], env);
    expect(again.stderr).toContain("skipped");
    const inv2 = JSON.parse(readFileSync(join(out, "ingest.manifest.json"), "utf8"));
    expect(inv2.sources[0].outputs).toEqual(edu.outputs);
    expect(inv2.sources[0].shards_skipped).toBe(2);
  });

  test("a bad entry exits 2 naming its field path", async () => {
    const bad = join(root, "bad.yaml");
    writeFileSync(bad, MANIFEST.replace("      format: jsonl\n", "      formt: jsonl\n"));
    const r = await gamma(["ingest-manifest", "--manifest", bad, "--out-dir", join(root, "bad-out")], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("sources[2].local.formt (notes)");
    const noDomain = join(root, "nodomain.yaml");
    writeFileSync(noDomain, MANIFEST.replace("      domain: notes\n", ""));
    const r2 = await gamma(["ingest-manifest", "--manifest", noDomain, "--out-dir", join(root, "bad-out")], env);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("sources[2].local.domain (notes)");
  });
});
