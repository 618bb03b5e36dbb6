import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { codeFilterConfig } from "../../src/code/config.ts";
import { CodeRules, type CodeFilterConfig } from "../../src/code/rules.ts";
import { missing, pythonLibs } from "./machine-code.ts";

/**
 * Labels from Python's own parser (scripts/fixtures/make-python-truncated.py):
 * standard-library files, whole and cut short at a point between 30 and 70 %.
 */
interface Row {
  path: string;
  sha256: string;
  cut_byte: number;
  whole_accepted: boolean;
  cut_accepted: boolean;
}
const fixture = JSON.parse(readFileSync(join(import.meta.dir, "../fixtures/code/python-truncated.json"), "utf8")) as {
  stdlib: string;
  files: Row[];
};

/** The labelled files found on this machine with the same bytes. */
function found(): { row: Row; data: Buffer }[] {
  const roots = [fixture.stdlib, ...pythonLibs()];
  const out: { row: Row; data: Buffer }[] = [];
  for (const row of fixture.files) {
    for (const r of roots) {
      const p = join(r, row.path);
      if (!existsSync(p)) continue;
      const data = readFileSync(p);
      if (new Bun.CryptoHasher("sha256").update(data).digest("hex") === row.sha256) {
        out.push({ row, data });
        break;
      }
    }
  }
  return out;
}

const files = found();
const enough = files.length >= 100;
if (!enough) missing(`the Python library files labelled in python-truncated.json (${files.length} of ${fixture.files.length} found)`);

/** Only the syntax rule, for Python. */
const syntaxOnly: CodeFilterConfig = {
  ...(Object.fromEntries(Object.keys(codeFilterConfig()).map((k) => [k, null])) as unknown as CodeFilterConfig),
  syntax_error_languages: ["python"],
  stars_high: 100,
  stars_mid: 10,
  stars_keep_mid: 0.8,
};

describe("syntax_error_v1 against Python's parser", () => {
  test.skipIf(!enough)("drops at least 95 % of cut-short files Python rejects, and at most 1 % of files it accepts", async () => {
    const rules = new CodeRules(syntaxOnly, 0);
    const judge = async (text: string) =>
      (await rules.judge(text, { docId: "x", path: "x.py", language: "python", stars: null }))?.reason ?? null;
    let rejected = 0;
    let caught = 0;
    let accepted = 0;
    let falseDrops = 0;
    for (const { row, data } of files) {
      const cut = data.subarray(0, row.cut_byte).toString("utf8");
      for (const [text, ok] of [
        [data.toString("utf8"), row.whole_accepted],
        [cut, row.cut_accepted],
      ] as const) {
        const reason = await judge(text);
        if (reason !== null) expect(reason).toBe("syntax_error_v1");
        if (ok) {
          accepted++;
          if (reason !== null) falseDrops++;
        } else {
          rejected++;
          if (reason !== null) caught++;
        }
      }
    }
    console.log(`syntax_error_v1: ${caught}/${rejected} rejected files dropped, ${falseDrops}/${accepted} accepted files dropped`);
    expect(rejected).toBeGreaterThan(50);
    expect(accepted).toBeGreaterThan(100);
    expect(caught / rejected).toBeGreaterThanOrEqual(0.95);
    expect(falseDrops / accepted).toBeLessThanOrEqual(0.01);
  });
});
