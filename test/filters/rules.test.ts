import { describe, expect, test } from "bun:test";
import { ANCHORS, KEYWORDS, isBoilerplateLine } from "../../src/filters/boilerplate.ts";
import { applyRules, buildRules, DEFAULT_FILTERS, NO_FILTERS, type FilterConfig } from "../../src/filters/rules.ts";

const only = (over: Partial<FilterConfig>) => buildRules({ ...NO_FILTERS, ...over });
const prose = (words: number) => Array.from({ length: words }, (_, i) => `word${"abcdefghij"[i % 10]}`).join(" ");

describe("filter rules", () => {
  test("say why they drop a document, with the numbers", () => {
    expect(applyRules(only({ min_chars: 100 }), "Too short.")).toEqual({ reason: "min_chars_v1", detail: "10 chars < 100" });
    expect(applyRules(only({ max_chars: 5 }), "a😀cdef")).toEqual({ reason: "max_chars_v1", detail: "6 chars > 5" });
    expect(applyRules(only({ min_words: 20 }), prose(19))).toEqual({ reason: "min_words_v1", detail: "19 words < 20" });
    expect(applyRules(only({ min_alpha_ratio: 0.6 }), "ab 12")).toEqual({ reason: "alpha_ratio_v1", detail: "alphabetic ratio 0.5 < 0.6" });
    expect(applyRules(only({ min_ascii_ratio: 0.9 }), "abéé")).toEqual({ reason: "ascii_ratio_v1", detail: "ASCII ratio 0.5 < 0.9" });
    expect(applyRules(only({ max_boilerplate_line_fraction: 0.3 }), "We use cookies.\nAll rights reserved.\nA real line.")).toEqual({
      reason: "boilerplate_v1",
      detail: "2/3 boilerplate lines (cookie, JavaScript, rights notices) > 0.3",
    });
    expect(applyRules(only({ max_repeated_line_fraction: 0.3 }), "a b\nc d\n a b\na b \t")).toEqual({
      reason: "repeated_lines_v1",
      detail: "2/4 lines repeat an earlier line > 0.3",
    });
  });

  test("keep what they have no reason to drop", () => {
    expect(applyRules(buildRules(DEFAULT_FILTERS), prose(40))).toBeNull();
    expect(applyRules(only({ max_repeated_line_fraction: 0 }), "same\nsame")).toBeNull(); // fewer than 3 lines
    expect(applyRules(buildRules(NO_FILTERS), "")).toBeNull();
  });

  test("the first rule that drops decides", () => {
    expect(applyRules(buildRules(DEFAULT_FILTERS), "© x\n© x\n© x")?.reason).toBe("min_chars_v1");
  });

  test("a negative boilerplate bound drops a text with a keyword but no boilerplate line, and keeps one without", () => {
    const rules = only({ max_boilerplate_line_fraction: -1 });
    expect(applyRules(rules, "a cookie jar\nanother line")).toEqual({
      reason: "boilerplate_v1",
      detail: "0/2 boilerplate lines (cookie, JavaScript, rights notices) > -1",
    });
    expect(applyRules(rules, "a biscuit jar\nanother line")).toBeNull();
  });
});

describe("boilerplate anchors", () => {
  test("every keyword holds its anchor, in either case", () => {
    expect(ANCHORS.length).toBe(KEYWORDS.length);
    KEYWORDS.forEach((k, i) => {
      expect(k.toLowerCase()).toContain(ANCHORS[i]!);
      expect(k.toUpperCase()).toContain(ANCHORS[i]!.toUpperCase());
    });
  });

  test("a boilerplate line holds a keyword", () => {
    const lines = [
      "We use cookies",
      "cookie settings",
      "Enable JavaScript",
      "JavaScript required",
      "All rights reserved",
      "© 2020",
      "(c) 2020",
      "Copyright 2020",
      "Privacy Policy",
      "Terms of use",
    ];
    for (const line of lines) {
      expect(isBoilerplateLine(line)).toBe(true);
      expect(KEYWORDS.some((k) => line.toLowerCase().includes(k))).toBe(true);
    }
  });
});
