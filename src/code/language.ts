/**
 * A source file's language from its name, extension, shebang and, for
 * extensions several languages share, a few content heuristics; `unknown`
 * when none decides. The tables come from GitHub Linguist's language data
 * (the linguist-languages package), bundled into the binary.
 *
 * Languages are named by slug: Linguist's name in lower case, with "++"
 * written "pp", "#" written "sharp" and any other run of non-alphanumerics
 * written "-": Python -> python, C++ -> cpp, C# -> csharp, Objective-C ->
 * objective-c, Shell -> shell, Emacs Lisp -> emacs-lisp, TSX -> tsx.
 *
 * Order of evidence: a known file name (Makefile, Dockerfile, ...), then an
 * extension that only one language claims, then the shebang's interpreter,
 * then the heuristics for a shared extension, then the one common language
 * among those the extension names (COMMON below), else `unknown`.
 */
import * as linguist from "linguist-languages";

export const UNKNOWN = "unknown";

interface LanguageEntry {
  name: string;
  type?: string;
  extensions?: readonly string[];
  filenames?: readonly string[];
  interpreters?: readonly string[];
  aliases?: readonly string[];
}

export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replaceAll("++", "pp")
    .replaceAll("#", "sharp")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * When an extension belongs to several languages and no heuristic decides,
 * the one of them in this list is taken (when exactly one is): the reading a
 * source tree almost always means (.rs is Rust, not RenderScript; .md is
 * Markdown, not a GCC machine description).
 */
const COMMON = new Set([
  "c",
  "cpp",
  "csharp",
  "css",
  "dart",
  "go",
  "html",
  "java",
  "javascript",
  "json",
  "kotlin",
  "lua",
  "markdown",
  "php",
  "python",
  "ruby",
  "rust",
  "scala",
  "shell",
  "sql",
  "swift",
  "typescript",
  "xml",
  "yaml",
  "toml",
  "perl",
  "r",
  "haskell",
  "elixir",
  "erlang",
  "julia",
  "ocaml",
  "fortran",
  "makefile",
  "dockerfile",
  "cmake",
  "tsx",
]);

interface Tables {
  byExt: Map<string, string[]>;
  byName: Map<string, string[]>;
  byInterpreter: Map<string, string>;
  byAlias: Map<string, string>;
  slugs: Set<string>;
}

let tables: Tables | null = null;

function load(): Tables {
  if (tables !== null) return tables;
  const byExt = new Map<string, string[]>();
  const byName = new Map<string, string[]>();
  const byInterpreter = new Map<string, string>();
  const byAlias = new Map<string, string>();
  const slugs = new Set<string>();
  const push = (m: Map<string, string[]>, k: string, v: string) => {
    const l = m.get(k);
    if (l === undefined) m.set(k, [v]);
    else if (!l.includes(v)) l.push(v);
  };
  const entries = Object.values(linguist as unknown as Record<string, LanguageEntry>).filter((e) => e && typeof e.name === "string");
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const slug = slugOf(e.name);
    slugs.add(slug);
    for (const x of e.extensions ?? []) push(byExt, x.toLowerCase(), slug);
    for (const f of e.filenames ?? []) push(byName, f, slug);
    for (const i of e.interpreters ?? []) if (!byInterpreter.has(i)) byInterpreter.set(i, slug);
    for (const a of [e.name, slug, ...(e.aliases ?? [])]) {
      const k = a.toLowerCase();
      if (!byAlias.has(k)) byAlias.set(k, slug);
    }
  }
  tables = { byExt, byName, byInterpreter, byAlias, slugs };
  return tables;
}

/**
 * A language named by an input field ("Python", "C++", "c-sharp", "py") as a
 * slug: through Linguist's names and aliases, else the value's own slug.
 */
export function languageFromField(value: string): string {
  const t = load();
  const k = value.trim().toLowerCase();
  if (k === "") return UNKNOWN;
  // The Stack names directories "c-sharp", "f-sharp": the slug of "c#" is csharp.
  return t.byAlias.get(k) ?? t.byAlias.get(k.replaceAll("-", " ")) ?? t.byAlias.get(k.replace(/-sharp$/, "#")) ?? slugOf(k);
}

/** The interpreter a `#!` line names ("#!/usr/bin/env -S python3 -u" -> python3), or null. */
export function shebangInterpreter(text: string): string | null {
  if (!text.startsWith("#!")) return null;
  const nl = text.indexOf("\n");
  const words = text
    .slice(2, nl < 0 ? Math.min(text.length, 200) : Math.min(nl, 200))
    .trim()
    .split(/\s+/);
  let cmd = words[0]?.split("/").pop() ?? "";
  let i = 1;
  if (cmd === "env") {
    while (i < words.length && words[i]!.startsWith("-")) i++;
    cmd = words[i] ?? "";
  }
  return cmd === "" ? null : cmd;
}

