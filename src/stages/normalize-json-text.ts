/**
 * A string as the UTF-8 bytes of its JSON text, exactly as
 * Buffer.from(JSON.stringify(s)) gives them, written by a WebAssembly kernel.
 * Normalize writes every kept document's text this way: JSON.stringify would
 * escape the text into a new string that the shard writer then encodes again,
 * two passes over the largest field of every record; the kernel does both in
 * one pass over a native copy of the code units, sixteen at a time up to the
 * next unit that needs an escape or more than one byte.
 *
 * JSON.stringify's rules (ECMA-262 QuoteJSONString): `"` and `\` are escaped
 * with a backslash; backspace, tab, newline, form feed and carriage return as
 * \b \t \n \f \r; other code units below U+0020 and lone surrogates as \uXXXX
 * with lowercase hex digits; everything else as itself (a surrogate pair is
 * one code point, four UTF-8 bytes).
 *
 * Memory layout (byte offsets):
 *   [ESC_AT, +32)        per code unit below U+0020: its short escape letter, or 0 for \u00XX
 *   [HEX_AT, +16)        "0123456789abcdef"
 *   [IN_AT, +2n)         the string's UTF-16 code units
 *   [out, ...)           the bytes before, the JSON text (at most 6 bytes per unit and the
 *                        quotes, and 16 bytes a block store may write past its end), the bytes after
 */
import { Code, I32, V128, storeUtf8, wasmModule } from "../kernels/wasm-asm.ts";
import { growMemory } from "../kernels/wasm-memory.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";

const ESC_AT = 0;
const HEX_AT = 32;
const IN_AT = 64;
const PAGE = 65536;
/**
 * Longer strings are encoded the JavaScript way: WebAssembly memory only
 * grows, and a thread would keep the memory of its longest string for good.
 */
const MAX_UNITS = 1 << 24;

const SHORT_ESCAPES: [number, string][] = [[8, "b"], [9, "t"], [10, "n"], [12, "f"], [13, "r"]];

/** quote(in, end, out) -> the end of the JSON text of units [in, end) written at out. */
function quoteFunction() {
  const [P, END, O, C, D, M, CP, V] = [0, 1, 2, 3, 4, 5, 6, 7];
  const c = new Code();
  const add = (l: number, by: number) => c.get(l).i32_const(by).i32_add().set(l);
  const byte = (offset: number, value: () => void) => {
    c.get(O);
    value();
    c.i32_store8(offset);
  };
  /** \uXXXX for the unit in C */
  const unicodeEscape = () => {
    byte(0, () => c.i32_const(0x5c));
    byte(1, () => c.i32_const(0x75));
    for (let k = 0; k < 4; k++) byte(2 + k, () => c.get(C).i32_const(12 - 4 * k).i32_shr_u().i32_const(15).i32_and().i32_load8_u(HEX_AT));
    add(O, 6);
  };

  byte(0, () => c.i32_const(0x22));
  add(O, 1);
  c.block(); // done
  c.loop(); // top
  {
    // Sixteen units at a time while they are printable ASCII other than " and \ (stored as
    // bytes either way; only those before the first other unit count).
    c.block().loop();
    {
      c.get(END).get(P).i32_sub().i32_const(32).i32_lt_u().br_if(1);
      c.get(P).v128_load(0).get(P).v128_load(16).i8x16_narrow_i16x8_u().tee(V);
      c.i8x16_const(0x20).i8x16_lt_u();
      c.get(V).i8x16_const(0x7e).i8x16_gt_u().v128_or();
      c.get(V).i8x16_const(0x22).i8x16_eq().v128_or();
      c.get(V).i8x16_const(0x5c).i8x16_eq().v128_or();
      c.i8x16_bitmask().set(M);
      c.get(O).get(V).v128_store(0);
      c.get(M).i32_eqz().if_();
      add(P, 32);
      add(O, 16);
      c.br(1);
      c.end();
      c.get(M).i32_ctz().set(M);
      c.get(P).get(M).i32_const(1).i32_shl().i32_add().set(P);
      c.get(O).get(M).i32_add().set(O);
      c.br(1);
    }
    c.end().end();
    // then one unit (or pair)
    c.get(P).get(END).i32_ge_u().br_if(1);
    c.get(P).i32_load16_u(0).set(C);
    add(P, 2);
    c.block(); // written
    {
      c.get(C).i32_const(0x80).i32_lt_u().if_();
      {
        c.get(C).i32_const(0x22).i32_eq().get(C).i32_const(0x5c).i32_eq().i32_or().if_();
        byte(0, () => c.i32_const(0x5c));
        byte(1, () => c.get(C));
        add(O, 2);
        c.br(2);
        c.end();
        c.get(C).i32_const(0x20).i32_lt_u().if_();
        {
          c.get(C).i32_load8_u(ESC_AT).tee(D).if_();
          byte(0, () => c.i32_const(0x5c));
          byte(1, () => c.get(D));
          add(O, 2);
          c.br(3);
          c.end();
          unicodeEscape();
          c.br(2);
        }
        c.end();
        byte(0, () => c.get(C));
        add(O, 1);
        c.br(1);
      }
      c.end();
      c.get(C).i32_const(0x800).i32_lt_u().if_();
      storeUtf8(c, C, O, 2);
      c.br(1);
      c.end();
      c.get(C).i32_const(0xd800).i32_sub().i32_const(0x800).i32_lt_u().if_();
      {
        // a surrogate: a high one followed by a low one is one code point; a lone one is escaped
        c.get(C).i32_const(0xdc00).i32_lt_u().get(P).get(END).i32_lt_u().i32_and().if_();
        c.get(P).i32_load16_u(0).tee(D).i32_const(0xdc00).i32_sub().i32_const(0x400).i32_lt_u().if_();
        {
          c.get(C).i32_const(0xd800).i32_sub().i32_const(10).i32_shl().get(D).i32_const(0xdc00).i32_sub().i32_or().i32_const(0x10000).i32_add().set(CP);
          storeUtf8(c, CP, O, 4);
          add(P, 2);
          c.br(3);
        }
        c.end();
        c.end();
        unicodeEscape();
        c.br(1);
      }
      c.end();
      storeUtf8(c, C, O, 3);
    }
    c.end();
    c.br(0);
  }
  c.end().end();
  byte(0, () => c.i32_const(0x22));
  c.get(O).i32_const(1).i32_add();
  return { name: "quote", params: [I32, I32, I32], results: [I32], locals: [[4, I32], [1, V128]] as [number, number][], code: c };
}

