import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseTree, syntaxLanguages, upgradeDylink } from "../../src/code/syntax.ts";

const PY = existsSync("/usr/lib")
  ? readdirSync("/usr/lib").filter((d) => /^python3\.\d+$/.test(d)).map((d) => `/usr/lib/${d}/json/decoder.py`).find(existsSync)
  : undefined;

describe("syntax trees", () => {
  test("every shipped grammar loads and parses a snippet", async () => {
    const langs = syntaxLanguages();
    expect(langs).toContain("python");
    expect(langs).toContain("typescript");
    for (const l of langs) {
      const t = await parseTree(l, "x\n");
      expect(t).not.toBeNull();
      t!.delete();
    }
  });

  test("a language without a grammar gives null", async () => {
    expect(await parseTree("cobol", "IDENTIFICATION DIVISION.")).toBeNull();
  });

  test("offsets are UTF-16 indices into the string, also after astral characters", async () => {
    const text = "s = 'é😀'\nname_after = 1\n";
    const t = (await parseTree("python", text))!;
    const ids: string[] = [];
    t.walk((n) => {
      if (n.type === "identifier") ids.push(text.slice(n.start, n.end));
    });
    t.delete();
    expect(ids).toEqual(["s", "name_after"]);
  });

  test("a truncated statement is an error with a count, a whole one is not", async () => {
    const bad = (await parseTree("python", "def f(x):\n    return (x +\n"))!;
    expect(bad.hasError).toBe(true);
    expect(bad.errorCount).toBeGreaterThan(0);
    bad.delete();
    const good = (await parseTree("javascript", "function f(x) { return x + 1; }\n"))!;
    expect(good.hasError).toBe(false);
    expect(good.errorCount).toBe(0);
    expect(good.topLevel().map((n) => n.type)).toEqual(["function_declaration"]);
    good.delete();
  });

  test.skipIf(PY === undefined)("a real Python module parses cleanly and its functions slice out as text", async () => {
    const text = readFileSync(PY!, "utf8");
    const t = (await parseTree("python", text))!;
    expect(t.hasError).toBe(false);
    const defs: string[] = [];
    t.walk((n) => {
      if (n.type === "function_definition") defs.push(text.slice(n.start, n.end));
    });
    t.delete();
    expect(defs.length).toBeGreaterThan(2);
    for (const d of defs) expect(d.startsWith("def ")).toBe(true);
  });

  test("modules that already carry dylink.0 pass through unchanged", () => {
    const plain = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 0, 0]);
    expect(upgradeDylink(plain)).toBe(plain);
  });
});
