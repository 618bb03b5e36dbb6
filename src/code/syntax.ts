/**
 * Syntax trees for source code, from tree-sitter grammars compiled to
 * WebAssembly (web-tree-sitter's runtime, grammars from tree-sitter-wasms),
 * all embedded in the binary: nothing is read from node_modules or
 * downloaded at run time.
 *
 *   const tree = await parseTree("python", text);   // null: no grammar for it
 *   if (tree) { tree.hasError; tree.errorCount; tree.walk((n) => ...); tree.delete(); }
 *
 * Offsets are UTF-16 code-unit indices into the parsed string (what
 * `text.slice(start, end)` takes), not bytes: the web runtime feeds the
 * parser UTF-16, so its indices count code units.
 *
 * The grammars were built by an older tree-sitter (ABI 13/14, an "old-style"
 * `dylink` section); this runtime reads only the newer `dylink.0` section, so
 * each grammar's section is rewritten on load (upgradeDylink). Grammars
 * whose scanners call C library functions this runtime lacks (bash: isalpha;
 * YAML and Elm: the C++ runtime) are not shipped; a test holds the shipped
 * ones to the runtime's exports (__assert_fail and abort, reached only when
 * a scanner fails, aside).
 */
import { readFileSync } from "node:fs";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";
import runtimeWasm from "web-tree-sitter/web-tree-sitter.wasm" with { type: "file" };
import cWasm from "tree-sitter-wasms/out/tree-sitter-c.wasm" with { type: "file" };
import cppWasm from "tree-sitter-wasms/out/tree-sitter-cpp.wasm" with { type: "file" };
import csharpWasm from "tree-sitter-wasms/out/tree-sitter-c_sharp.wasm" with { type: "file" };
import cssWasm from "tree-sitter-wasms/out/tree-sitter-css.wasm" with { type: "file" };
import dartWasm from "tree-sitter-wasms/out/tree-sitter-dart.wasm" with { type: "file" };
import elixirWasm from "tree-sitter-wasms/out/tree-sitter-elixir.wasm" with { type: "file" };
import goWasm from "tree-sitter-wasms/out/tree-sitter-go.wasm" with { type: "file" };
import htmlWasm from "tree-sitter-wasms/out/tree-sitter-html.wasm" with { type: "file" };
import javaWasm from "tree-sitter-wasms/out/tree-sitter-java.wasm" with { type: "file" };
import javascriptWasm from "tree-sitter-wasms/out/tree-sitter-javascript.wasm" with { type: "file" };
import jsonWasm from "tree-sitter-wasms/out/tree-sitter-json.wasm" with { type: "file" };
import kotlinWasm from "tree-sitter-wasms/out/tree-sitter-kotlin.wasm" with { type: "file" };
import luaWasm from "tree-sitter-wasms/out/tree-sitter-lua.wasm" with { type: "file" };
import phpWasm from "tree-sitter-wasms/out/tree-sitter-php.wasm" with { type: "file" };
import pythonWasm from "tree-sitter-wasms/out/tree-sitter-python.wasm" with { type: "file" };
import rubyWasm from "tree-sitter-wasms/out/tree-sitter-ruby.wasm" with { type: "file" };
import rustWasm from "tree-sitter-wasms/out/tree-sitter-rust.wasm" with { type: "file" };
import scalaWasm from "tree-sitter-wasms/out/tree-sitter-scala.wasm" with { type: "file" };
import swiftWasm from "tree-sitter-wasms/out/tree-sitter-swift.wasm" with { type: "file" };
import tomlWasm from "tree-sitter-wasms/out/tree-sitter-toml.wasm" with { type: "file" };
import tsxWasm from "tree-sitter-wasms/out/tree-sitter-tsx.wasm" with { type: "file" };
import typescriptWasm from "tree-sitter-wasms/out/tree-sitter-typescript.wasm" with { type: "file" };
import zigWasm from "tree-sitter-wasms/out/tree-sitter-zig.wasm" with { type: "file" };

/** The embedded runtime and grammar files, for tests that inspect them. */
export const RUNTIME_WASM = runtimeWasm;