function fromShebang(text: string): string | null {
  const interp = shebangInterpreter(text);
  if (interp === null) return null;
  const t = load();
  // python3.11, perl5.36-x86_64-linux-gnu: the name without its version
  for (const name of [interp, interp.replace(/\d+(\.\d+)*(-.*)?$/, "")]) {
    const hit = t.byInterpreter.get(name);
    if (hit !== undefined) return hit;
  }
  return null;
}

/** The extensions of a base name, longest first: "a.d.ts" -> [".d.ts", ".ts"]. */
function extensionsOf(base: string): string[] {
  const lower = base.toLowerCase();
  const out: string[] = [];
  for (let i = lower.indexOf(".", 1); i >= 0; i = lower.indexOf(".", i + 1)) out.push(lower.slice(i));
  return out;
}

const HEAD_CHARS = 20_000;

/** Qt's translation files share .ts (and .tsx) with TypeScript. */
const QT_TRANSLATION = /^\s*<\?xml|^\s*<!DOCTYPE TS|^\s*<TS\b/;

/** Content heuristics for shared extensions: the language, or null when they cannot tell. */
const HEURISTICS: Record<string, (head: string, candidates: string[]) => string | null> = {
  ".h": (s) => {
    if (/^\s*(@interface|@protocol|@implementation|@end\b|#import\s)|@property\s*\(/m.test(s)) return "objective-c";
    if (
      /^\s*(namespace\s+\w|template\s*<|class\s+\w+[^;]*\{|(public|private|protected)\s*:)|\bstd::|^\s*#include\s*<(iostream|string|vector|map|memory|algorithm|cstdint|cstdio|cstdlib|cstring)>/m.test(
        s,
      )
    )
      return "cpp";
    return "c";
  },
  ".m": (s) => {
    if (/^\s*(@interface|@implementation|@protocol|@end\b|#import\s)|^\s*[-+]\s*\(\w+/m.test(s)) return "objective-c";
    if (/^\s*(function\b|%|end\s*$)/m.test(s)) return "matlab";
    return null;
  },
  ".pl": (s) => {
    if (/^\s*use\s+v6\b|^\s*(unit|my\s+class)\b/m.test(s)) return "raku";
    if (/^\s*use\s+(strict|warnings)\b|\bmy\s+[$@%]|^\s*package\s+[\w:]+;|^\s*sub\s+\w+/m.test(s)) return "perl";
    if (/^\s*:-\s|^\s*\w+\([^)]*\)\s*:-/m.test(s)) return "prolog";
    return null;
  },
  ".ts": (s) => (QT_TRANSLATION.test(s) ? "xml" : "typescript"),
  ".tsx": (s) => (QT_TRANSLATION.test(s) ? "xml" : "tsx"),
  ".inc": (s) => (/^\s*<\?php/.test(s) ? "php" : null),
};

export interface LanguageGuess {
  language: string;
  /** filename | extension | shebang | heuristic | common | none */
  by: string;
}

/** The language of a file from its path and text (only its head is read). */
export function detectLanguage(path: string, text: string): LanguageGuess {
  const t = load();
  const base = path.slice(path.lastIndexOf("/") + 1);
  const named = t.byName.get(base);
  if (named !== undefined && named.length === 1) return { language: named[0]!, by: "filename" };
  let candidates: string[] = named ?? [];
  let ext = "";
  if (candidates.length === 0) {
    for (const e of extensionsOf(base)) {
      const c = t.byExt.get(e);
      if (c !== undefined) {
        candidates = c;
        ext = e;
        break;
      }
    }
  }
  if (candidates.length === 1) return { language: candidates[0]!, by: "extension" };
  const shebang = fromShebang(text);
  if (shebang !== null && (candidates.length === 0 || candidates.includes(shebang))) return { language: shebang, by: "shebang" };
  if (candidates.length === 0) return { language: UNKNOWN, by: "none" };
  const h = HEURISTICS[ext];
  if (h !== undefined) {
    const got = h(text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text, candidates);
    if (got !== null) return { language: got, by: "heuristic" };
    return { language: UNKNOWN, by: "none" };
  }
  const common = candidates.filter((c) => COMMON.has(c));
  if (common.length === 1) return { language: common[0]!, by: "common" };
  return { language: UNKNOWN, by: "none" };
}

/** The languages Linguist claims for an extension (".h" -> [c, cpp, objective-c]). */
export function languagesOfExtension(ext: string): string[] {
  return [...(load().byExt.get(ext.toLowerCase()) ?? [])];
}

export function isKnownLanguage(slug: string): boolean {
  return load().slugs.has(slug);
}
