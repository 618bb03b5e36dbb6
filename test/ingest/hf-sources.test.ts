import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { checkDatasetId } from "../../src/ingest/hf-hub.ts";
import { HF_SOURCES, hfSource, sourceConfig } from "../../src/ingest/hf-sources.ts";

describe("built-in Hub sources", () => {
  test("has its seven built-in sources, each with a valid dataset id, text field, domain and licence", () => {
    expect(Object.keys(HF_SOURCES).sort()).toEqual([
      "c4",
      "fineweb",
      "fineweb-edu",
      "fineweb2",
      "starcoderdata",
      "the-stack-dedup",
      "wikipedia",
    ]);
    for (const s of Object.values(HF_SOURCES)) {
      expect(() => checkDatasetId(s.datasetId)).not.toThrow();
      expect(s.textField.length).toBeGreaterThan(0);
      expect(s.domain.length).toBeGreaterThan(0);
      expect(s.licenseTag.length).toBeGreaterThan(0);
      if (s.needsConfig) expect(s.defaultConfig).toBeDefined();
    }
  });

  test("fineweb2 needs a config and defaults to eng_Latn; --config-name overrides it", () => {
    const s = hfSource("fineweb2");
    expect(s.datasetId).toBe("HuggingFaceFW/fineweb-2");
    expect(s.needsConfig).toBe(true);
    expect(sourceConfig(s)).toBe("eng_Latn");
    expect(sourceConfig(s, "deu_Latn")).toBe("deu_Latn");
  });

  test("code sources read their content column and lay subsets out as directories", () => {
    expect(hfSource("the-stack-dedup").textField).toBe("content");
    expect(hfSource("the-stack-dedup").dataDir!("python")).toEqual(["data/python/*.parquet"]);
    expect(hfSource("starcoderdata").dataDir!("python")).toEqual(["python/*.parquet"]);
    expect(hfSource("starcoderdata").gated).toBe(true);
  });

  test("an unknown source name is a ConfigError that lists the known ones", () => {
    expect(() => hfSource("fineweb3")).toThrow(ConfigError);
    expect(() => hfSource("fineweb3")).toThrow(/fineweb, fineweb-edu, fineweb2/);
  });
});