/** Language slug (language.ts) -> embedded grammar. */
const GRAMMARS: Record<string, string> = {
  c: cWasm,
  cpp: cppWasm,
  csharp: csharpWasm,
  css: cssWasm,
  dart: dartWasm,
  elixir: elixirWasm,
  go: goWasm,
  html: htmlWasm,
  java: javaWasm,
  javascript: javascriptWasm,
  json: jsonWasm,
  kotlin: kotlinWasm,
  lua: luaWasm,
  php: phpWasm,
  python: pythonWasm,
  ruby: rubyWasm,
  rust: rustWasm,
  scala: scalaWasm,
  swift: swiftWasm,
  toml: tomlWasm,
  tsx: tsxWasm,
  typescript: typescriptWasm,
  zig: zigWasm,
};

/** One node as walk() hands it out; offsets are UTF-16 code-unit indices. */
export interface SyntaxNode {
  type: string;
  start: number;
  end: number;
  /** A node the parser could not fit (ERROR) or had to invent (MISSING). */
  isError: boolean;
  isMissing: boolean;
  /** Whether this node or one below it is an error. */
  hasError: boolean;
  depth: number;
}

export interface SyntaxTree {
  language: string;
  hasError: boolean;
  /** ERROR and MISSING nodes in the tree (computed on first use: a full walk). */
  readonly errorCount: number;
  /**
   * Visits nodes in document order (pre-order). `visit` returns false to skip
   * the node's children. Named nodes only, unless `all` is true.
   */
  walk(visit: (n: SyntaxNode) => boolean | void, all?: boolean): void;
  /** The top-level named children of the root (e.g. functions, classes, statements). */
  topLevel(): SyntaxNode[];
  /** Frees the tree's WebAssembly memory; the tree is unusable after. */
  delete(): void;
}

/** Languages with an embedded grammar, sorted. */
export function syntaxLanguages(): string[] {
  return Object.keys(GRAMMARS).sort();
}

export function grammarFile(language: string): string | undefined {
  return GRAMMARS[language];
}

export function hasGrammar(language: string): boolean {
  return Object.hasOwn(GRAMMARS, language);
}

let runtime: Promise<void> | null = null;
const parsers = new Map<string, Promise<Parser>>();
const ready = new Map<string, Parser>();

function initRuntime(): Promise<void> {
  runtime ??= Parser.init({ wasmBinary: readFileSync(runtimeWasm) });
  return runtime;
}

/**
 * Loads the grammar for `language` (once per thread); true when there is one.
 * After it resolves true, parseTreeSync works for that language.
 */
export async function loadGrammar(language: string): Promise<boolean> {
  if (ready.has(language)) return true;
  const file = GRAMMARS[language];
  if (file === undefined) return false;
  let p = parsers.get(language);
  if (p === undefined) {
    p = (async () => {
      await initRuntime();
      const lang = await Language.load(upgradeDylink(new Uint8Array(readFileSync(file))));
      const parser = new Parser();
      parser.setLanguage(lang);
      ready.set(language, parser);
      return parser;
    })();
    parsers.set(language, p);
  }
  await p;
  return true;
}

/** Parses `text`; null when no grammar is embedded for `language`. */
export async function parseTree(language: string, text: string): Promise<SyntaxTree | null> {
  if (!(await loadGrammar(language))) return null;
  return parseTreeSync(language, text);
}

/** parseTree for a language whose grammar loadGrammar has loaded; null otherwise. */
export function parseTreeSync(language: string, text: string): SyntaxTree | null {
  const parser = ready.get(language);
  if (parser === undefined) return null;
  const tree = parser.parse(text);
  if (tree === null) throw new Error(`syntax: tree-sitter returned no tree for ${language}`);
  return wrap(language, tree);
}

