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

const HASH = ["python", "shell", "ruby", "perl", "r", "yaml", "toml", "makefile", "dockerfile", "cmake", "powershell", "elixir", "julia", "nim", "coffeescript", "tcl", "awk", "raku", "crystal", "gdscript", "nix", "starlark", "ini"];
const SLASH = ["c", "cpp", "objective-c", "objective-cpp", "java", "javascript", "typescript", "tsx", "go", "rust", "csharp", "kotlin", "swift", "scala", "dart", "zig", "groovy", "fsharp", "solidity", "glsl", "hlsl", "cuda", "d", "protocol-buffer", "jsonc", "less", "scss"];
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

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isB64(c: number): boolean {
  return isAlnum(c) || c === 43 || c === 47;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

function startsWithAt(text: string, at: number, s: string): boolean {
  return text.startsWith(s, at);
}

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
  const endRun = () => {
    if (run >= ENCODED_RUN_MIN) {
      encoded += run;
      if (run > longestRun) longestRun = run;
    }
    run = 0;
  };
  const endLine = (end: number) => {
    const len = end - lineStart;
    if (len > maxLine) maxLine = len;
    if (len >= LONG_LINE) {
      longChars += len;
      longSpaces += lineSpaces;
    }
    if (firstNonSpace >= 0 && isCommentLine(text, firstNonSpace, syntax)) comments++;
  };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      endRun();
      endLine(i);
      lines++;
      lineStart = i + 1;
      lineSpaces = 0;
      firstNonSpace = -1;
      alnumSpace++;
      continue;
    }
    if (isSpace(c)) {
      alnumSpace++;
      lineSpaces++;
      endRun();
      continue;
    }
    if (firstNonSpace < 0) firstNonSpace = i;
    if (isAlnum(c)) alnumSpace++;
    else if (c > 127 && /[\p{L}\p{N}\s]/u.test(text[i]!)) alnumSpace++;
    if (isB64(c)) {
      // 0x hex literals (data tables in C, byte arrays) count whatever their length
      if (run === 0 && c === 48 && (text.charCodeAt(i + 1) | 32) === 120 && isHex(text.charCodeAt(i + 2))) {
        let j = i + 2;
        while (j < n && isHex(text.charCodeAt(j))) j++;
        if (j >= n || !isB64(text.charCodeAt(j))) {
          encoded += j - i;
          alnumSpace += j - i - 1;
          i = j - 1;
          continue;
        }
      }
      run++;
    } else endRun();
  }
  endRun();
  endLine(n);
  return { chars: n, lines, maxLineLength: maxLine, longLineChars: longChars, longLineSpaces: longSpaces, alnumSpace, commentLines: comments, encodedChars: encoded, longestEncodedRun: longestRun };
}

function isCommentLine(text: string, at: number, s: CommentSyntax): boolean {
  for (const o of s.line) if (startsWithAt(text, at, o)) return true;
  if (s.block) {
    const c = text.charCodeAt(at);
    if (c === 42) return true; // "*" and "*/": inside a block comment
    if (c === 47 && text.charCodeAt(at + 1) === 42) return true; // "/*"
  }
  return false;
}
