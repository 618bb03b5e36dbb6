import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { excludeMatcher, fileItems, planFileChunks } from "../../src/code/file-tree.ts";
import { ConfigError } from "../../src/errors.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir();
function tree(files: Record<string, string | Uint8Array>): string {
  const root = join(dir, `t${Math.random().toString(36).slice(2)}`);
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), data);
  }
  return root;
}

describe("source trees", () => {
  test("excludes like .gitignore: names at any depth, rooted paths, directories only with a trailing slash", () => {
    const x = excludeMatcher(["node_modules/", "*.lock", "/build", "docs/gen/"]);
    expect(x("node_modules/a/index.js")).toBe(true);
    expect(x("pkg/node_modules/a.js")).toBe(true);
    expect(x("src/node_modules.ts")).toBe(false);
    expect(x("yarn.lock")).toBe(true);
    expect(x("sub/Cargo.lock")).toBe(true);
    expect(x("build/out.js")).toBe(true);
    expect(x("src/build/x.js")).toBe(false);
    expect(x("docs/gen/a.md")).toBe(true);
    expect(x("x/docs/gen/a.md")).toBe(false);
    expect(() => excludeMatcher(["!keep.js"])).toThrow(ConfigError);
  });

  test("plans shards from paths relative to each pattern's root, in byte order, cut at the shard size", () => {
    const root = tree({ "b.py": "x", "a/z.py": "x", "a/B.py": "x", "c.js": "x", "skip/d.py": "x" });
    const chunks = planFileChunks([join(root, "**", "*.py"), root], ["skip/"], 1000, 2);
    expect(chunks.map((c) => c.files)).toEqual([["a/B.py", "a/z.py"], ["b.py"], ["c.js"]]);
    expect(chunks.every((c) => c.root === root)).toBe(true);
  });

  test("rejects binary and oversized files with their reasons and keeps invalid UTF-8 flagged", async () => {
    const root = tree({
      "ok.py": "print(1)\n",
      "img.png": new Uint8Array([137, 80, 0, 1]),
      "big.txt": "x".repeat(50),
      "latin.txt": new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
    });
    const [chunk] = planFileChunks([root], [], 40);
    const items = [];
    for await (const b of fileItems(chunk!)) items.push(...b);
    const byPath = Object.fromEntries(items.map((i) => ["reject" in i ? i.docId! : String(i.fields.path), i]));
    expect("reject" in byPath["img.png"]! && byPath["img.png"]!.reject).toBe("binary_file");
    expect("reject" in byPath["big.txt"]! && byPath["big.txt"]!.reject).toBe("file_too_large");
    const latin = byPath["latin.txt"]!;
    expect("fields" in latin && latin.invalidUtf8).toBe(true);
    expect("fields" in byPath["ok.py"]! && byPath["ok.py"]!.fields.text).toBe("print(1)\n");
  });
});
