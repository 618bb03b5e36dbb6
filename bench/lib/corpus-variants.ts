/**
 * Planted duplicates for the benchmark corpus: whitespace/case variants (equal to their
 * original under gamma's exact-dedup folding) and near duplicates (a seeded fraction of the
 * words inserted, deleted or substituted).
 */
import type { Prng } from "../../src/util/prng.ts";

/** The documented exact-dedup folding (README, `gamma dedup`): whitespace runs to one space, trimmed, lower-cased. */
export function foldForExact(text: string): string {
  return text.replace(/\s+/gu, " ").trim().toLowerCase();
}

export type VariantKind = "upper" | "lower" | "spacing" | "upper+spacing";
const KINDS: VariantKind[] = ["upper", "lower", "spacing", "upper+spacing"];

function respace(text: string, rng: Prng): string {
  let out = text.replace(/ /g, () => {
    const r = rng.nextU32() % 100;
    return r < 8 ? "  " : r < 11 ? "\t" : " ";
  });
  if (rng.nextU32() % 2 === 0) out = out.replace(/\n/g, "\r\n");
  if (rng.nextU32() % 2 === 0) out = "\n " + out;
  return out + (rng.nextU32() % 2 === 0 ? " \n" : "\n\n");
}

/**
 * A copy of `text` that differs from it but folds to the same exact-dedup key. Case changes
 * that would not fold back (e.g. "ß" upper-cases to "SS") fall back to spacing only.
 */
export function makeVariant(text: string, rng: Prng): { text: string; kind: VariantKind } {
  let kind = KINDS[rng.nextU32() % KINDS.length]!;
  const want = foldForExact(text);
  for (;;) {
    let out = text;
    if (kind === "upper" || kind === "upper+spacing") out = out.toUpperCase();
    if (kind === "lower") out = out.toLowerCase();
    if (kind === "spacing" || kind === "upper+spacing") out = respace(out, rng);
    if (out !== text && foldForExact(out) === want) return { text: out, kind };
    if (kind === "spacing")
      throw new Error("make-corpus: a spacing variant failed to fold to its original; this is a bug in bench/lib/corpus-variants.ts");
    kind = "spacing";
  }
}

export interface NearEdit {
  text: string;
  /** The fraction asked for and the number of word edits made. */
  fraction: number;
  edits: number;
  inserted: number;
  deleted: number;
  substituted: number;
}

/**
 * Edits round(fraction * words) (at least one) word positions of `text`: each is a deletion,
 * a substitution by another word of the same text, or an insertion of such a word before it.
 * Whitespace between the remaining words is kept.
 */
export function makeNear(text: string, fraction: number, rng: Prng): NearEdit {
  const parts = text.split(/(\s+)/); // words at even indices (maybe empty at the ends)
  const wordAt: number[] = [];
  for (let i = 0; i < parts.length; i += 2) if (parts[i] !== "") wordAt.push(i);
  const n = wordAt.length;
  const edits = Math.min(n, Math.max(1, Math.round(fraction * n)));
  const op = new Uint8Array(n); // 0 keep, 1 delete, 2 substitute, 3 insert before
  for (let done = 0; done < edits; ) {
    const k = rng.nextU32() % n;
    if (op[k] !== 0) continue;
    op[k] = 1 + (rng.nextU32() % 3);
    done++;
  }
  const otherWord = (avoid: string) => {
    for (let t = 0; t < 8; t++) {
      const w = parts[wordAt[rng.nextU32() % n]!]!;
      if (w !== avoid) return w;
    }
    return avoid === "the" ? "a" : "the";
  };
  const counts = { inserted: 0, deleted: 0, substituted: 0 };
  const out: string[] = [];
  let w = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i % 2 === 1 || p === "") {
      out.push(p);
      continue;
    }
    const o = op[w++]!;
    if (o === 1) {
      counts.deleted++;
      if (i + 1 < parts.length)
        i++; // drop the word and the whitespace after it
      else if (out.length > 0 && i > 0) out.pop(); // last word: drop the whitespace before it
    } else if (o === 2) {
      counts.substituted++;
      out.push(otherWord(p));
    } else if (o === 3) {
      counts.inserted++;
      out.push(otherWord(p), " ", p);
    } else out.push(p);
  }
  return { text: out.join(""), fraction, edits, ...counts };
}
