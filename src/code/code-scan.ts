/**
 * One pass over a source file for the code rules (rules.ts): its size and
 * lines, the longest line, how much of it sits in very long lines and how
 * much whitespace those hold (minified code), alphanumeric+space characters,
 * comment lines under the language's comment syntax, and encoded data
 * (base64-alphabet runs of 64+ characters, 0x hex literals).
 */

/** Runs of [A-Za-z0-9+/] at least this long count as encoded data. */
export const ENCODED_RUN_MIN = 64;
/** Lines at least this long are the ones the minified-code rule looks at. */
export const LONG_LINE = 500;

export interface CodeScan {
  chars: number;
  /** Lines as split("\n") gives them (a trailing newline makes a last, empty line). */
  lines: number;
  maxLineLength: number;
  /** Characters in lines of LONG_LINE or more, and the whitespace among them. */
  longLineChars: number;
  longLineSpaces: number;
  alnumSpace: number;
  commentLines: number;
  /** Characters in base64-alphabet runs of ENCODED_RUN_MIN+ and in 0x hex literals; the longest such run. */
  encodedChars: number;
  longestEncodedRun: number;
}

export interface CommentSyntax {
  /** Line comment openers, e.g. ["#"] or ["//"]. */
  line: string[];
  /** Whether C-style block comments exist: lines starting with /*, * or *\/ count as comment lines. */
  block: boolean;
}

const HASH = [
  "python",
  "shell",
  "ruby",
  "perl",
  "r",
  "yaml",
  "toml",
  "makefile",
  "dockerfile",
  "cmake",
  "powershell",
  "elixir",
  "julia",
  "nim",
  "coffeescript",
  "tcl",
  "awk",
  "raku",
  "crystal",
  "gdscript",
  "nix",
  "starlark",
  "ini",
];
const SLASH = [
  "c",
  "cpp",
  "objective-c",
  "objective-cpp",
  "java",
  "javascript",
  "typescript",
  "tsx",
  "go",
  "rust",
  "csharp",
  "kotlin",
  "swift",
  "scala",
  "dart",
  "zig",
  "groovy",
  "fsharp",
  "solidity",
  "glsl",
  "hlsl",
  "cuda",
  "d",
  "protocol-buffer",
  "jsonc",
  "less",
  "scss",
];
const DASH = ["sql", "lua", "haskell", "ada", "elm", "plsql", "plpgsql", "tsql", "vhdl", "purescript"];
const SEMI = ["emacs-lisp", "common-lisp", "scheme", "clojure", "racket", "assembly"];
const PERCENT = ["matlab", "erlang", "tex", "prolog"];

const SYNTAX = new Map<string, CommentSyntax>();
for (const l of HASH) SYNTAX.set(l, { line: ["#"], block: false });
for (const l of SLASH) SYNTAX.set(l, { line: ["//"], block: true });
for (const l of DASH) SYNTAX.set(l, { line: ["--"], block: l === "sql" || l.endsWith("sql") });
for (const l of SEMI) SYNTAX.set(l, { line: [";"], block: false });
for (const l of PERCENT) SYNTAX.set(l, { line: ["%"], block: false });
SYNTAX.set("php", { line: ["//", "#"], block: true });
SYNTAX.set("css", { line: [], block: true });
SYNTAX.set("fortran", { line: ["!"], block: false });
SYNTAX.set("visual-basic-net", { line: ["'"], block: false });
SYNTAX.set("html", { line: ["<!--"], block: false });
SYNTAX.set("xml", { line: ["<!--"], block: false });
/** Languages not listed: "#" and "//" lines, the two most common openers. */
const FALLBACK: CommentSyntax = { line: ["#", "//"], block: false };

export function commentSyntax(language: string): CommentSyntax {
  return SYNTAX.get(language) ?? FALLBACK;
}

/** ASCII classes: alphanumeric (also base64), "+" and "/" (base64), whitespace, hex digit. */
const ALNUM = 1;
const B64 = 2;
const SPACE = 4;
const HEX = 8;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch)) CLASS[c] |= ALNUM | B64;
  if (ch === "+" || ch === "/") CLASS[c] |= B64;
  if (/[ \t\n\r\v\f]/.test(ch)) CLASS[c] |= SPACE;
  if (/[0-9A-Fa-f]/.test(ch)) CLASS[c] |= HEX;
}
const WIDE_ALNUM_SPACE = /[\p{L}\p{N}\s]/u;

export function scanCode(text: string, syntax: CommentSyntax): CodeScan {
  const n = text.length;
  let lines = 1;
  let maxLine = 0;
  let longChars = 0;
  let longSpaces = 0;
  let alnumSpace = 0;
  let comments = 0;
  let encoded = 0;
  let longestRun = 0;
  let run = 0;
  let lineStart = 0;
  let lineSpaces = 0;
  let firstNonSpace = -1;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 10;
    const k = c < 128 ? CLASS[c]! : 0;
    if ((k & B64) === 0 && run > 0) {
      // a base64-alphabet run ends
      if (run >= ENCODED_RUN_MIN) {
        encoded += run;
        if (run > longestRun) longestRun = run;
      }
      run = 0;
    }
    if (c === 10) {
      const len = i - lineStart;
      if (len > maxLine) maxLine = len;
      if (len >= LONG_LINE) {
        longChars += len;
        longSpaces += lineSpaces;
      }
      if (firstNonSpace >= 0 && isCommentLine(text, firstNonSpace, syntax)) comments++;
      if (i === n) break;
      lines++;
      lineStart = i + 1;
      lineSpaces = 0;
      firstNonSpace = -1;
      alnumSpace++;
      continue;
    }
    if (k & SPACE) {
      alnumSpace++;
      lineSpaces++;
      continue;
    }
    if (firstNonSpace < 0) firstNonSpace = i;
    if (k & ALNUM) {
      alnumSpace++;
      // 0x hex literals (data tables in C, byte arrays) count whatever their length
      if (c === 48 && run === 0 && (text.charCodeAt(i + 1) | 32) === 120 && isHex(text.charCodeAt(i + 2))) {
        let j = i + 2;
        while (j < n && isHex(text.charCodeAt(j))) j++;
        const next = j < n ? text.charCodeAt(j) : 10;
        if (next >= 128 || (CLASS[next]! & B64) === 0) {
          encoded += j - i;
          alnumSpace += j - i - 1;
          i = j - 1;
          continue;
        }
      }
    } else if (c >= 128 && WIDE_ALNUM_SPACE.test(text[i]!)) alnumSpace++;
    if (k & B64) run++;
  }
  return {
    chars: n,
    lines,
    maxLineLength: maxLine,
    longLineChars: longChars,
    longLineSpaces: longSpaces,
    alnumSpace,
    commentLines: comments,
    encodedChars: encoded,
    longestEncodedRun: longestRun,
  };
}

function isHex(c: number): boolean {
  return c < 128 && (CLASS[c]! & HEX) !== 0;
}

function isCommentLine(text: string, at: number, s: CommentSyntax): boolean {
  for (const o of s.line) if (text.startsWith(o, at)) return true;
  if (s.block) {
    const c = text.charCodeAt(at);
    if (c === 42) return true; // "*" and "*/": inside a block comment
    if (c === 47 && text.charCodeAt(at + 1) === 42) return true; // "/*"
  }
  return false;
}
