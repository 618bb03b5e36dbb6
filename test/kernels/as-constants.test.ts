import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_BOILERPLATE_LINE } from "../../src/filters/boilerplate.ts";
import { ANCHOR_INDEX, ASCII, LETTER, SLOW, SPACE, TRIM } from "../../src/filters/code-unit-class.ts";
import {
  ANCHOR_AT,
  ASTRAL_AT,
  CAND_AT,
  CAND_END,
  CLASS_AT,
  EV_ASTRAL,
  EV_CLASS,
  EV_DONE,
  EV_ROOM,
  F,
  LINES_PER_STEP,
  NIBBLE_AT,
  STATE_AT,
} from "../../src/filters/text-scan-kernel.ts";
import { PERM_MIX } from "../../src/kernels/minhash.ts";

/**
 * The AssemblyScript kernels restate some constants of the TypeScript that drives them (the
 * compiler cannot import project modules): the constants a kernel file declares must equal them.
 */
function kernelConstants(file: string): Record<string, number> {
  const src = readFileSync(join(import.meta.dir, "../../src/kernels/as", file), "utf8");
  const out: Record<string, number> = {};
  for (const m of src.matchAll(/(?:^|[,\s])(?:const\s+)?([A-Z][A-Z0-9_]*)(?::\s*\w+)?\s*=\s*([^,;\n]+)/gm)) {
    const [, name, expr] = m;
    const js = expr!.replace(/<\w+>/g, "").replace(/\b[A-Z][A-Z0-9_]*\b/g, (n) => (n in out ? String(out[n]) : n));
    if (/^[\d\sa-fx+\-*<>()|&]+$/i.test(js)) out[name!] = Number(new Function(`return (${js}) >>> 0`)());
  }
  return out;
}

describe("AssemblyScript kernels restate the driver's constants", () => {
  test("text scan: memory layout, classes, events and state fields", () => {
    const k = kernelConstants("text-scan.ts");
    expect(k).toMatchObject({
      CLASS_AT,
      ANCHOR_AT,
      ASTRAL_AT,
      STATE_AT,
      NIBBLE_AT,
      CAND_AT,
      CAND_END,
      LINES_PER_STEP,
      MAX_BOILERPLATE_LINE,
    });
    expect(k).toMatchObject({ ANCHOR_INDEX, ASCII, SPACE, LETTER, TRIM, SLOW, EV_DONE, EV_CLASS, EV_ASTRAL, EV_ROOM });
    const fields = Object.entries(k)
      .filter(([n]) => n.startsWith("S_"))
      .map(([n, v]) => [
        n
          .slice(2)
          .toLowerCase()
          .replace(/_(.)/g, (_, c: string) => c.toUpperCase()),
        v,
      ]);
    expect(Object.fromEntries(fields)).toEqual(F);
  });

  test("near: the permutations' mixing constant", () => {
    expect(kernelConstants("near.ts").PERM_MIX).toBe(PERM_MIX >>> 0);
  });
});
