import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { loadStageAManifest } from "../../src/manifest/stage-a.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir();
function manifest(name: string, yaml: string): string {
  const p = join(dir, name);
  writeFileSync(p, yaml);
  return p;
}

describe("Stage A manifest", () => {
  test("normalizes weights to shares and defaults source paths under outputs.normalized_dir", () => {
    const m = loadStageAManifest(
      manifest(
        "ok.yaml",
        "outputs:\n  normalized_dir: norm\ntokenizer: tok/tokenizer.json\nseq_len: 64\nsources:\n  - {name: web, weight: 3}\n  - {name: wiki, weight: 1, paths: [x/*.jsonl.zst]}\n",
      ),
    );
    expect(m.sources.map((s) => s.share)).toEqual([0.75, 0.25]);
    expect(m.sources[0]!.paths).toEqual([join(dir, "norm", "web", "**", "*.jsonl.zst")]);
    expect(m.sources[1]!.paths).toEqual([join(dir, "x/*.jsonl.zst")]);
    expect(m.tokenizer).toEqual({ path: join(dir, "tok/tokenizer.json"), sha256: null });
    expect(m.seqLen).toBe(64);
  });

  const bad: [string, string, string][] = [
    ["negative weight", "sources:\n  - {name: a, weight: -1}\n", "sources[0].weight (a)"],
    ["infinite weight", "sources:\n  - {name: a, weight: .inf}\n", "sources[0].weight (a)"],
    ["text weight", "sources:\n  - {name: a, weight: lots}\n", "sources[0].weight (a)"],
    ["all zero", "sources:\n  - {name: a, weight: 0}\n  - {name: b, weight: 0}\n", "all weights are zero"],
    ["duplicate names", "sources:\n  - {name: a}\n  - {name: a}\n", "sources[1].name"],
    ["no sources", "seq_len: 5\n", "sources"],
    ["bad seq_len", "seq_len: -3\nsources:\n  - {name: a}\n", "seq_len"],
    ["bad pin", "tokenizer: {path: t.json, sha256: xyz}\nsources:\n  - {name: a}\n", "tokenizer.sha256"],
    ["bad YAML", "sources: [\n", "invalid YAML"],
  ];
  for (const [what, yaml, says] of bad) {
    test(`refuses a manifest with ${what}, naming the field`, () => {
      const p = manifest(`${what.replace(/ /g, "-")}.yaml`, yaml);
      expect(() => loadStageAManifest(p)).toThrow(ConfigError);
      expect(() => loadStageAManifest(p)).toThrow(says);
    });
  }

  test("a missing manifest file is a ConfigError naming it", () => {
    expect(() => loadStageAManifest(join(dir, "absent.yaml"))).toThrow("absent.yaml");
  });
});
