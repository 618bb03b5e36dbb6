/**
 * A minimal WebAssembly binary encoder: enough to write gamma's CPU kernels (the near engine's
 * ./near-wasm.ts, the filter scan src/filters/text-scan-kernel.ts, normalize's JSON encoder
 * src/stages/normalize-json-text.ts) as readable code, WAT mnemonic by mnemonic, without a toolchain or a binary
 * blob in the repository. `Code` appends instructions; `wasmModule` wraps functions that share
 * one imported memory (`env.memory`) into a module.
 *
 * Encoding reference: the WebAssembly core specification 2.0, "Binary Format" (LEB128 integers,
 * sections 1 type, 2 import, 3 function, 7 export, 10 code) and its fixed-width SIMD opcodes
 * (prefix 0xFD).
 */

export const I32 = 0x7f;
export const V128 = 0x7b;
export const I64 = 0x7e;
const VOID_BLOCK = 0x40;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Instructions of one function body; methods are named after the WAT mnemonics. */
export class Code {
  readonly bytes: number[] = [];

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  private simd(sub: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(sub), ...imm);
  }

  // control
  block(): this {
    return this.op(0x02, VOID_BLOCK);
  }
  loop(): this {
    return this.op(0x03, VOID_BLOCK);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...uleb(depth));
  }
  br_if(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  return(): this {
    return this.op(0x0f);
  }
  // locals
  get(l: number): this {
    return this.op(0x20, ...uleb(l));
  }
  set(l: number): this {
    return this.op(0x21, ...uleb(l));
  }
  tee(l: number): this {
    return this.op(0x22, ...uleb(l));
  }
  // i32 (memarg: log2 alignment, offset)
  i32_load(offset = 0, align = 2): this {
    return this.op(0x28, align, ...uleb(offset));
  }
  i32_store(offset = 0, align = 2): this {
    return this.op(0x36, align, ...uleb(offset));
  }
  i32_const(v: number): this {
    return this.op(0x41, ...sleb(v));
  }
  i32_lt_u(): this {
    return this.op(0x49);
  }
  i32_gt_u(): this {
    return this.op(0x4b);
  }
  i32_ge_u(): this {
    return this.op(0x4f);
  }
  i32_eqz(): this {
    return this.op(0x45);
  }
  i32_add(): this {
    return this.op(0x6a);
  }
  i32_sub(): this {
    return this.op(0x6b);
  }
  i32_mul(): this {
    return this.op(0x6c);
  }
  i32_and(): this {
    return this.op(0x71);
  }
  i32_xor(): this {
    return this.op(0x73);
  }
  i32_shl(): this {
    return this.op(0x74);
  }
  i32_shr_u(): this {
    return this.op(0x76);
  }
  i32_rotl(): this {
    return this.op(0x77);
  }
  select(): this {
    return this.op(0x1b);
  }
  // v128
  v128_load(offset = 0): this {
    return this.simd(0x00, 4, ...uleb(offset));
  }
  v128_load32_splat(offset = 0): this {
    return this.simd(0x09, 2, ...uleb(offset));
  }
  v128_store(offset = 0): this {
    return this.simd(0x0b, 4, ...uleb(offset));
  }
  /** v128.const with the same u32 in all four lanes. */
  i32x4_const(v: number): this {
    const le = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    return this.simd(0x0c, ...le, ...le, ...le, ...le);
  }
  v128_xor(): this {
    return this.simd(0x51);
  }
  i32x4_shr_u(): this {
    return this.simd(0xad);
  }
  i32x4_add(): this {
    return this.simd(0xae);
  }
  i32x4_mul(): this {
    return this.simd(0xb5);
  }
  i32x4_min_u(): this {
    return this.simd(0xb7);
  }
  // (used by the text kernels: src/filters/text-scan-kernel.ts, src/stages/normalize-json-text.ts)
  // control
  /** `if` with no result; close with end(). */
  if_(): this {
    return this.op(0x04, 0x40);
  }
  else_(): this {
    return this.op(0x05);
  }
  // narrow loads (memarg: log2 alignment, offset)
  i32_load8_u(offset = 0): this {
    return this.op(0x2d, 0, ...uleb(offset));
  }
  i32_load16_u(offset = 0): this {
    return this.op(0x2f, 1, ...uleb(offset));
  }
  i32_store8(offset = 0): this {
    return this.op(0x3a, 0, ...uleb(offset));
  }
  // i32
  i32_eq(): this {
    return this.op(0x46);
  }
  i32_ne(): this {
    return this.op(0x47);
  }
  i32_ctz(): this {
    return this.op(0x68);
  }
  i32_popcnt(): this {
    return this.op(0x69);
  }
  i32_or(): this {
    return this.op(0x72);
  }
  i32_wrap_i64(): this {
    return this.op(0xa7);
  }
  // i64
  i64_load(offset = 0): this {
    return this.op(0x29, 0, ...uleb(offset));
  }
  i64_const(v: bigint): this {
    // signed LEB128 of a 64-bit value
    const out: number[] = [];
    let n = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(n & 0x7fn);
      n >>= 7n;
      if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
        out.push(b);
        break;
      }
      out.push(b | 0x80);
    }
    return this.op(0x42, ...out);
  }
  i64_ne(): this {
    return this.op(0x52);
  }
  i64_eqz(): this {
    return this.op(0x50);
  }
  i64_mul(): this {
    return this.op(0x7e);
  }
  i64_and(): this {
    return this.op(0x83);
  }
  i64_xor(): this {
    return this.op(0x85);
  }
  i64_shl(): this {
    return this.op(0x86);
  }
  i64_shr_u(): this {
    return this.op(0x88);
  }
  i64_rotl(): this {
    return this.op(0x89);
  }
  i64_sub(): this {
    return this.op(0x7d);
  }
  i64_extend_i32_u(): this {
    return this.op(0xad);
  }
  // v128
  v128_bytes(b: readonly number[]): this {
    if (b.length !== 16) throw new Error("v128.const needs 16 bytes");
    return this.simd(0x0c, ...b);
  }
  /** v128.const with the same byte in all sixteen lanes. */
  i8x16_const(v: number): this {
    return this.v128_bytes(new Array<number>(16).fill(v & 0xff));
  }
  i8x16_swizzle(): this {
    return this.simd(0x0e);
  }
  i8x16_eq(): this {
    return this.simd(0x23);
  }
  i8x16_ne(): this {
    return this.simd(0x24);
  }
  i8x16_lt_u(): this {
    return this.simd(0x26);
  }
  i8x16_gt_u(): this {
    return this.simd(0x28);
  }
  i8x16_le_u(): this {
    return this.simd(0x2a);
  }
  v128_and(): this {
    return this.simd(0x4e);
  }
  v128_or(): this {
    return this.simd(0x50);
  }
  v128_any_true(): this {
    return this.simd(0x53);
  }
  i8x16_bitmask(): this {
    return this.simd(0x64);
  }
  i8x16_narrow_i16x8_u(): this {
    return this.simd(0x66);
  }
  i8x16_shr_u(): this {
    return this.simd(0x6d);
  }
  i8x16_sub(): this {
    return this.simd(0x71);
  }
}

/**
 * Stores the `bytes`-byte UTF-8 form (2, 3 or 4: the caller has decided which) of the code point
 * in local `cp` at the address in local `out`, and moves `out` past it.
 */
export function storeUtf8(c: Code, cp: number, out: number, bytes: 2 | 3 | 4): void {
  const lead = { 2: 0xc0, 3: 0xe0, 4: 0xf0 }[bytes];
  c.get(out).get(cp).i32_const(6 * (bytes - 1)).i32_shr_u().i32_const(lead).i32_or().i32_store8(0);
  for (let k = 1; k < bytes; k++) {
    const shift = 6 * (bytes - 1 - k);
    c.get(out).get(cp);
    if (shift > 0) c.i32_const(shift).i32_shr_u();
    c.i32_const(0x3f).i32_and().i32_const(0x80).i32_or().i32_store8(k);
  }
  c.get(out).i32_const(bytes).i32_add().set(out);
}

export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  /** Local declarations after the parameters: [count, type] runs. */
  locals: [number, number][];
  code: Code;
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** A module importing `env.memory` (at least 1 page) and exporting `fns` by name. */
export function wasmModule(fns: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = fns.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const bodies = fns.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.code.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}