/** Whether `text` parses without ERROR or MISSING nodes; null when there is no loaded grammar. */
export function parsesCleanly(language: string, text: string): boolean | null {
  const parser = ready.get(language);
  if (parser === undefined) return null;
  let tree: Tree | null;
  try {
    tree = parser.parse(text);
  } catch {
    // A scanner that aborts (an assertion in its C code): no verdict, and a fresh parser next time.
    ready.delete(language);
    parsers.delete(language);
    return null;
  }
  if (tree === null) throw new Error(`syntax: tree-sitter returned no tree for ${language}`);
  try {
    return !tree.rootNode.hasError && !(language === "python" && endsInEmptyBlock(tree.rootNode));
  } finally {
    tree.delete();
  }
}

/**
 * tree-sitter-python accepts a block header with no body at the end of the
 * input ("if x:" and nothing, or only comments, after it), which Python
 * rejects: a file cut short there. Follows the last statement down.
 */
function endsInEmptyBlock(root: Node): boolean {
  let n: Node | null = root;
  while (n !== null) {
    let last: Node | null = n.lastNamedChild;
    while (last !== null && last.type === "comment") last = last.previousNamedSibling;
    if (last === null) return n.type === "block";
    n = last;
  }
  return false;
}

function view(n: Node, depth: number): SyntaxNode {
  return { type: n.type, start: n.startIndex, end: n.endIndex, isError: n.isError, isMissing: n.isMissing, hasError: n.hasError, depth };
}

function wrap(language: string, tree: Tree): SyntaxTree {
  let errors: number | null = null;
  const walk = (visit: (n: SyntaxNode) => boolean | void, all = false) => {
    const c = tree.walk();
    try {
      let depth = 0;
      for (;;) {
        const n = c.currentNode;
        let descend = true;
        if (all || n.isNamed || n.isMissing) descend = visit(view(n, depth)) !== false;
        if (descend && c.gotoFirstChild()) {
          depth++;
          continue;
        }
        while (!c.gotoNextSibling()) {
          if (!c.gotoParent()) return;
          depth--;
        }
      }
    } finally {
      c.delete();
    }
  };
  return {
    language,
    hasError: tree.rootNode.hasError,
    get errorCount() {
      if (errors === null) {
        let k = 0;
        if (tree.rootNode.hasError) {
          walk((n) => {
            if (n.isError || n.isMissing) k++;
            return n.hasError;
          }, true);
        }
        errors = k;
      }
      return errors;
    },
    walk,
    topLevel: () => tree.rootNode.namedChildren.filter((n): n is Node => n !== null).map((n) => view(n, 1)),
    delete: () => tree.delete(),
  };
}

function readLeb(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[at++]!;
    v += (x & 0x7f) * 2 ** shift;
    shift += 7;
    if ((x & 0x80) === 0) return [v, at];
  }
}

function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let x = v & 0x7f;
    v = Math.floor(v / 128);
    if (v > 0) x |= 0x80;
    out.push(x);
  } while (v > 0);
  return out;
}

/**
 * A grammar module with its leading custom section `dylink` (memory size and
 * alignment, table size and alignment, needed libraries) rewritten as
 * `dylink.0` (the same facts as subsections 1 and 2), the only form this
 * runtime reads. Other modules are returned unchanged.
 */
export function upgradeDylink(b: Uint8Array): Uint8Array {
  if (b.length < 16 || b[8] !== 0) return b;
  const [size, body] = readLeb(b, 9);
  const end = body + size;
  const [nameLen, nameAt] = readLeb(b, body);
  if (new TextDecoder().decode(b.subarray(nameAt, nameAt + nameLen)) !== "dylink") return b;
  let p = nameAt + nameLen;
  const memInfo: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [v, next] = readLeb(b, p);
    memInfo.push(...leb(v));
    p = next;
  }
  const [needed] = readLeb(b, p);
  const payload = [1, ...leb(memInfo.length), ...memInfo];
  if (needed > 0) payload.push(2, ...leb(end - p), ...b.subarray(p, end));
  const name = [...new TextEncoder().encode("dylink.0")];
  const section = [...leb(name.length), ...name, ...payload];
  const head = [0, ...leb(section.length), ...section];
  const out = new Uint8Array(8 + head.length + (b.length - end));
  out.set(b.subarray(0, 8));
  out.set(head, 8);
  out.set(b.subarray(end), 8 + head.length);
  return out;
}
