import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { HfHubClient } from "../../src/ingest/hf-hub.ts";
import { hfSource } from "../../src/ingest/hf-sources.ts";
import { streamHfDataset, type HfRecord, type HfStreamOptions } from "../../src/ingest/hf-stream.ts";
import type { RawReject } from "../../src/ingest/raw-record.ts";
import { HubStandIn } from "../helpers/hub-stand-in.ts";
import { ALL, FW2, TOKEN, c4Rows, deuOld, deuTrain0, deuTrain1, exportRows, stackRows } from "./hub-fixtures.ts";

let hub: HubStandIn;
let dir: string;
const root = mkdtempSync(join(tmpdir(), "gamma-hfstream-"));
let n = 0;
const quiet = { baseDelayMs: 1, maxDelayMs: 4, sleep: async () => {}, onRetry: () => {} };
const client = (token: string | null = null) => new HfHubClient({ endpoint: hub.endpoint, token, retry: quiet });
const silent = () => {};

beforeAll(() => {
  hub = HubStandIn.start({ datasets: ALL, token: TOKEN, treePageSize: 2 });
});
beforeEach(() => {
  dir = join(root, `run-${n++}`);
});
afterAll(() => {
  hub.stop();
  rmSync(root, { recursive: true, force: true });
});

async function collect(opts: Partial<HfStreamOptions> & { datasetId: string }, stopAfter = Infinity) {
  const s = await streamHfDataset({ stateDir: dir, client: client(), log: silent, ...opts });
  const out: HfRecord[] = [];
  for await (const r of s.records()) {
    out.push(r);
    if (out.length >= stopAfter) break;
  }
  return { s, out };
}

const fw2Expected = [...deuTrain0, ...deuTrain1];

