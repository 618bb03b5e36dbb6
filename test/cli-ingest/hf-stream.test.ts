import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubStandIn } from "../helpers/hub-stand-in.ts";
import {
  DATASETS,
  EDU,
  FW,
  FW2,
  TOKEN,
  UNGRANTED,
  c4Rows,
  deuTrain0,
  deuTrain1,
  eduCC,
  eduOld,
  edu0,
  edu1,
  eduParquet,
  fwRows,
  stackRows,
} from "./hub.ts";
import { allFiles, gamma, gammaOk, jsonOut, sha256, textOf } from "./run.ts";

let hub: HubStandIn;
let env: Record<string, string>;
const root = mkdtempSync(join(tmpdir(), "gamma-cli-hf-"));
let n = 0;
const fresh = () => join(root, `out-${n++}`);
beforeAll(() => {
  hub = HubStandIn.start({ datasets: DATASETS, token: TOKEN, ungrantedToken: UNGRANTED, treePageSize: 3 });
  env = { HF_ENDPOINT: hub.endpoint };
});
afterAll(() => {
  hub.stop();
  rmSync(root, { recursive: true, force: true });
});

const docsOf = (path: string) =>
  textOf(path)
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const manifestOf = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const cdnSince = (before: number) => hub.requests.slice(before).filter((r) => r.server === "cdn" && r.method === "GET");

