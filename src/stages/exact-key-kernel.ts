/**
 * The exact-duplicate key's text, folded in one pass by a WebAssembly kernel: exactKey()'s
 * `text.replace(/\s{2,}|[^\S ]/g, " ").trim().toLowerCase()` as the UTF-8 bytes the hasher
 * would encode it to. The regular expression, the trim and the lower-casing each copy the text;
 * the kernel reads each UTF-16 code unit once and writes the bytes.
 *
 * A table gives each BMP code unit a class: whitespace (JavaScript's \s: the code units trim()
 * removes), an ASCII capital (lower-cased by setting bit 5), another unit toLowerCase() maps to
 * one BMP unit (a second table has it: built at start-up from toLowerCase() itself), a surrogate,
 * or a unit the kernel leaves to JavaScript: U+0130 (two units in lower case), capital sigma
 * (final or not depends on what follows), and the high surrogates of the astral blocks holding
 * cased letters. For a text with one of those, exactKey() takes the JavaScript way. Everything
 * else is copied: whitespace runs become one space between words, none at the ends, and lone
 * surrogates become U+FFFD, as UTF-8 encoding makes them.
 *
 * The fold itself is AssemblyScript, src/kernels/as/exact-key.ts (its constants are these).
 *
 * Memory (byte offsets): [0, 65536) the class table; [LOWER_AT, +131072) the lower-case table;
 * [IN_AT, +2n) the text's code units; then the output, at most 3 bytes per unit.
 */
import { readFileSync } from "node:fs";
import foldWasm from "../kernels/wasm/exact-key.wasm" with { type: "file" };
import { growMemory } from "../kernels/wasm-memory.ts";

const PLAIN = 0;
// Unit classes (the AssemblyScript fold uses the same numbers).
const SPACE = 1;
const UPPER = 2;
const CASED = 3;
const HIGH = 4;
const LOW = 5;
/** A unit toLowerCase() maps to one other BMP unit, found in the lower-case table. */
const LOWER = 6;

const TABLE_AT = 0;
const LOWER_AT = 65536;
const IN_AT = LOWER_AT + 2 * 65536;
/** Longer texts take the JavaScript way: the memory only grows, and would stay that big. */
const MAX_UNITS = 1 << 24;

/** The class of each BMP code unit, and of the high surrogates (from their block's letters); the lower case of the LOWER ones. */
function classTables(): { t: Uint8Array; lowerOf: Uint16Array } {
  const t = new Uint8Array(65536);
  const lowerOf = new Uint16Array(65536);
  for (let u = 0; u < 65536; u++) {
    const ch = String.fromCharCode(u);
    const lower = ch.toLowerCase();
    if (u >= 0xd800 && u <= 0xdbff) t[u] = HIGH;
    else if (u >= 0xdc00 && u <= 0xdfff) t[u] = LOW;
    else if (ch.trim() === "") t[u] = SPACE;
    else if (u >= 0x41 && u <= 0x5a) t[u] = UPPER;
    else if (lower !== ch) {
      // One BMP unit for one, outside any context: the table has it. Else (U+0130 becomes two
      // units; capital sigma depends on what follows) JavaScript decides.
      const simple = lower.length === 1 && !(lower >= "\ud800" && lower <= "\udfff") && u !== 0x03a3;
      t[u] = simple ? LOWER : CASED;
      lowerOf[u] = simple ? lower.charCodeAt(0) : 0;
    } else t[u] = PLAIN;
  }
  for (const h of CASED_ASTRAL_HIGH) t[h] = CASED;
  return { t, lowerOf };
}

/**
 * The high surrogates of the astral blocks holding letters that toLowerCase() changes (Deseret,
 * Osage, Old Hungarian, Warang Citi, Medefaidrin, Adlam...): a text with one goes to JavaScript.
 * Listed rather than found at start-up (a pass over the astral planes takes ~90 ms per thread);
 * a test recomputes it from the runtime's own case mapping.
 */
export const CASED_ASTRAL_HIGH: readonly number[] = [0xd801, 0xd803, 0xd806, 0xd81b, 0xd83a];

export class ExactKeyKernel {
  private readonly memory = new WebAssembly.Memory({ initial: 4 });
  private readonly fold: (p: number, end: number, out: number) => number;
  private bytes: Buffer;

  constructor(mod: WebAssembly.Module, tables: { t: Uint8Array; lowerOf: Uint16Array }) {
    const inst = new WebAssembly.Instance(mod, { env: { memory: this.memory } });
    this.fold = (inst.exports as unknown as { fold(p: number, end: number, out: number): number }).fold;
    this.bytes = Buffer.from(this.memory.buffer);
    this.bytes.set(tables.t, TABLE_AT);
    this.bytes.set(new Uint8Array(tables.lowerOf.buffer), LOWER_AT); // little-endian u16s
  }

  /** The folded text's UTF-8 bytes (a view, valid until the next call), or null: fold it in JavaScript. */
  folded(text: string): Uint8Array | null {
    const n = text.length;
    if (n > MAX_UNITS) return null;
    const out = IN_AT + 2 * n;
    const need = out + 3 * n + 16;
    if (need > this.bytes.length) {
      if (!growMemory(this.memory, need)) return null;
      this.bytes = Buffer.from(this.memory.buffer);
    }
    this.bytes.write(text, IN_AT, "utf16le");
    const end = this.fold(IN_AT, out, out);
    return end < 0 ? null : this.bytes.subarray(out, end);
  }
}

/** One kernel per thread, made on first use; null when WebAssembly is unavailable. */
let kernel: ExactKeyKernel | null | undefined;

export function exactKeyKernel(): ExactKeyKernel | null {
  if (kernel === undefined) {
    try {
      kernel = new ExactKeyKernel(new WebAssembly.Module(readFileSync(foldWasm)), classTables());
    } catch {
      kernel = null;
    }
  }
  return kernel;
}