describe("streamHfDataset", () => {
  test("streams a config's split at the resolved commit, files in path order, and pins the sha in the state", async () => {
    const { s, out } = await collect({ datasetId: FW2, config: "deu_Latn" });
    const sha = hub.shaOf(FW2, "c2");
    expect(s.resolvedSha).toBe(sha);
    expect(s.files.map((f) => f.path)).toEqual(["data/deu_Latn/train/000_00000.parquet", "data/deu_Latn/train/000_00001.parquet"]);
    expect(out.map((r) => [r.fields.id, r.fields.text])).toEqual(fw2Expected.map((d) => [d.id, d.text]));
    expect(out[31].location).toBe(`hf://datasets/${FW2}@${sha.slice(0, 12)}/data/deu_Latn/train/000_00001.parquet#row 1`);
    expect(out[31].file).toBe("data/deu_Latn/train/000_00001.parquet");
    const state = JSON.parse(readFileSync(s.statePath, "utf8"));
    expect(state.resolvedSha).toBe(sha);
    expect(state.revision).toBe("main");
    expect(state.done).toEqual({
      "data/deu_Latn/train/000_00000.parquet": { rows: 30 },
      "data/deu_Latn/train/000_00001.parquet": { rows: 12 },
    });
  });

  test("a tag reads the files of the commit it names", async () => {
    const { s, out } = await collect({ datasetId: FW2, config: "deu_Latn", revision: "v2.0.0" });
    expect(s.resolvedSha).toBe(hub.shaOf(FW2, "c1"));
    expect(out.map((r) => r.fields.text)).toEqual(deuOld.map((d) => d.text));
  });

  test("another split of the same config", async () => {
    const { out } = await collect({ datasetId: FW2, config: "deu_Latn", split: "test" });
    expect(out.length).toBe(5);
  });

  test("a rerun skips finished files and restarts a partial file from its beginning", async () => {
    const first = await collect({ datasetId: FW2, config: "deu_Latn" }, 35); // file 0 done, file 1 at row 5
    expect(first.out.length).toBe(35);
    const before = hub.requests.length;
    const { out } = await collect({ datasetId: FW2, config: "deu_Latn" });
    expect(out.map((r) => r.fields.id)).toEqual(deuTrain1.map((d) => d.id));
    const fetched = hub.requests
      .slice(before)
      .filter((r) => r.server === "cdn")
      .map((r) => r.path);
    expect(fetched.every((p) => p.includes("000_00001.parquet"))).toBe(true);
    // the pin is reused: no second resolution of "main"
    expect(hub.requests.slice(before).some((r) => r.path.endsWith("/revision/main"))).toBe(false);
  });

  test("a run that finished everything yields nothing on a rerun and reads no file", async () => {
    await collect({ datasetId: FW2, config: "deu_Latn" });
    const before = hub.requests.length;
    const { out } = await collect({ datasetId: FW2, config: "deu_Latn" });
    expect(out).toEqual([]);
    expect(hub.requests.slice(before).some((r) => r.server === "cdn")).toBe(false);
  });

  test("--limit stops after N records, counting files finished by earlier runs", async () => {
    const a = await collect({ datasetId: FW2, config: "deu_Latn", limit: 30 });
    expect(a.out.length).toBe(30);
    // the limit ended exactly at the end of file 0, which is therefore done
    expect(JSON.parse(readFileSync(a.s.statePath, "utf8")).done).toEqual({ "data/deu_Latn/train/000_00000.parquet": { rows: 30 } });
    const b = await collect({ datasetId: FW2, config: "deu_Latn", limit: 35 });
    expect(b.out.map((r) => r.fields.id)).toEqual(deuTrain1.slice(0, 5).map((d) => d.id));
  });

  test("a file whose onFileDone fails is not recorded as done", async () => {
    const s = await streamHfDataset({
      datasetId: FW2,
      config: "deu_Latn",
      stateDir: dir,
      client: client(),
      log: silent,
      onFileDone: () => {
        throw new Error("disk full");
      },
    });
    const err = await (async () => {
      for await (const _ of s.records());
    })().catch((e) => e);
    expect(err.message).toBe("disk full");
    expect(JSON.parse(readFileSync(s.statePath, "utf8")).done).toEqual({});
  });

  test("a connection dropped mid-file resumes from the byte where it broke", async () => {
    hub.drop({ afterBytes: 150, match: /000_00000\.parquet/ });
    const before = hub.requests.length;
    const { out } = await collect({ datasetId: FW2, config: "deu_Latn" });
    expect(out.map((r) => r.fields.text)).toEqual(fw2Expected.map((d) => d.text));
    const cdn = hub.requests.slice(before).filter((r) => r.server === "cdn" && r.path.includes("000_00000.parquet"));
    const first = cdn[0].range!.match(/bytes=(\d+)-(\d+)/)!;
    expect(cdn[1].range).toBe(`bytes=${Number(first[1]) + 150}-${first[2]}`);
  });

  test("429 and 500 answers from the API and the CDN are retried", async () => {
    hub.fail({ status: 429, retryAfter: "0", times: 2, match: /\/tree\// });
    hub.fail({ status: 500, times: 2, match: /^\/blobs\// });
    hub.fail({ status: 503, times: 1, match: /\/resolve\// });
    const { out } = await collect({ datasetId: FW2, config: "deu_Latn" });
    expect(out.length).toBe(42);
    expect(hub.requests.filter((r) => r.status === 429 || r.status === 500 || r.status === 503).length).toBeGreaterThanOrEqual(5);
  });

  test("streams gzipped JSON lines (C4's layout) and rejects a bad line with its location", async () => {
    const rejects: RawReject[] = [];
    const src = hfSource("c4");
    const { s, out } = await collect({ datasetId: src.datasetId, config: "en", onReject: (r) => rejects.push(r) });
    expect(out.map((r) => r.fields)).toEqual(c4Rows);
    expect(rejects.length).toBe(1);
    expect(rejects[0].reason).toBe("bad_json");
    expect(rejects[0].location).toBe(`hf://datasets/allenai/c4@${s.resolvedSha.slice(0, 12)}/en/c4-train.00001-of-00002.json.gz:11`);
  });

  test("without an onReject handler a bad line throws", async () => {
    const err = await collect({ datasetId: "allenai/c4", config: "en" }).catch((e) => e);
    expect(err.code).toBe("record");
    expect(err.message).toContain("c4-train.00001-of-00002.json.gz:11");
  });

  test("without card configs the dataset viewer's Parquet export is read, pinned at its own commit", async () => {
    const { s, out } = await collect({ datasetId: "someone/plain-csv" });
    expect(s.revision).toBe("refs/convert/parquet");
    expect(s.resolvedSha).toBe(hub.shaOf("someone/plain-csv", "p1"));
    expect(out.map((r) => r.fields.text)).toEqual(exportRows.map((d) => d.text));
  });

  test("a gated source without a token fails with the HF_TOKEN message", async () => {
    const src = hfSource("the-stack-dedup");
    const s = await streamHfDataset({
      datasetId: src.datasetId,
      config: "python",
      dataFiles: src.dataDir!("python"),
      stateDir: dir,
      client: client(),
      log: silent,
    });
    const err = await (async () => {
      for await (const _ of s.records());
    })().catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("set HF_TOKEN");
  });

  test("a gated source with a granted token streams, and the token is not in the state file", async () => {
    const src = hfSource("the-stack-dedup");
    const s = await streamHfDataset({
      datasetId: src.datasetId,
      config: "python",
      dataFiles: src.dataDir!("python"),
      stateDir: dir,
      client: client(TOKEN),
      log: silent,
    });
    const texts: unknown[] = [];
    for await (const r of s.records()) texts.push(r.fields[src.textField]);
    expect(texts).toEqual(stackRows.map((d) => d.text));
    expect(s.files.map((f) => f.path)).toEqual(["data/python/data-00000-of-00001.parquet"]);
    expect(readFileSync(s.statePath, "utf8")).not.toContain(TOKEN);
  });

  test("a state pinned at one revision refuses a run at another", async () => {
    await collect({ datasetId: FW2, config: "deu_Latn" }, 1);
    const err = await streamHfDataset({
      datasetId: FW2,
      config: "deu_Latn",
      revision: "v2.0.0",
      stateDir: dir,
      client: client(),
      log: silent,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("needs a fresh --out-dir");
  });

  test("a split the config does not have is a ConfigError listing the splits", async () => {
    const err = await collect({ datasetId: FW2, config: "deu_Latn", split: "validation" }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("splits: train, test");
  });

  test("fineweb2's default config eng_Latn, absent here, is a ConfigError that points to hf-configs", async () => {
    const src = hfSource("fineweb2");
    const err = await collect({ datasetId: src.datasetId, config: src.defaultConfig }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('config "eng_Latn" does not exist');
    expect(err.message).toContain("gamma hf-configs");
  });
});