export class JsonTextKernel {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly quote: (p: number, end: number, out: number) => number;
  private buffer: ArrayBuffer | null = null;
  private bytes = Buffer.alloc(0);

  constructor(mod: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(mod, { env: { memory: this.memory } });
    this.quote = (inst.exports as unknown as { quote(p: number, end: number, out: number): number }).quote;
    this.views();
    for (const [unit, letter] of SHORT_ESCAPES) this.bytes[ESC_AT + unit] = letter.charCodeAt(0);
    this.bytes.write("0123456789abcdef", HEX_AT, "latin1");
  }

  private views(): void {
    if (this.buffer === this.memory.buffer) return;
    this.buffer = this.memory.buffer as ArrayBuffer;
    this.bytes = Buffer.from(this.buffer);
  }

  /** The UTF-8 bytes of `before + JSON.stringify(s) + after`, in a new array; null for a string longer than MAX_UNITS or when memory runs out. */
  encode(s: string, before: string, after: string): Uint8Array | null {
    const r = this.encodeHere(s, before, after);
    return r === null ? null : new Uint8Array(this.bytes.buffer, r[0], r[1] - r[0]).slice(); // a copy: the memory is reused
  }

  /**
   * encode(), copied into `target` at `at` instead of a new array; returns where the bytes end,
   * or -1 where encode() gives null. `target` must have maxBytes() free from `at`.
   */
  encodeInto(s: string, before: string, after: string, target: Uint8Array, at: number): number {
    const r = this.encodeHere(s, before, after);
    if (r === null) return -1;
    target.set(new Uint8Array(this.bytes.buffer, r[0], r[1] - r[0]), at);
    return at + r[1] - r[0];
  }

  /** The most bytes encode() can give for these strings. */
  static maxBytes(s: string, before: string, after: string): number {
    return 3 * before.length + 6 * s.length + 2 + 3 * after.length;
  }

  /** Encodes in this kernel's memory: [start, end) of the bytes, valid until the next call. */
  private encodeHere(s: string, before: string, after: string): [number, number] | null {
    if (s.length > MAX_UNITS) return null;
    const out = IN_AT + 2 * s.length;
    const need = out + JsonTextKernel.maxBytes(s, before, after) + 16;
    // The memory is this kernel's own and only grows: its current view tells whether it must.
    if (need > this.bytes.length) {
      if (!growMemory(this.memory, need)) return null;
      this.views();
    }
    const b = this.bytes;
    b.write(s, IN_AT, "utf16le");
    const start = out + b.write(before, out, "utf8");
    const end = this.quote(IN_AT, out, start);
    const stop = end + b.write(after, end, "utf8");
    return [out, stop];
  }
}

/** One kernel per thread, made on first use; null when WebAssembly (with SIMD) is unavailable. */
let kernel: JsonTextKernel | null | undefined;

export function jsonTextKernel(): JsonTextKernel | null {
  if (kernel === undefined) {
    try {
      kernel = new JsonTextKernel(new WebAssembly.Module(wasmModule([quoteFunction()])));
    } catch {
      kernel = null;
    }
  }
  return kernel;
}

/**
 * The UTF-8 bytes of `before + JSON.stringify(s) + after`, in a new array.
 * Without the kernel, or where it declines the string, they are made the
 * JavaScript way.
 */
export function jsonStringBytes(s: string, before: string, after: string): Uint8Array {
  return jsonTextKernel()?.encode(s, before, after) ?? Buffer.from(before + JSON.stringify(s) + after);
}

/** Appends jsonStringBytes(s, before, after) to `out`, encoded straight into its buffer when it fits. */
export async function writeJsonString(out: ZstdTextWriter, s: string, before: string, after: string): Promise<void> {
  const k = jsonTextKernel();
  const most = JsonTextKernel.maxBytes(s, before, after);
  if (k !== null && most <= ZstdTextWriter.BUFFER_BYTES) {
    let declined = false;
    await out.writeWith(most, (buf, at) => {
      const end = k.encodeInto(s, before, after, buf, at);
      declined = end < 0;
      return declined ? at : end;
    });
    if (!declined) return;
  }
  await out.writeBytes(jsonStringBytes(s, before, after));
}