describe("gamma hf-stream", () => {
  test("pins the revision, writes one shard per remote file with the file's provenance, and keeps the registry's fields", async () => {
    const out = fresh();
    const r = jsonOut<{ sources: { source: string; resolved_sha: string; files: number; skipped: number }[] }>(
      await gammaOk(["hf-stream", "--source", "fineweb-edu", "--config-name", "CC-MAIN-2024-10", "--out-dir", out], env),
    );
    const sha = hub.shaOf(EDU, "e2");
    expect(r.sources[0]).toMatchObject({ source: "fineweb-edu", resolved_sha: sha, files: 2, skipped: 0 });
    const dir = join(out, "fineweb-edu/web_edu");
    const d0 = docsOf(join(dir, "part-00000.jsonl.zst"));
    const d1 = docsOf(join(dir, "part-00001.jsonl.zst"));
    expect(d0.map((d) => [d.doc_id, d.text])).toEqual(edu0.map((e) => [e.id, e.text]));
    expect(d1.map((d) => [d.doc_id, d.text])).toEqual(edu1.map((e) => [e.id, e.text]));
    expect(d0[0]).toMatchObject({
      source: "fineweb-edu",
      domain: "web_edu",
      license_tag: "ODC-By-1.0",
      meta: { url: edu0[0]!.url, score: edu0[0]!.score },
    });

    const m = manifestOf(join(dir, "part-00001.manifest.json"));
    const path = "data/CC-MAIN-2024-10/train-00001-of-00002.parquet";
    const bytes = eduParquet(edu1);
    expect(m.inputs).toEqual([
      {
        path,
        sha256: sha256(bytes),
        bytes: bytes.length,
        url: `${hub.endpoint}/datasets/${EDU}/resolve/${sha}/${path}`,
        revision: sha,
        git_oid: expect.any(String),
      },
    ]);
    expect(m.params.hf).toEqual({
      dataset: EDU,
      config: "CC-MAIN-2024-10",
      split: "train",
      revision: "main",
      resolved_sha: sha,
      file: path,
      file_index: 1,
      files_total: 2,
      complete: true,
    });
    expect(m.params.text_field).toBe("text");
    expect(m.counts).toMatchObject({ in: 6, kept: 6 });
    expect(allFiles(join(out, ".hf-state")).length).toBe(1);
  });

  test("a rerun skips the finished files without downloading them and leaves the shards as they were", async () => {
    const out = fresh();
    const args = ["hf-stream", "--source", "fineweb-edu", "--config-name", "CC-MAIN-2024-10", "--out-dir", out, "--revision", "main"];
    await gammaOk(args, env);
    const shard = join(out, "fineweb-edu/web_edu/part-00000.jsonl.zst");
    const before = readFileSync(shard);
    const mark = hub.requests.length;
    const r = jsonOut<{ sources: { skipped: number; shards: string[] }[]; counts: { kept: number } }>(await gammaOk(args, env));
    expect(cdnSince(mark)).toEqual([]);
    expect(r.sources[0]!.skipped).toBe(2);
    expect(r.sources[0]!.shards.length).toBe(2);
    expect(r.counts.kept).toBe(eduCC.length);
    expect(readFileSync(shard).equals(before)).toBe(true);
  });

  test("--limit cuts a file short; the next run restarts that file only and completes its shard", async () => {
    const out = fresh();
    const args = ["hf-stream", "--source", "fineweb2", "--config-name", "deu_Latn", "--filters", "none", "--out-dir", out];
    await gammaOk([...args, "--limit", "35"], env);
    const dir = join(out, "fineweb2/web_multilingual");
    expect(docsOf(join(dir, "part-00000.jsonl.zst")).length).toBe(30);
    expect(docsOf(join(dir, "part-00001.jsonl.zst")).map((d) => d.doc_id)).toEqual(deuTrain1.slice(0, 5).map((d) => d.id));
    expect(manifestOf(join(dir, "part-00001.manifest.json")).params.hf.complete).toBe(false);
    const mark = hub.requests.length;
    await gammaOk(args, env);
    expect(cdnSince(mark).every((q) => q.path.includes("000_00001.parquet"))).toBe(true);
    expect(docsOf(join(dir, "part-00001.jsonl.zst")).map((d) => d.text)).toEqual(deuTrain1.map((d) => d.text));
    expect(manifestOf(join(dir, "part-00001.manifest.json")).params.hf.complete).toBe(true);
    expect(docsOf(join(dir, "part-00000.jsonl.zst")).map((d) => d.text)).toEqual(deuTrain0.map((d) => d.text));
  });

  test("a finished file whose shard was deleted is streamed again", async () => {
    const out = fresh();
    const args = ["hf-stream", "--source", "fineweb-edu", "--config-name", "CC-MAIN-2024-10", "--out-dir", out];
    await gammaOk(args, env);
    const manifest = join(out, "fineweb-edu/web_edu/part-00000.manifest.json");
    rmSync(manifest);
    const mark = hub.requests.length;
    await gammaOk(args, env);
    expect(existsSync(manifest)).toBe(true);
    const fetched = new Set(cdnSince(mark).map((q) => q.path.split("?")[0]));
    expect(fetched.size).toBe(1);
  });

  test("a rerun with other filters into the same folder is refused until --overwrite", async () => {
    const out = fresh();
    const args = ["hf-stream", "--source", "fineweb-edu", "--config-name", "CC-MAIN-2024-10", "--out-dir", out];
    await gammaOk(args, env);
    const r = await gamma([...args, "--filters", "none"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--overwrite");
    await gammaOk([...args, "--filters", "none", "--overwrite"], env);
    expect(manifestOf(join(out, "fineweb-edu/web_edu/part-00000.manifest.json")).params.filters.min_chars).toBeNull();
  });

  test("--revision pins a tag's commit", async () => {
    const out = fresh();
    const r = jsonOut<{ sources: { resolved_sha: string; revision: string }[] }>(
      await gammaOk(
        ["hf-stream", "--source", "fineweb-edu", "--config-name", "CC-MAIN-2024-10", "--revision", "v1.0.0", "--out-dir", out],
        env,
      ),
    );
    expect(r.sources[0]).toMatchObject({ revision: "v1.0.0", resolved_sha: hub.shaOf(EDU, "e1") });
    expect(docsOf(join(out, "fineweb-edu/web_edu/part-00000.jsonl.zst")).map((d) => d.text)).toEqual(eduOld.map((e) => e.text));
  });

  test("--config-name applies to every --source given", async () => {
    const out = fresh();
    const r = jsonOut<{ sources: { source: string; config: string; dataset: string }[] }>(
      await gammaOk(["hf-stream", "--source", "fineweb", "fineweb-edu", "--config-name", "CC-MAIN-2024-10", "--out-dir", out], env),
    );
    expect(r.sources.map((s) => [s.source, s.dataset, s.config])).toEqual([
      ["fineweb", FW, "CC-MAIN-2024-10"],
      ["fineweb-edu", EDU, "CC-MAIN-2024-10"],
    ]);
    expect(docsOf(join(out, "fineweb/web/part-00000.jsonl.zst")).map((d) => d.text)).toEqual(fwRows.map((e) => e.text));
    expect(docsOf(join(out, "fineweb-edu/web_edu/part-00001.jsonl.zst")).length).toBe(edu1.length);
  });

  test("fineweb2 without --config-name reads eng_Latn; when the Hub has none the error says to run hf-configs and pass --config-name", async () => {
    const r = await gamma(["hf-stream", "--source", "fineweb2", "--out-dir", fresh()], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"eng_Latn"');
    expect(r.stderr).toContain(`gamma hf-configs --dataset ${FW2}`);
    expect(r.stderr).toContain("--config-name");
  });

  test("--dataset streams gzipped JSON lines into DIR/<owner>__<name>/, derives doc ids from file path and line, and rejects a bad line with its location", async () => {
    const out = fresh();
    const r = jsonOut<{ counts: { in: number; kept: number; rejected: Record<string, number> } }>(
      await gammaOk(["hf-stream", "--dataset", "allenai/c4", "--config-name", "en", "--filters", "none", "--out-dir", out], env),
    );
    expect(r.counts).toMatchObject({ in: c4Rows.length + 1, kept: c4Rows.length, rejected: { bad_json: 1 } });
    const dir = join(out, "allenai__c4/web");
    const d0 = docsOf(join(dir, "part-00000.jsonl.zst"));
    expect(d0.map((d) => d.text)).toEqual(c4Rows.slice(0, 15).map((x) => x.text));
    expect(d0[2].doc_id).toBe("allenai__c4/en/c4-train.00000-of-00002.json.gz/3");
    expect(d0[0].meta).toEqual({ timestamp: c4Rows[0]!.timestamp, url: c4Rows[0]!.url });
    const rejects = docsOf(join(dir, "part-00001.rejects.jsonl.zst"));
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ reason: "bad_json", doc_id: "allenai__c4/en/c4-train.00001-of-00002.json.gz/11" });
    expect(rejects[0].detail).toContain("en/c4-train.00001-of-00002.json.gz:11");
  });

  test("--source c4 moves the source's date field to created_at", async () => {
    const out = fresh();
    await gammaOk(["hf-stream", "--source", "c4", "--filters", "none", "--limit", "3", "--out-dir", out], env);
    const docs = docsOf(join(out, "c4/web/part-00000.jsonl.zst"));
    expect(docs.map((d) => [d.created_at, d.meta])).toEqual(c4Rows.slice(0, 3).map((r) => [r.timestamp, { url: r.url }]));
    expect(docs[0].doc_id).toBe("c4/en/c4-train.00000-of-00002.json.gz/1");
  });

  test("--strict stops at the bad line with its location, keeps the finished file's shard and leaves none for the broken file", async () => {
    const out = fresh();
    const r = await gamma(
      ["hf-stream", "--dataset", "allenai/c4", "--config-name", "en", "--filters", "none", "--strict", "--out-dir", out],
      env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("en/c4-train.00001-of-00002.json.gz:11");
    const dir = join(out, "allenai__c4/web");
    expect(existsSync(join(dir, "part-00000.manifest.json"))).toBe(true);
    expect(allFiles(dir).filter((f) => f.includes("part-00001"))).toEqual([]);
  });

  test("429s, 5xx and a connection dropped mid-file are retried and give the same shards", async () => {
    const clean = fresh();
    const args = (out: string) => ["hf-stream", "--source", "fineweb2", "--config-name", "deu_Latn", "--filters", "none", "--out-dir", out];
    await gammaOk(args(clean), env);
    hub.fail({ status: 429, retryAfter: "0", times: 2, match: /\/tree\// });
    hub.fail({ status: 503, retryAfter: "0", times: 1, match: /^\/blobs\// });
    hub.drop({ afterBytes: 120, match: /000_00001\.parquet/ });
    const out = fresh();
    const r = await gammaOk(args(out), env);
    expect(r.stderr).toContain("HTTP 429");
    for (const f of ["part-00000.jsonl.zst", "part-00001.jsonl.zst", "part-00001.rejects.jsonl.zst"]) {
      expect(
        readFileSync(join(out, "fineweb2/web_multilingual", f)).equals(readFileSync(join(clean, "fineweb2/web_multilingual", f))),
      ).toBe(true);
    }
  });

  test("a gated dataset without HF_TOKEN exits 2 and says to set it", async () => {
    const r = await gamma(["hf-stream", "--source", "the-stack-dedup", "--out-dir", fresh()], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("HF_TOKEN");
    expect(r.stderr).toContain("gated");
  });

  test("HF_TOKEN opens a gated dataset and appears in no log, manifest, shard or state file", async () => {
    const out = fresh();
    const r = await gammaOk(["hf-stream", "--source", "the-stack-dedup", "--filters", "none", "--out-dir", out, "--verbose"], {
      ...env,
      HF_TOKEN: TOKEN,
    });
    const docs = docsOf(join(out, "the-stack-dedup/code/part-00000.jsonl.zst"));
    expect(docs.map((d) => d.text)).toEqual(stackRows.map((s) => s.text));
    expect(docs[0].doc_id).toBe("h0");
    const files = allFiles(out);
    expect(files.some((f) => f.includes(".hf-state"))).toBe(true);
    for (const text of [r.stdout, r.stderr, ...files.map(textOf)]) expect(text).not.toContain(TOKEN);
    const bad = await gamma(["hf-stream", "--source", "the-stack-dedup", "--out-dir", fresh()], {
      ...env,
      HF_TOKEN: "hf_wrong_token_0000",
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("HF_TOKEN");
    expect(bad.stderr).not.toContain("hf_wrong_token_0000");
  });

  test("a revision that does not exist exits 2", async () => {
    const r = await gamma(["hf-stream", "--source", "fineweb-edu", "--revision", "no-such-tag", "--out-dir", fresh()], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('revision "no-such-tag" does not exist');
  });

  test("--help names the built-in sources and the resume folder", async () => {
    const r = await gammaOk(["hf-stream", "--help"]);
    for (const s of ["fineweb-edu", "fineweb2", "eng_Latn", "the-stack-dedup", ".hf-state", "HF_TOKEN"]) expect(r.stdout).toContain(s);
  });
});
