import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AppendFile, mapU32 } from "../../src/near/work-files.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir();

describe("AppendFile", () => {
  test("keeps the order of appends of every size: staged small ones, big ones written through", () => {
    // Sizes in u32s around the staging thresholds (1 MiB staged, appends of 256 KiB and more
    // written directly), mixed so that big appends come while small ones wait.
    const sizes = [0, 1, 7, 1000, 65_536, 100, 70_000, 3, 262_144, 5, 300_000, 200_000, 17, 65_535, 65_536, 1, 400_000, 2];
    let next = 1;
    const parts = sizes.map((n) => Uint32Array.from({ length: n }, () => next++));
    const path = join(dir, "rows.u32");
    const f = new AppendFile(path);
    let total = 0;
    for (const p of parts) {
      // A view into a bigger buffer, as callers pass.
      const host = new Uint32Array(p.length + 3);
      host.set(p, 2);
      f.append(host.subarray(2, 2 + p.length));
      total += p.length;
      expect(f.size).toBe(4 * total);
    }
    f.close();
    const rows = mapU32(path, f.size);
    expect(rows.length).toBe(total);
    let ok = true;
    for (let i = 0; i < rows.length; i++) if (rows[i] !== i + 1) ok = false;
    expect(ok).toBe(true);
    expect(readFileSync(path).length).toBe(4 * total);
    expect(() => f.append(new Uint32Array(1))).toThrow(/after close/);
  });
});
