import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { parseFastTextModel } from "../../src/lang/fasttext-model.ts";
import { FastTextPredictor, type Prediction } from "../../src/lang/fasttext-predict.ts";
import { EMBEDDED_LID_PATH, lidPredictor } from "../../src/lang/lid-model.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cliPredict, fixtureDocs, HAVE_FASTTEXT, pageLanguage, trainModel } from "./fasttext-cli.ts";

/** The first place where gamma's top k differs from the CLI's (labels, or probabilities beyond the 6 digits it prints), or null. */
function firstDifference(ours: Prediction[][], cli: [string, number][][], texts: string[]): string | null {
  expect(ours.length).toBe(cli.length);
  for (let i = 0; i < cli.length; i++) {
    const got = ours[i]!.map((p) => [p.label, p.prob] as const);
    const want = cli[i]!;
    const same =
      got.length === want.length &&
      got.every(([l, p], j) => l === want[j]![0] && Math.abs(p - want[j]![1]) <= 1e-5 * Math.max(1, want[j]![1]));
    if (!same) return `line ${i} (${JSON.stringify(texts[i]!.slice(0, 60))}): gamma ${JSON.stringify(got)} cli ${JSON.stringify(want)}`;
  }
  return null;
}

describe("fastText predictor", () => {
  const docs = fixtureDocs();
  const texts = docs.map((d) => d.text);

  test("the embedded lid.176.ftz gives fasttext predict-prob's top 3 labels and probabilities on every fixture document", () => {
    expect(docs.length).toBeGreaterThan(250);
    const p = lidPredictor(null);
    expect(p.labels.length).toBe(176);
    const ours = texts.map((t) => p.predict(t, 3));
    expect(
      firstDifference(
        ours,
        docs.map((d) => d.cli),
        texts,
      ),
    ).toBeNull();
    // The fixture is multilingual: the CLI's top labels span many languages.
    expect(new Set(docs.map((d) => d.cli[0]![0])).size).toBeGreaterThan(20);
  });

  test("newlines count as spaces and a literal </s> ends the line, as in fastText's Python predict", () => {
    const p = lidPredictor(null);
    const a = p.predict("Ceci est une phrase.\nEt une autre phrase en français.", 2);
    expect(a).toEqual(p.predict("Ceci est une phrase. Et une autre phrase en français.", 2));
    expect(p.predict("Ceci est une phrase. </s> This is English text, quite long, with many words.", 1)).toEqual(
      p.predict("Ceci est une phrase.", 1),
    );
  });

  test("the WebAssembly kernel and the JavaScript path give the same probabilities bit for bit", () => {
    const model = parseFastTextModel(readFileSync(EMBEDDED_LID_PATH), "lid.176.ftz");
    const fast = new FastTextPredictor(model);
    const js = new FastTextPredictor(model, { wasm: false });
    expect(fast.usesKernel).toBe(true);
    expect(js.usesKernel).toBe(false);
    const probe = [
      ...texts,
      "a</s>b c",
      "  leading and trailing  ",
      "__label__de Satz",
      "x".repeat(300),
      "ab\u00e9\u4e2d\ud83d\ude00 mixed",
    ];
    for (const t of probe) expect([t.slice(0, 40), fast.predict(t, 5)]).toEqual([t.slice(0, 40), js.predict(t, 5)]);
  });

  test("predictions do not depend on what the unknown-word cache holds, even after it fills and empties", () => {
    const model = parseFastTextModel(readFileSync(EMBEDDED_LID_PATH), "lid.176.ftz");
    const warm = new FastTextPredictor(model, { wasm: false });
    const before = texts.map((t) => warm.predict(t, 3));
    // 40,000 distinct made-up words, more than the cache holds, in documents of 500 words.
    let x = 12345;
    const word = () => {
      let w = "";
      for (let i = 0; i < 4 + (x % 7); i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        w += String.fromCharCode(97 + ((x >>> 16) % 26));
      }
      return w;
    };
    for (let d = 0; d < 80; d++) warm.predict(Array.from({ length: 500 }, word).join(" "), 1);
    const after = texts.map((t) => warm.predict(t, 3));
    const fresh = new FastTextPredictor(model, { wasm: false });
    expect(after).toEqual(before);
    expect(texts.map((t) => fresh.predict(t, 3))).toEqual(before);
  });

  test("a model file that is not fastText's is refused with its name", () => {
    expect(() => parseFastTextModel(new Uint8Array(16), "bogus.bin")).toThrow(/bogus.bin: not a fastText model/);
    const real = readFileSync(EMBEDDED_LID_PATH);
    expect(() => parseFastTextModel(real.subarray(0, 5000), "cut.ftz")).toThrow(/cut.ftz: truncated/);
  });

  const labelled = docs
    .filter((d) => pageLanguage(d.source) !== null)
    .map((d) => `__label__${pageLanguage(d.source)} ${d.text.replace(/\n/g, " ")}`);
  const variants: [string, string[], string[] | null][] = [
    [
      "hierarchical softmax, character and word n-grams",
      ["-loss", "hs", "-minn", "2", "-maxn", "4", "-wordNgrams", "2", "-bucket", "20000", "-dim", "8", "-epoch", "5"],
      null,
    ],
    ["softmax, words only", ["-loss", "softmax", "-dim", "10", "-bucket", "1000", "-epoch", "5"], null],
    ["one-vs-all", ["-loss", "ova", "-minn", "3", "-maxn", "5", "-bucket", "10000", "-dim", "8", "-epoch", "5"], null],
    [
      "quantized with pruned n-grams and quantized norms",
      ["-loss", "hs", "-minn", "2", "-maxn", "4", "-bucket", "20000", "-dim", "8", "-epoch", "5"],
      ["-qnorm", "-cutoff", "2000", "-dsub", "2"],
    ],
  ];
  for (const [what, flags, quantize] of variants) {
    test.skipIf(!HAVE_FASTTEXT)(`a model the fasttext CLI trains (${what}) predicts as the CLI does`, () => {
      const dir = tempDir("gamma-lid-");
      const m = trainModel(dir, "m", labelled, flags, quantize);
      const file = m.ftz ?? m.bin;
      const model = parseFastTextModel(readFileSync(file), file);
      const probe = [...texts, "Ein kurzer deutscher Satz.", "Une courte phrase."];
      const cli = cliPredict(file, probe, 3);
      for (const wasm of [true, false]) {
        const p = new FastTextPredictor(model, { wasm });
        expect(p.labels.length).toBeGreaterThan(15);
        expect(
          firstDifference(
            probe.map((t) => p.predict(t, 3)),
            cli,
            probe,
          ),
        ).toBeNull();
      }
    });
  }
});
