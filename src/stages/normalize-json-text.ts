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
 * The kernel is AssemblyScript, src/kernels/as/json-text.ts. Memory layout (byte offsets):
 *   [ESC_AT, +32)        per code unit below U+0020: its short escape letter, or 0 for \u00XX
 *   [HEX_AT, +16)        "0123456789abcdef"
 *   [IN_AT, +2n)         the string's UTF-16 code units
 *   [out, ...)           the bytes before, the JSON text (at most 6 bytes per unit and the
 *                        quotes, and 16 bytes a block store may write past its end), the bytes after
 */
import { readFileSync } from "node:fs";
import quoteWasm from "../kernels/wasm/json-text.wasm" with { type: "file" };
import { growMemory } from "../kernels/wasm-memory.ts";
import { ZstdTextWriter } from "../io/zstd-writer.ts";

const ESC_AT = 0;
const HEX_AT = 32;
const IN_AT = 64;
/**
 * Longer strings are encoded the JavaScript way: WebAssembly memory only
 * grows, and a thread would keep the memory of its longest string for good.
 */
const MAX_UNITS = 1 << 24;

const SHORT_ESCAPES: [number, string][] = [
  [8, "b"],
  [9, "t"],
  [10, "n"],
  [12, "f"],
  [13, "r"],
];

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
      kernel = new JsonTextKernel(new WebAssembly.Module(readFileSync(quoteWasm)));
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
