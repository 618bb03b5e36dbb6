/**
 * Writes src/lang/programming-languages.json: the names and aliases of every
 * language GitHub Linguist (npm linguist-languages) types as "programming",
 * so that normalize can tell code documents by their meta.language without
 * loading Linguist's 1,600 modules in every worker.
 *   bun run scripts/make-programming-languages.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as linguist from "linguist-languages";

const names: string[] = [];
const aliases = new Set<string>();
for (const l of Object.values(linguist) as { name: string; type: string; aliases?: string[] }[]) {
  if (l?.type !== "programming") continue;
  names.push(l.name);
  for (const a of [l.name, ...(l.aliases ?? [])]) aliases.add(a.toLowerCase());
}
const pkg = JSON.parse(readFileSync(join(import.meta.dir, "..", "node_modules", "linguist-languages", "package.json"), "utf8")) as {
  version: string;
};
const out = { source: `linguist-languages ${pkg.version}`, names: names.sort(), lowercase: [...aliases].sort() };
const path = join(import.meta.dir, "..", "src", "lang", "programming-languages.json");
writeFileSync(path, JSON.stringify(out, null, 0) + "\n");
console.log(`${path}: ${names.length} languages, ${aliases.size} names and aliases`);
