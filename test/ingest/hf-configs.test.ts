import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { configsFromCardData, hfConfigs, listDataFiles, pickConfig } from "../../src/ingest/hf-configs.ts";
import { HfHubClient } from "../../src/ingest/hf-hub.ts";
import { globToRegExp } from "../../src/ingest/path-glob.ts";
import { HubStandIn } from "../helpers/hub-stand-in.ts";
import { ALL, FW2 } from "./hub-fixtures.ts";

let hub: HubStandIn;
let client: HfHubClient;
beforeAll(() => {
  hub = HubStandIn.start({ datasets: ALL, treePageSize: 4 });
  client = new HfHubClient({ endpoint: hub.endpoint, token: null, retry: { sleep: async () => {}, onRetry: () => {} } });
});
afterAll(() => hub.stop());

describe("hfConfigs", () => {
  test("lists the card's configs with their splits", async () => {
    const cs = await hfConfigs(FW2, { client });
    expect(cs.map((c) => c.name)).toEqual(["deu_Latn", "deu_Latn_removed", "asm_Beng", "asm_Beng_removed", "fra_Latn"]);
    expect(cs[0].splits).toEqual(["train", "test"]);
    expect(cs[0].dataFiles.train).toEqual(["data/deu_Latn/train/*"]);
  });

  test("--lang eng does not list asm_Beng", async () => {
    const cs = await hfConfigs(FW2, { lang: "eng", client });
    expect(cs.map((c) => c.name)).toEqual([]);
  });

  test("filters on parsed language and script", async () => {
    expect((await hfConfigs(FW2, { lang: "asm", client })).map((c) => c.name)).toEqual(["asm_Beng", "asm_Beng_removed"]);
    expect((await hfConfigs(FW2, { script: "Beng", client })).map((c) => c.name)).toEqual(["asm_Beng", "asm_Beng_removed"]);
    expect((await hfConfigs(FW2, { lang: "de", script: "Latn", client })).map((c) => c.name)).toEqual(["deu_Latn", "deu_Latn_removed"]);
  });

  test("lists configs at an older revision", async () => {
    const cs = await hfConfigs(FW2, { revision: "v2.0.0", client });
    expect(cs.map((c) => c.name)).toEqual(["deu_Latn", "deu_Latn_removed"]);
  });

  test("falls back to the Parquet export when the card declares no configs", async () => {
    const cs = await hfConfigs("someone/plain-csv", { client });
    expect(cs.map((c) => [c.name, c.origin, c.splits])).toEqual([["default", "parquet-export", ["test", "train"]]]);
  });

  test("reads every data_files form of a card", () => {
    const cs = configsFromCardData({
      configs: [
        { config_name: "a", data_files: "a.csv" },
        { config_name: "b", data_files: ["b1.parquet", "b2.parquet"], default: true },
        {
          config_name: "c",
          data_files: [
            { split: "train", path: ["c/t1/*", "c/t2/*"] },
            { split: "validation", path: "c/v/*" },
          ],
        },
        { config_name: "d", data_dir: "d/" },
      ],
    });
    expect(cs.map((c) => [c.name, c.dataFiles, c.isDefault])).toEqual([
      ["a", { train: ["a.csv"] }, false],
      ["b", { train: ["b1.parquet", "b2.parquet"] }, true],
      ["c", { train: ["c/t1/*", "c/t2/*"], validation: ["c/v/*"] }, false],
      ["d", { train: ["d/**"] }, false],
    ]);
  });

  test("a missing config names configs of the same language", () => {
    const cs = configsFromCardData({
      configs: [{ config_name: "deu_Latn" }, { config_name: "asm_Beng" }, { config_name: "deu_Latn_removed" }],
    });
    const err = (() => {
      try {
        pickConfig(FW2, cs, "deu_Cyrl");
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toContain('config "deu_Cyrl" does not exist');
    expect(err!.message).toContain("same language: deu_Latn, deu_Latn_removed");
    expect(err!.message).not.toContain("asm_Beng");
  });

  test("lists the streamable files that match a config's patterns, sorted", async () => {
    const files = await listDataFiles(client, FW2, hub.shaOf(FW2, "c2"), ["data/deu_Latn/train/*"]);
    expect(files.map((f) => f.path)).toEqual(["data/deu_Latn/train/000_00000.parquet", "data/deu_Latn/train/000_00001.parquet"]);
    expect(files[0].url).toBe(`${hub.endpoint}/datasets/${FW2}/resolve/${hub.shaOf(FW2, "c2")}/data/deu_Latn/train/000_00000.parquet`);
    expect(files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("globToRegExp", () => {
  test("* and ? stay in one segment, ** crosses segments", () => {
    expect(globToRegExp("data/*/*").test("data/CC-MAIN-2013-20/000_00000.parquet")).toBe(true);
    expect(globToRegExp("data/*").test("data/CC-MAIN-2013-20/000_00000.parquet")).toBe(false);
    expect(globToRegExp("data/**").test("data/a/b/c.parquet")).toBe(true);
    expect(globToRegExp("**/*.parquet").test("x.parquet")).toBe(true);
    expect(globToRegExp("en/c4-train.*.json.gz").test("en/c4-train.00000-of-01024.json.gz")).toBe(true);
    expect(globToRegExp("en/c4-train.*.json.gz").test("en/c4-trainX00000.json.gz")).toBe(false);
    expect(globToRegExp("data/train-0000[0-2]-*").test("data/train-00003-of-9")).toBe(false);
  });
});
