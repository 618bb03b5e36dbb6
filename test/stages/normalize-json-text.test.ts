import { describe, expect, test } from "bun:test";
import { jsonStringBytes, jsonTextKernel } from "../../src/stages/normalize-json-text.ts";
import { randomTexts } from "../filters/text-scan-reference.ts";

/** What the kernel must reproduce: JSON.stringify, encoded as UTF-8 by Buffer. */
const want = (s: string, before = "", after = "") => Buffer.from(before + JSON.stringify(s) + after);
const got = (s: string, before = "", after = "") => {
  const bytes = jsonTextKernel()?.encode(s, before, after);
  if (!bytes) throw new Error("the WebAssembly JSON text kernel did not run");
  return Buffer.from(bytes);
};

describe("JSON text kernel", () => {
  test("gives JSON.stringify's bytes for every BMP code unit, alone and between printable ASCII", () => {
    const pad = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (let u = 0; u < 0x10000; u++) {
      const ch = String.fromCharCode(u);
      if (!got(ch).equals(want(ch)) || !got(pad + ch + pad).equals(want(pad + ch + pad))) {
        throw new Error(
          `U+${u.toString(16).padStart(4, "0")}: ${got(pad + ch + pad).toString("hex")} != ${want(pad + ch + pad).toString("hex")}`,
        );
      }
    }
  });

  test("writes a surrogate pair as one four-byte code point and a lone surrogate as a lowercase \\u escape", () => {
    expect(got("x😀y").toString()).toBe('"x😀y"');
    expect(got("\udbff\udfff")).toEqual(Buffer.from([0x22, 0xf4, 0x8f, 0xbf, 0xbf, 0x22]));
    expect(got("a\ud83d").toString()).toBe('"a\\ud83d"');
    expect(got("\ude00\ud83d").toString()).toBe('"\\ude00\\ud83d"');
    expect(got('\u0001\u001f\b\t\n\f\r"\\/\u007f').toString()).toBe('"\\u0001\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f"');
  });

  test("puts the bytes before and after around the JSON text, as UTF-8", () => {
    expect(got("é", '{"text":', ',"x":"ü😀"}\n')).toEqual(want("é", '{"text":', ',"x":"ü😀"}\n'));
  });

  test("matches JSON.stringify on seeded random texts, long ones included", () => {
    const texts = randomTexts(5, 600);
    const all = texts.join("\n");
    texts.push(all.repeat(Math.ceil(4e6 / all.length))); // millions of units: the kernel's memory grows
    for (const s of texts) expect(got(s, "[", "]").equals(want(s, "[", "]"))).toBe(true);
  });

  test("leaves a string of more than 2^24 code units to JSON.stringify, with the same bytes", () => {
    const s = 'a"é\n'.repeat(4_500_000);
    expect(jsonTextKernel()!.encode(s, "", "")).toBeNull();
    expect(Buffer.from(jsonStringBytes(s, "[", "]")).equals(want(s, "[", "]"))).toBe(true);
  });
});
