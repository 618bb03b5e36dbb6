// AssemblyScript (compiled by scripts/build-kernels.ts): a string's JSON text as UTF-8, exactly as
// Buffer.from(JSON.stringify(s)) gives it. See src/stages/normalize-json-text.ts for the memory
// layout (escape letters at ESC_AT, hex digits at HEX_AT) and the JavaScript the tests compare with.
//
// quote(p, end, o) reads UTF-16 code units [p, end) and writes `"`, the escaped text, `"` at o;
// returns the end of the bytes written.

const ESC_AT: usize = 0;
const HEX_AT: usize = 32;

// @ts-ignore: decorator
@inline
function unicodeEscape(o: usize, c: u32): usize {
  store<u8>(o, 0x5c);
  store<u8>(o, 0x75, 1);
  store<u8>(o, load<u8>(HEX_AT + ((c >> 12) & 15)), 2);
  store<u8>(o, load<u8>(HEX_AT + ((c >> 8) & 15)), 3);
  store<u8>(o, load<u8>(HEX_AT + ((c >> 4) & 15)), 4);
  store<u8>(o, load<u8>(HEX_AT + (c & 15)), 5);
  return o + 6;
}

export function quote(p: usize, end: usize, o: usize): usize {
  store<u8>(o, 0x22);
  o += 1;
  for (;;) {
    // Sixteen units at a time while they are printable ASCII other than " and \ (stored as bytes
    // either way; only those before the first other unit count).
    while (end - p >= 32) {
      const v = i8x16.narrow_i16x8_u(v128.load(p), v128.load(p, 16)); // units above 0xff become 0xff
      let bad = v128.or(i8x16.lt_u(v, i8x16.splat(0x20)), i8x16.gt_u(v, i8x16.splat(0x7e)));
      bad = v128.or(bad, i8x16.eq(v, i8x16.splat(0x22)));
      bad = v128.or(bad, i8x16.eq(v, i8x16.splat(0x5c)));
      let m = <u32>i8x16.bitmask(bad);
      v128.store(o, v);
      if (m == 0) {
        p += 32;
        o += 16;
        continue;
      }
      m = ctz(m);
      p += m << 1;
      o += m;
      break;
    }
    // then one unit (or pair)
    if (p >= end) break;
    const c = <u32>load<u16>(p);
    p += 2;
    if (c < 0x80) {
      if (c == 0x22 || c == 0x5c) {
        store<u8>(o, 0x5c);
        store<u8>(o, c, 1);
        o += 2;
      } else if (c < 0x20) {
        const d = <u32>load<u8>(ESC_AT + c);
        if (d != 0) {
          store<u8>(o, 0x5c);
          store<u8>(o, d, 1);
          o += 2;
        } else {
          o = unicodeEscape(o, c);
        }
      } else {
        store<u8>(o, c);
        o += 1;
      }
      continue;
    }
    if (c < 0x800) {
      store<u8>(o, 0xc0 | (c >> 6));
      store<u8>(o, 0x80 | (c & 0x3f), 1);
      o += 2;
      continue;
    }
    if (c - 0xd800 < 0x800) {
      // a surrogate: a high one followed by a low one is one code point; a lone one is escaped
      if (c < 0xdc00 && p < end) {
        const d = <u32>load<u16>(p);
        if (d - 0xdc00 < 0x400) {
          const cp = (((c - 0xd800) << 10) | (d - 0xdc00)) + 0x10000;
          store<u8>(o, 0xf0 | (cp >> 18));
          store<u8>(o, 0x80 | ((cp >> 12) & 0x3f), 1);
          store<u8>(o, 0x80 | ((cp >> 6) & 0x3f), 2);
          store<u8>(o, 0x80 | (cp & 0x3f), 3);
          o += 4;
          p += 2;
          continue;
        }
      }
      o = unicodeEscape(o, c);
      continue;
    }
    store<u8>(o, 0xe0 | (c >> 12));
    store<u8>(o, 0x80 | ((c >> 6) & 0x3f), 1);
    store<u8>(o, 0x80 | (c & 0x3f), 2);
    o += 3;
  }
  store<u8>(o, 0x22);
  return o + 1;
}
