/**
 * The syntax nodes `--fim-mode ast` may cut out as the middle: every named node of the tree
 * that parsed without errors below it, short of the whole file, with some non-blank text.
 */
import { hasGrammar, loadGrammar, parseTreeSync } from "./syntax.ts";

/** Loads the grammars of these languages (those gamma has); afterwards fimNodeSpans works for them. */
export async function loadFimGrammars(languages: Iterable<string>): Promise<void> {
  for (const l of languages) if (hasGrammar(l)) await loadGrammar(l);
}

/** [start, end) UTF-16 offsets of the candidate nodes, in document order; null without a loaded grammar. */
export function fimNodeSpans(language: string | null, text: string): [number, number][] | null {
  if (language === null || !hasGrammar(language)) return null;
  const tree = parseTreeSync(language, text);
  if (tree === null) return null;
  const spans: [number, number][] = [];
  try {
    tree.walk((n) => {
      if (n.isError || n.isMissing) return false;
      if (n.hasError) return true; // its clean children may still be taken
      if (n.end > n.start && n.end - n.start < text.length && /\S/.test(text.slice(n.start, n.end))) spans.push([n.start, n.end]);
      return true;
    });
  } finally {
    tree.delete();
  }
  return spans;
}
