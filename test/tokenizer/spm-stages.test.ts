import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NO_FILTERS } from "../../src/filters/rules.ts";
import { openMegatron } from "../../src/megatron/index.ts";
import { runNormalize } from "../../src/stages/normalize.ts";
import { runTokenize } from "../../src/stages/tokenize.ts";
import { decodeModelProto } from "../../src/tokenizer/spm/model-proto.ts";
import { SpmNormalizer } from "../../src/tokenizer/spm/normalizer.ts";
import { normalizerSpecFor } from "../../src/tokenizer/unigram/normalization.ts";
import { tempDir, writeJsonl } from "../helpers/tmp.ts";
import { expectedIds, heldOutLines, modelPath } from "./spm/fixtures.ts";

const dir = tempDir("gamma-spm-stage-");

describe("SentencePiece models in gamma's stages", () => {
  test("tokenize writes spm_encode's ids and the model's </s> for each document", async () => {
    const lines = heldOutLines();
    const expected = expectedIds("nmt-bf");
    const picked = lines
      .map((_l, i) => i)
      .filter((i) => lines[i].trim().length > 40)
      .slice(0, 60);
    const norm = join(dir, "norm");
    await runNormalize({
      inputs: [
        writeJsonl(
          join(dir, "in.jsonl"),
          picked.map((i) => ({ id: `doc-${i}`, text: lines[i] })),
        ),
      ],
      outDir: norm,
      source: "s",
      domain: "d",
      textField: "text",
      idField: "id",
      licenseTag: null,
      filters: { ...NO_FILTERS },
      nfkc: false,
      strict: false,
      keepRejectedText: false,
      maxNulFraction: 1,
      overwrite: true,
    });
    const out = join(dir, "mega");
    const m = await runTokenize({
      inputs: [join(norm, "s/d/part-00000.jsonl.zst")],
      tokenizer: modelPath("nmt-bf"),
      tokenizerSha256: null,
      outDir: out,
      format: "megatron",
      validFraction: 0,
      tokenBudget: null,
      dtype: "int32",
      noEos: false,
      cpuThreads: 2,
    });
    expect(m.tokenizer.kind).toBe("sentencepiece");
    const ds = await openMegatron(join(out, "train/tokens"));
    expect(ds.sequenceCount).toBe(picked.length);
    for (let k = 0; k < picked.length; k++) expect(Array.from(ds.get(k) as Int32Array)).toEqual([...expected[picked[k]], 2]);
    ds.close();
  });
});

describe("gamma's nmt_nfkc charsmap", () => {
  test("normalizes all but a few hundred of the first 196k code points as spm_train's nmt_nfkc charsmap does", () => {
    const spm = decodeModelProto(readFileSync(modelPath("nmt-bf"))).normalizerSpec;
    const plain = { addDummyPrefix: false, removeExtraWhitespaces: false, escapeWhitespaces: false };
    const theirs = new SpmNormalizer({ ...spm, ...plain }, [], false);
    const ours = new SpmNormalizer({ ...spm, ...normalizerSpecFor("nmt_nfkc"), ...plain }, [], false);
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    let differ = 0;
    let changed = 0;
    const run = (s: string) => {
      const u = enc.encode(s);
      theirs.normalize(u, u.length);
      ours.normalize(u, u.length);
      const a = dec.decode(theirs.out.subarray(0, theirs.length));
      if (a !== s) changed++;
      if (a !== dec.decode(ours.out.subarray(0, ours.length))) differ++;
    };
    for (let cp = 1; cp < 0x30000; cp++) if (cp < 0xd800 || cp > 0xdfff) run(String.fromCodePoint(cp));
    for (const base of "aeiouncAEIOUNC")
      for (const mark of [0x300, 0x301, 0x302, 0x303, 0x308, 0x327]) run(base + String.fromCodePoint(mark));
    expect(changed).toBeGreaterThan(4000);
    expect(differ).toBeLessThan(300);
  });
});
