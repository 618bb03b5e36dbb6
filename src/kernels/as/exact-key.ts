// AssemblyScript (compiled to WebAssembly by scripts/build-kernels.ts): the exact-duplicate key's
// fold, see src/stages/exact-key-kernel.ts for the memory layout and the reference in JavaScript.
//
// fold(p, end, out) reads UTF-16 code units [p, end) and writes the folded text's UTF-8 bytes at
// out: whitespace runs become one space between words (none at either end), capitals lower case
// (ASCII by bit 5, other BMP units through the lower-case table), lone surrogates U+FFFD. Returns
// the end of the bytes written, or -1 when a unit needs JavaScript (class CASED).

const SPACE: u32 = 1;
const UPPER: u32 = 2;
const CASED: u32 = 3;
const HIGH: u32 = 4;
const LOW: u32 = 5;
const LOWER: u32 = 6;

const TABLE_AT: usize = 0;
const LOWER_AT: usize = 65536;

// @ts-ignore: decorator
@inline
function storeUtf8(o: usize, c: u32, bytes: i32): usize {
  if (bytes == 2) {
    store<u8>(o, 0xc0 | (c >> 6));
    store<u8>(o, 0x80 | (c & 0x3f), 1);
  } else if (bytes == 3) {
    store<u8>(o, 0xe0 | (c >> 12));
    store<u8>(o, 0x80 | ((c >> 6) & 0x3f), 1);
    store<u8>(o, 0x80 | (c & 0x3f), 2);
  } else {
    store<u8>(o, 0xf0 | (c >> 18));
    store<u8>(o, 0x80 | ((c >> 12) & 0x3f), 1);
    store<u8>(o, 0x80 | ((c >> 6) & 0x3f), 2);
    store<u8>(o, 0x80 | (c & 0x3f), 3);
  }
  return o + bytes;
}

export function fold(p: usize, end: usize, o: usize): isize {
  let pending = false; // a whitespace run owes one space, paid before the next word
  let started = false; // a word has begun
  // Each lane i of the swizzle takes lane i + 1 (the last takes nothing: index 16 gives 0).
  const next = i8x16(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
  while (p < end) {
    let limit: usize;
    if (started && !pending && end - p >= 32) {
      // Sixteen units at once when all are printable ASCII or a space, no two spaces touch and
      // the last is not a space: they are their own folded bytes, capitals lower-cased.
      const v = i8x16.narrow_i16x8_u(v128.load(p), v128.load(p, 16)); // units above 0xff become 0xff
      const sp = i8x16.eq(v, i8x16.splat(0x20));
      const bad = v128.or(v128.or(i8x16.lt_u(v, i8x16.splat(0x20)), i8x16.gt_u(v, i8x16.splat(0x7e))), v128.and(sp, i8x16.swizzle(sp, next)));
      if ((i8x16.bitmask(bad) | (i8x16.bitmask(sp) & 0x8000)) == 0) {
        const capitals = v128.and(v128.and(i8x16.gt_u(v, i8x16.splat(0x40)), i8x16.lt_u(v, i8x16.splat(0x5b))), i8x16.splat(0x20));
        v128.store(o, v128.or(v, capitals));
        o += 16;
        p += 32;
        continue;
      }
      limit = p + 32;
    } else {
      limit = p + 2;
    }
    if (limit > end) limit = end;
    while (p < limit) {
      let c = <u32>load<u16>(p);
      p += 2;
      const k = <u32>load<u8>(TABLE_AT + c);
      if (k == SPACE) {
        pending = started;
        continue;
      }
      if (k == CASED) return -1;
      if (k == LOWER) c = <u32>load<u16>(LOWER_AT + (c << 1));
      if (pending) {
        store<u8>(o, 0x20);
        o += 1;
        pending = false;
      }
      started = true;
      if (c < 0x80) {
        store<u8>(o, c | (<u32>(k == UPPER) << 5));
        o += 1;
        continue;
      }
      if (c < 0x800) {
        o = storeUtf8(o, c, 2);
        continue;
      }
      if (k == HIGH) {
        if (p < end) {
          const d = <u32>load<u16>(p);
          if (<u32>load<u8>(TABLE_AT + d) == LOW) {
            p += 2;
            o = storeUtf8(o, 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00), 4);
            continue;
          }
        }
      }
      if (k == HIGH || k == LOW) c = 0xfffd;
      o = storeUtf8(o, c, 3);
    }
  }
  return <isize>o;
}
