/**
 * Builds assets/smoke/sample.jsonl.zst, the real-text sample embedded in the
 * binary for `gamma smoke`: Brown corpus documents (see assets/smoke/SOURCES.md)
 * plus planted cases the smoke run must handle: exact and whitespace-variant
 * copies, near duplicates, documents the filters drop, and broken lines.
 * Deterministic: rerunning writes the same bytes.
 *   bun run scripts/make-smoke-sample.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import { Prng } from "../src/util/prng.ts";
import { brownFiles, brownParagraphs } from "./lib/brown.ts";

const files = brownFiles()
  .filter((_, i) => i % 5 === 0)
  .slice(0, 80);
const docs: { id: string; text: string; genre: string }[] = [];
for (const f of files) {
  const name = f.split("/").pop()!;
  const paras = brownParagraphs(f);
  // Two documents per file: the first paragraphs up to ~2 KB, and the next ones.
  let cur: string[] = [];
  let part = 0;
  for (const p of paras) {
    cur.push(p);
    if (cur.join("\n\n").length > 2000) {
      docs.push({ id: `brown-${name}-${part++}`, text: cur.join("\n\n"), genre: name.slice(1, 2) });
      cur = [];
      if (part === 2) break;
    }
  }
}
const rng = new Prng(20261125);
const lines: string[] = [];
const rec = (o: Record<string, unknown>) => lines.push(JSON.stringify(o));
for (const d of docs) rec({ id: d.id, text: d.text, brown_genre: d.genre });
// Exact copies and whitespace/case variants of a few documents.
for (let i = 0; i < 6; i++) {
  const d = docs[(i * 17) % docs.length]!;
  rec({ id: `${d.id}-copy`, text: d.text, brown_genre: d.genre });
  rec({ id: `${d.id}-ws`, text: d.text.replace(/ /g, "  ").replace(/\n\n/g, "\n \n").toUpperCase(), brown_genre: d.genre });
}
// Near duplicates: 0.3-1.2 % of words substituted, deleted or inserted.
for (let i = 0; i < 8; i++) {
  const d = docs[(i * 23 + 5) % docs.length]!;
  const words = d.text.split(" ");
  const edits = Math.max(1, Math.floor(words.length * (0.003 + 0.003 * (i % 4))));
  for (let e = 0; e < edits; e++) {
    const at = rng.nextU32() % words.length;
    const op = rng.nextU32() % 3;
    if (op === 0) words[at] = "lorem";
    else if (op === 1) words.splice(at, 1);
    else words.splice(at, 0, "indeed");
  }
  rec({ id: `${d.id}-near`, text: words.join(" "), brown_genre: d.genre });
}
// Documents the default filters drop.
rec({ id: "short-1", text: "Too short to keep." });
rec({
  id: "boilerplate-1",
  text:
    Array.from({ length: 6 }, () => "We use cookies to improve your experience. Accept cookies policy.\nAll rights reserved.").join("\n") +
    "\n" +
    docs[0]!.text.slice(0, 200),
});
rec({ id: "numbers-1", text: Array.from({ length: 60 }, (_, i) => `${i * 7919} ${i * 104729} -- ${i}%`).join(" ") });
rec({ id: "nul-1", text: docs[1]!.text.slice(0, 600).replace(" ", " \u0000") + " (a stray NUL was removed here)" });
// Broken input lines.
lines.push('{"id": "broken-json", "text": "unterminated');
rec({ id: "no-text", body: "this record has no text field" });
rec({ id: "text-number", text: 12345 });
const body = lines.join("\n") + "\n";
const out = join(import.meta.dir, "../assets/smoke/sample.jsonl.zst");
writeFileSync(out, zlib.zstdCompressSync(Buffer.from(body), { params: { [zlib.constants.ZSTD_c_compressionLevel]: 19 } }));
console.log(`${lines.length} lines, ${body.length} bytes -> ${out}`);
