/**
 * Every decision row of a planted corpus, checked against a brute-force reference: exact word
 * 5-gram Jaccard of every pair (string shingles from scripts/lib/word-shingles.ts, written from
 * docs/near-dedup.md, not gamma's hashes) and the exact key.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { nearSettings } from "../../src/commands/dedup.ts";
import { readGlobals } from "../../src/commands/globals.ts";
import { runDedup, type DedupMode } from "../../src/stages/dedup.ts";
import { exactKey } from "../../src/stages/exact-key.ts";
import { setJaccard, wordShingles } from "../../scripts/lib/word-shingles.ts";
import { editWords } from "../near/fixtures/corpus.ts";
import { dupCorpus } from "../near/fixtures/dup-corpus.ts";
import { readZstJson, tempDir, writeJsonl } from "../helpers/tmp.ts";

process.env.SOURCE_DATE_EPOCH = "1700000000";
const dir = tempDir();
const T = 0.8;
const corpus = dupCorpus(3, 80, 80);
// Planted in front: a 2% edit of five base documents, so each base goes as a near duplicate of
// its edit; planted behind: an exact (upper-cased) copy of each base, whose twin is then gone.
const bases = corpus.texts.filter((_, i) => corpus.origin[i]!.startsWith("base ")).slice(0, 5);
const texts = [...bases.map((b, i) => editWords(b, 0.02, 100 + i)), ...corpus.texts, ...bases.map((b) => b.toUpperCase())];
const ids = texts.map((_, i) => `d${String(i).padStart(4, "0")}`);
const input = writeJsonl(
  join(dir, "part-00000.jsonl.zst"),
  texts.map((text, i) => ({
    text,
    source: "web",
    domain: "prose",
    doc_id: ids[i],
    license_tag: null,
    created_at: "2023-11-14T22:13:20.000Z",
    meta: {},
  })),
  "zst",
);

const sets = texts.map((t) => wordShingles(t));
const jaccard = (a: number, b: number): number => setJaccard(sets[a]!, sets[b]!);
const keys = texts.map(exactKey);

interface Row {
  doc_id: string;
  decision: string;
  dup_of: string | null;
  similarity: number | null;
}

async function rows(mode: DedupMode, clusters: string): Promise<Row[]> {
  const g = readGlobals({ cpuThreads: "2", device: "cpu", seed: "0" });
  const outDir = join(dir, `${mode}-${clusters}`);
  await runDedup({ inputs: [input], outDir, mode, scope: "global", near: nearSettings({ nearClusters: clusters }, g) });
  return readZstJson<Row>(join(outDir, "decisions.jsonl.zst"));
}

describe("every decision row holds against brute-force exact Jaccard", () => {
  for (const mode of ["near", "both"] as const) {
    for (const clusters of ["greedy", "components"]) {
      test(`--mode ${mode} --near-clusters ${clusters}: dup_of is kept and similarity is the measured value`, async () => {
        const got = await rows(mode, clusters);
        expect(got.map((r) => r.doc_id)).toEqual(ids);
        const at = new Map(ids.map((id, i) => [id, i]));
        const kept = new Set(got.filter((r) => r.decision === "kept").map((r) => at.get(r.doc_id)!));
        const wrong: string[] = [];
        let exactToOther = 0;
        for (let d = 0; d < got.length; d++) {
          const r = got[d]!;
          if (r.decision === "kept") continue;
          const t = at.get(r.dup_of!)!;
          if (!kept.has(t)) wrong.push(`${r.doc_id} ${r.decision}: dup_of ${r.dup_of} is not kept`);
          if (r.decision === "exact_dup" && keys[d] === keys[t]) {
            if (r.similarity !== 1) wrong.push(`${r.doc_id}: exact twin ${r.dup_of} with similarity ${r.similarity}`);
            continue;
          }
          if (r.decision === "exact_dup") {
            exactToOther++;
            // The exact twin (the first document with the same key) went as a near duplicate of dup_of.
            const twin = keys.indexOf(keys[d]!);
            if (got[twin]!.decision !== "near_dup" || got[twin]!.dup_of !== r.dup_of)
              wrong.push(`${r.doc_id}: twin ${ids[twin]} is ${got[twin]!.decision} of ${got[twin]!.dup_of}`);
          }
          const j = jaccard(d, t);
          if (Math.abs(j - r.similarity!) > 1e-6)
            wrong.push(`${r.doc_id} ${r.decision} of ${r.dup_of}: similarity ${r.similarity}, exact Jaccard ${j}`);
          if (clusters === "greedy" && r.similarity! < T)
            wrong.push(`${r.doc_id} ${r.decision} of ${r.dup_of}: similarity ${r.similarity} < ${T}`);
        }
        expect(wrong).toEqual([]);
        expect(got.filter((r) => r.decision === "near_dup").length).toBeGreaterThan(mode === "near" ? 40 : 10);
        if (mode === "both") {
          expect(got.filter((r) => r.decision === "exact_dup").length).toBeGreaterThan(5);
          expect(exactToOther).toBeGreaterThanOrEqual(5);
        }
        if (clusters === "greedy") {
          // No two kept documents are clear near duplicates (a pair at 0.9 misses every band with p < 1e-4).
          const k = [...kept];
          const close: string[] = [];
          for (let a = 0; a < k.length; a++)
            for (let b = a + 1; b < k.length; b++) if (jaccard(k[a]!, k[b]!) >= 0.9) close.push(`${ids[k[a]!]} ~ ${ids[k[b]!]}`);
          expect(close).toEqual([]);
        }
      });
    }
  }
});
