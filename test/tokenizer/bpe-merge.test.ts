import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { BpeData } from "../../src/tokenizer/bpe-data.ts";
import { BpeMerger } from "../../src/tokenizer/bpe-merge.ts";
import { encoderSpecOf } from "../../src/tokenizer/load.ts";
import { GammaBpe } from "../../src/tokenizer/fast-encoder.ts";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { brown, GPTOSS_JSON, hostile, NM } from "./corpora.ts";

/** Deterministic pseudo-random bytes biased towards common merges (letters, spaces, repeats). */
function pieces(seed: number, count: number): Uint8Array[] {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const alphabet = new TextEncoder().encode(" eeettaoinshrdlu  \n--==..aa日😀");
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(rnd() * 90);
    const b = new Uint8Array(n);
    for (let j = 0; j < n; j++) b[j] = rnd() < 0.9 ? alphabet[Math.floor(rnd() * alphabet.length)] : Math.floor(rnd() * 256);
    out.push(b);
  }
  return out;
}

for (const [name, path] of [
  ["tiktoken ranks (o200k_base)", join(NM, "gpt-tokenizer/data/o200k_base.tiktoken")],
  ["tokenizer.json merges (gpt-oss)", GPTOSS_JSON],
] as const) {
  describe(name, () => {
    let data: BpeData;
    beforeAll(async () => {
      const spec = encoderSpecOf(await loadTokenizer(path));
      if (spec.encoder !== "gamma-bpe") throw new Error("expected gamma-bpe");
      data = spec.data;
    });

    test("the heap merge and the scanning merge agree on every piece", () => {
      const m = new BpeMerger(data);
      const a = new Uint32Array(256);
      const b = new Uint32Array(256);
      const bad: number[] = [];
      pieces(7, 3000).forEach((p, i) => {
        const na = m.mergeScan(p, p.length, a, 0);
        const nb = m.mergeHeap(p, p.length, b, 0);
        if (na !== nb || a.subarray(0, na).some((x, j) => x !== b[j])) bad.push(i);
      });
      expect(bad).toEqual([]);
    });

    test("results do not depend on the size of the pre-token cache", () => {
      const big = new GammaBpe(data);
      const tiny = new GammaBpe(data, 8); // dropped and refilled constantly
      for (const d of [...brown(100_000), ...hostile()]) {
        expect(Array.from(tiny.encode(d.text))).toEqual(Array.from(big.encode(d.text)));
      }
    });
  });
}
