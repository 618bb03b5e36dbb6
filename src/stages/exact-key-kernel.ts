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
 * Memory (byte offsets): [0, 65536) the class table; [LOWER_AT, +131072) the lower-case table;
 * [IN_AT, +2n) the text's code units; then the output, at most 3 bytes per unit.
 */
import { Code, I32, V128, storeUtf8, wasmModule } from "../kernels/wasm-asm.ts";
import { growMemory } from "../kernels/wasm-memory.ts";

const PLAIN = 0;
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

/**
 * fold(in, end, out) -> the end of the bytes written at out, or -1 where JavaScript must decide.
 *
 * Sixteen units at a time while a word has begun and no space is owed, when all sixteen are
 * printable ASCII or a space, no two spaces touch and the last is not a space: they are then
 * their own folded bytes, capitals lower-cased. Otherwise unit by unit: a whitespace run owes
 * one space, paid before the next word (so none at either end).
 */
function foldFunction() {
  const [P, END, O, C, K, PEND, STARTED, D, LIMIT] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [V, SP] = [9, 10];
  const c = new Code();
  const emit = (value: () => void, offset = 0) => {
    c.get(O);
    value();
    c.i32_store8(offset);
  };
  // Each lane i of the swizzle takes lane i + 1 (the last takes nothing: index 16 gives 0).
  const NEXT = Array.from({ length: 16 }, (_, i) => i + 1);
  /** One unit at P, in a block of its own: `br 1` from an `if` directly inside ends the unit. */
  const unit = () => {
    c.block();
    c.get(P).i32_load16_u(0).set(C);
    c.get(P).i32_const(2).i32_add().set(P);
    c.get(C).i32_load8_u(TABLE_AT).set(K);
    c.get(K).i32_const(SPACE).i32_eq().if_();
    c.get(STARTED).set(PEND);
    c.br(1);
    c.end();
    c.get(K).i32_const(CASED).i32_eq().if_();
    c.i32_const(-1).return();
    c.end();
    c.get(K).i32_const(LOWER).i32_eq().if_();
    c.get(C).i32_const(1).i32_shl().i32_load16_u(LOWER_AT).set(C);
    c.end();
    c.get(PEND).if_();
    emit(() => c.i32_const(0x20));
    c.get(O).i32_const(1).i32_add().set(O);
    c.i32_const(0).set(PEND);
    c.end();
    c.i32_const(1).set(STARTED);
    // ASCII: capitals get bit 5
    c.get(C).i32_const(0x80).i32_lt_u().if_();
    emit(() => c.get(C).get(K).i32_const(UPPER).i32_eq().i32_const(5).i32_shl().i32_or());
    c.get(O).i32_const(1).i32_add().set(O);
    c.br(1);
    c.end();
    // two bytes
    c.get(C).i32_const(0x800).i32_lt_u().if_();
    storeUtf8(c, C, O, 2);
    c.br(1);
    c.end();
    // a high surrogate followed by a low one: four bytes of the code point
    c.get(K).i32_const(HIGH).i32_eq().if_();
    c.get(P).get(END).i32_lt_u().if_();
    c.get(P).i32_load16_u(0).set(D);
    c.get(D).i32_load8_u(TABLE_AT).i32_const(LOW).i32_eq().if_();
    c.get(P).i32_const(2).i32_add().set(P);
    // cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
    c.get(C).i32_const(0xd800).i32_sub().i32_const(10).i32_shl().get(D).i32_const(0xdc00).i32_sub().i32_add().i32_const(0x10000).i32_add().set(C);
    storeUtf8(c, C, O, 4);
    c.br(3);
    c.end();
    c.end();
    c.end();
    // a lone surrogate: U+FFFD
    c.get(K).i32_const(HIGH).i32_eq().get(K).i32_const(LOW).i32_eq().i32_or().if_();
    c.i32_const(0xfffd).set(C);
    c.end();
    // three bytes
    storeUtf8(c, C, O, 3);
    c.end();
  };

  c.i32_const(0).set(PEND).i32_const(0).set(STARTED);
  c.block(); // done
  c.loop(); // top
  {
    c.get(P).get(END).i32_ge_u().br_if(1);
    // The block path, when it may apply: a word has begun, no space is owed, 16 units are left.
    c.get(STARTED).get(PEND).i32_eqz().i32_and().get(END).get(P).i32_sub().i32_const(32).i32_ge_u().i32_and().if_();
    {
      c.get(P).v128_load(0).get(P).v128_load(16).i8x16_narrow_i16x8_u().set(V); // units above 0xff become 0xff
      c.get(V).i8x16_const(0x20).i8x16_eq().set(SP);
      // not printable ASCII or space | two spaces in a row | a space last
      c.get(V).i8x16_const(0x20).i8x16_lt_u().get(V).i8x16_const(0x7e).i8x16_gt_u().v128_or();
      c.get(SP).get(SP).v128_bytes(NEXT).i8x16_swizzle().v128_and().v128_or();
      c.i8x16_bitmask().get(SP).i8x16_bitmask().i32_const(0x8000).i32_and().i32_or().i32_eqz().if_();
      {
        // capitals: | 0x20
        c.get(O).get(V);
        c.get(V).i8x16_const(0x40).i8x16_gt_u().get(V).i8x16_const(0x5b).i8x16_lt_u().v128_and().i8x16_const(0x20).v128_and();
        c.v128_or().v128_store(0);
        c.get(O).i32_const(16).i32_add().set(O);
        c.get(P).i32_const(32).i32_add().set(P);
        c.br(2); // top
      }
      c.end();
      c.get(P).i32_const(32).i32_add().set(LIMIT);
    }
    c.else_();
    c.get(P).i32_const(2).i32_add().set(LIMIT);
    c.end();
    // The unit path up to LIMIT (not past the end).
    c.get(LIMIT).get(END).get(LIMIT).get(END).i32_lt_u().select().set(LIMIT);
    c.loop();
    {
      c.get(P).get(LIMIT).i32_ge_u().br_if(1); // top
      unit();
      c.br(0);
    }
    c.end();
    c.br(0);
  }
  c.end().end();
  c.get(O);
  return { name: "fold", params: [I32, I32, I32], results: [I32], locals: [[6, I32], [2, V128]] as [number, number][], code: c };
}

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
      kernel = new ExactKeyKernel(new WebAssembly.Module(wasmModule([foldFunction()])), classTables());
    } catch {
      kernel = null;
    }
  }
  return kernel;
}
