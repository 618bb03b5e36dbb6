import { describe, expect, test } from "bun:test";
import { canonicalLang, configMatchesLang, parseLangCode } from "../../src/ingest/lang-code.ts";

describe("language codes in config names", () => {
  test("eng does not match asm_Beng (substring Beng contains eng)", () => {
    expect("asm_Beng".includes("eng")).toBe(true); // the trap
    expect(configMatchesLang("asm_Beng", { lang: "eng" })).toBe(false);
    expect(configMatchesLang("eng_Latn", { lang: "eng" })).toBe(true);
  });

  test("parses lang_Script, lang_Script_variant, wiki dump and plain names", () => {
    expect(parseLangCode("asm_Beng")).toEqual({ lang: "asm", script: "Beng" });
    expect(parseLangCode("deu_Latn_removed")).toEqual({ lang: "deu", script: "Latn", variant: "removed" });
    expect(parseLangCode("20231101.en")).toEqual({ lang: "en" });
    expect(parseLangCode("20231101.zh-min-nan")).toEqual({ lang: "zh", variant: "min-nan" });
    expect(parseLangCode("en.noblocklist")).toEqual({ lang: "en", variant: "noblocklist" });
    expect(parseLangCode("default")).toBeNull();
    expect(parseLangCode("CC-MAIN-2024-10")).toBeNull();
    expect(parseLangCode("sample-10BT")).toBeNull();
  });

  test("ISO 639-1 and 639-3 name the same language", () => {
    expect(configMatchesLang("20231101.en", { lang: "eng" })).toBe(true);
    expect(configMatchesLang("eng_Latn", { lang: "en" })).toBe(true);
    expect(configMatchesLang("20231101.de", { lang: "eng" })).toBe(false);
    expect(canonicalLang("zho")).toBe(canonicalLang("zh"));
  });

  test("script filters on the parsed script, case-insensitively, and needs one", () => {
    expect(configMatchesLang("srp_Cyrl", { lang: "srp", script: "Latn" })).toBe(false);
    expect(configMatchesLang("srp_Latn", { lang: "srp", script: "latn" })).toBe(true);
    expect(configMatchesLang("hin_Deva", { script: "Deva" })).toBe(true);
    expect(configMatchesLang("20231101.hi", { script: "Deva" })).toBe(false);
  });

  test("no filter matches everything, a filter never matches a name without a code", () => {
    expect(configMatchesLang("default", {})).toBe(true);
    expect(configMatchesLang("default", { lang: "eng" })).toBe(false);
  });
});
