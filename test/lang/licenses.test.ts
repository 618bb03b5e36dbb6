import { expect, test } from "bun:test";
import { gamma } from "../helpers/cli.ts";

test("gamma licenses names every embedded asset, the language model under CC BY-SA 3.0", () => {
  const r = gamma(["licenses", "--json"]);
  expect(r.code).toBe(0);
  const assets = JSON.parse(r.stdout) as { name: string; license: string }[];
  expect(assets.map((a) => a.name)).toEqual(
    expect.arrayContaining(["lid.176.ftz", "o200k_base.tiktoken", "smoke/sample.jsonl.zst", "dawn.node"]),
  );
  expect(assets.find((a) => a.name === "lid.176.ftz")!.license).toMatch(/^CC BY-SA 3\.0/);
  const text = gamma(["licenses"]);
  expect(text.stdout).toContain("lid.176.ftz");
  expect(text.stdout).toContain("CC BY-SA 3.0");
});
