/**
 * The parity tests every reference gets (parity-hf.test.ts, parity-tiktoken.test.ts): gamma's
 * own encoder against the reference's ids on the same real and hostile texts. Call inside a
 * describe().
 */
import { beforeAll, expect, test } from "bun:test";
import type { Tokenizer } from "../../src/tokenizer/index.ts";
import { bigDocument, brown, debianDocs, describeMismatch, firstMismatch, hostile, nlpCorpus, pythonSources, type Doc } from "./corpora.ts";

export interface ParitySuite {
  /** gamma's tokenizer and the reference's encoder (run in beforeAll). */
  load(): Promise<{ tok: Tokenizer; reference: (text: string) => ArrayLike<number> }>;
  /** The tokenizer kind gamma must report for this file. */
  kind: Tokenizer["kind"];
  /** Characters of each corpus to compare. */
  budget: number;
  /** Also compare a 5 MB document. */
  bigDocument: boolean;
}

export function parityTests(s: ParitySuite): void {
  let tok: Tokenizer;
  let reference: (text: string) => ArrayLike<number>;
  beforeAll(async () => {
    ({ tok, reference } = await s.load());
  });

  const same = (docs: Doc[]) => {
    const bad: string[] = [];
    for (const d of docs) {
      const a = tok.encode(d.text);
      const b = reference(d.text);
      if (firstMismatch(a, b) >= 0) bad.push(describeMismatch(d.name, a, b));
    }
    return bad;
  };

  test("runs gamma's own encoder", () => {
    expect(tok.encoder).toBe("gamma-bpe");
    expect(tok.kind).toBe(s.kind);
  });
  test("encodes Brown corpus text identically", () => expect(same(brown(s.budget))).toEqual([]));
  test("encodes nlp-corpus sentences identically", () => expect(same(nlpCorpus(s.budget))).toEqual([]));
  test("encodes Debian documentation identically", () => expect(same(debianDocs(s.budget))).toEqual([]));
  test("encodes Python sources identically", () => expect(same(pythonSources(s.budget))).toEqual([]));
  test("encodes hostile text identically (runs, emoji, CJK, surrogates, specials as text)", () => {
    expect(same(hostile())).toEqual([]);
  });
  if (s.bigDocument) {
    test("encodes a 5 MB document identically", () => {
      expect(same([{ name: "5MB", text: bigDocument(5_000_000) }])).toEqual([]);
    });
  }
}
