// AssemblyScript (compiled by scripts/build-kernels.ts): the text scan's kernel. It computes what
// the JavaScript twin (src/filters/text-scan-js.ts) computes; src/filters/text-scan-kernel.ts has
// the memory layout, the state fields and the events, and src/filters/text-scan-wasm.ts drives it.
//
// Per block of sixteen ASCII units, SIMD byte lanes give the spaces, letters, newlines and
// boilerplate anchors as bit masks (anchors through nibble tables the driver writes at NIBBLE_AT:
// a lane is the first character of an anchor when both its nibbles say so, likewise the second and
// third, against the lanes shifted by two and one units). Other units go through the code unit
// class table. At each line end the line is trimmed, hashed eight bytes at a time and looked up in
// an open-addressing table of the text's earlier lines; an anchored line short enough to be
// boilerplate is left as a candidate. The kernel returns on every rare event with its state saved
// in memory; the next call resumes where it stopped.

// Memory layout and limits (src/filters/text-scan-kernel.ts; a test holds the two equal).
const CLASS_AT: usize = 0;
const ANCHOR_AT: usize = 0x20000;
const ASTRAL_AT: usize = ANCHOR_AT + 0x8000;
const STATE_AT: usize = ASTRAL_AT + 0x100000;
const NIBBLE_AT: usize = STATE_AT + 0x80;
const CAND_AT: usize = STATE_AT + 0x100;
const CAND_END: usize = CAND_AT + 1024 * 8;
const LINES_PER_STEP: usize = 16;
const MAX_BOILERPLATE_LINE: u32 = 300;

// Code unit classes (src/filters/code-unit-class.ts).
const ANCHOR_INDEX: u32 = 31;
const ASCII: u32 = 1 << 5;
const SPACE: u32 = 1 << 6;
const LETTER: u32 = 1 << 7;
const TRIM: u32 = 1 << 8;
const SLOW: u32 = 1 << 9;

// Events.
const EV_DONE: i32 = 0;
const EV_CLASS: i32 = 1;
const EV_ASTRAL: i32 = 2;
const EV_ROOM: i32 = 3;

// State fields, in memory order (FIELDS in text-scan-kernel.ts), as i32 slots at STATE_AT.
const S_P = 0, S_END = 1, S_TEXT = 2, S_PAIRS = 3, S_ASCII = 4, S_SPACES = 5, S_LETTERS = 6, S_WORDS = 7, S_PREV_SPACE = 8;
const S_LINE_START = 9, S_LINE_ANCHORED = 10, S_LINES = 11, S_DISTINCT = 12, S_TABLE = 13, S_MASK = 14, S_SHIFT = 15, S_ROOM = 16, S_CAND = 17;

// What endLine did, as bits of its result: the line was counted (not empty), left as a
// candidate, and added to the table as a new distinct line.
const COUNTED: u32 = 1;
const CANDIDATE: u32 = 2;
const NEW_LINE: u32 = 4;

// @ts-ignore: decorator
@inline
function field(i: i32): u32 {
  return load<u32>(STATE_AT + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
function setField(i: i32, v: u32): void {
  store<u32>(STATE_AT + (<usize>i << 2), v);
}

// @ts-ignore: decorator
@inline
function classOf(at: usize): u32 {
  return <u32>load<u16>(CLASS_AT + (<usize>load<u16>(at) << 1));
}

// @ts-ignore: decorator
@inline
function tailMask(bytes: u32): u64 {
  return (<u64>1 << (<u64>bytes << 3)) - 1;
}

/**
 * Ends the line [lineStart, q) (q: the "\n" or the text's end): if it is not empty once trimmed,
 * counts it, leaves it as a candidate at `cand` when anchored and short enough, and adds it to the
 * line table unless an equal line is there. Returns what it did (COUNTED | CANDIDATE | NEW_LINE).
 */
// @ts-ignore: decorator
@inline
function endLine(lineStart: usize, q: usize, anchored: u32, cand: usize, text: usize, table: usize, mask: u32, shift: u32): u32 {
  let s = lineStart;
  for (;;) {
    if (s >= q) return 0; // an empty line
    if ((classOf(s) & TRIM) == 0) break;
    s += 2;
  }
  let e = q;
  while ((classOf(e - 2) & TRIM) != 0) e -= 2;
  let did = COUNTED;
  const len = <u32>(e - s);
  if (anchored != 0 && len < 2 * MAX_BOILERPLATE_LINE) {
    store<u32>(cand, <u32>((s - text) >> 1));
    store<u32>(cand, <u32>((e - text) >> 1), 4);
    did |= CANDIDATE;
  }
  // hash: h = rotl((h ^ word) * K1, 31) per eight bytes, the tail masked, then the length
  let h: u64 = 0x9e3779b97f4a7c15;
  let i: u32 = 0;
  while (len - i >= 8) {
    h = rotl<u64>((h ^ load<u64>(s + i)) * 0x87c37b91114253d5, 31);
    i += 8;
  }
  const w = load<u64>(s + i) & tailMask(len - i);
  h = (h ^ w ^ <u64>len) * 0x4cf5ad432745937f;
  const h32 = <u32>(h ^ (h >> 32));
  // look the line up; add it when new
  let slot = (h32 * 0x9e3779b1) >> shift;
  for (;;) {
    const a = table + (<usize>slot << 4);
    if (load<u32>(a, 8) == 0) {
      store<u32>(a, h32);
      store<u32>(a, <u32>s, 4);
      store<u32>(a, <u32>e, 8);
      return did | NEW_LINE;
    }
    if (load<u32>(a) == h32 && load<u32>(a, 8) - load<u32>(a, 4) == len) {
      // same hash and length: compare the bytes, eight at a time
      const b = <usize>load<u32>(a, 4);
      let eq = true;
      let j: u32 = 0;
      while (len - j >= 8) {
        if (load<u64>(b + j) != load<u64>(s + j)) {
          eq = false;
          break;
        }
        j += 8;
      }
      if (eq && ((load<u64>(b + j) ^ load<u64>(s + j)) & tailMask(len - j)) == 0) return did; // an equal line is there
    }
    slot = (slot + 1) & mask;
  }
  return unreachable();
}

// @ts-ignore: decorator
@inline
function anchorBits(v: v128, lo: v128, hi: v128): v128 {
  return v128.and(i8x16.swizzle(lo, v128.and(v, i8x16.splat(0x0f))), i8x16.swizzle(hi, i8x16.shr_u(v, 4)));
}

export function scan(): i32 {
  let p = <usize>field(S_P);
  const end = <usize>field(S_END);
  let pairs = field(S_PAIRS);
  let ascii = field(S_ASCII);
  let spaces = field(S_SPACES);
  let letters = field(S_LETTERS);
  let words = field(S_WORDS);
  let prevSpace = field(S_PREV_SPACE);
  let lineStart = <usize>field(S_LINE_START);
  let lineAnchored = field(S_LINE_ANCHORED);
  const text = <usize>field(S_TEXT);
  const table = <usize>field(S_TABLE);
  const mask = field(S_MASK);
  const shift = field(S_SHIFT);
  const room = field(S_ROOM);
  let lines = field(S_LINES);
  let distinct = field(S_DISTINCT);
  let cand = <usize>field(S_CAND);
  let ev = EV_DONE;

  for (;;) {
    // ---- a segment of units one at a time, through the class table: the last units of the
    // text, or a block of sixteen that is not all ASCII ----
    let seg: usize = 0;
    let va = i32x4.splat(0);
    let vb = i32x4.splat(0);
    const tail = end - p < 32;
    if (tail) seg = end;
    else {
      va = v128.load(p);
      vb = v128.load(p, 16);
      if (v128.any_true(v128.and(v128.or(va, vb), i32x4.splat(0xff80ff80)))) seg = p + 32;
    }
    if (seg != 0) {
      // pa: the anchor indexes of the two units before p (the zeros before the text at its start)
      let pa = ((classOf(p - 4) & ANCHOR_INDEX) << 5) | (classOf(p - 2) & ANCHOR_INDEX);
      while (p < seg) {
        const c = <u32>load<u16>(p);
        let k = <u32>load<u16>(CLASS_AT + (<usize>c << 1));
        if (k == 0) {
          ev = EV_CLASS;
          break;
        }
        if ((k & SLOW) != 0) {
          if (c == 10) {
            if (distinct > room || cand > CAND_END - LINES_PER_STEP * 8) {
              ev = EV_ROOM;
              break;
            }
            const did = endLine(lineStart, p, lineAnchored, cand, text, table, mask, shift);
            lines += did & COUNTED;
            cand += (did & CANDIDATE) << 2;
            distinct += (did & NEW_LINE) >> 2;
            lineStart = p + 2;
            lineAnchored = 0;
          } else if (p + 2 < end) {
            const d = <u32>load<u16>(p, 2);
            if (d - 0xdc00 < 0x400) {
              // a surrogate pair: one non-space character, a letter or not as the astral table says
              const a = <u32>load<u8>(ASTRAL_AT + ((<usize>(c - 0xd800) << 10) | <usize>(d - 0xdc00)));
              if (a == 0) {
                ev = EV_ASTRAL;
                break;
              }
              letters += a >> 1;
              pairs++;
              words += prevSpace;
              prevSpace = 0;
              pa = 0;
              p += 4;
              continue;
            }
          }
        }
        ascii += (k >> 5) & 1;
        letters += (k >> 7) & 1;
        const sp = (k >> 6) & 1;
        spaces += sp;
        words += (sp ^ 1) & prevSpace;
        prevSpace = sp;
        const an = (pa << 5) | (k & ANCHOR_INDEX);
        lineAnchored |= <u32>load<u8>(ANCHOR_AT + an);
        pa = an & 0x3ff;
        p += 2;
      }
      if (ev != EV_DONE || tail) break;
      continue;
    }

    // ---- sixteen ASCII units at p ----
    if (distinct > room || cand > CAND_END - LINES_PER_STEP * 8) {
      ev = EV_ROOM;
      break;
    }
    const x = i8x16.narrow_i16x8_u(va, vb);
    // spaces: 32 or 9..13
    const sb = <u32>i8x16.bitmask(v128.or(i8x16.eq(x, i8x16.splat(32)), i8x16.le_u(i8x16.sub(x, i8x16.splat(9)), i8x16.splat(4))));
    // letters: (x | 0x20) in a..z
    letters += popcnt(<u32>i8x16.bitmask(i8x16.le_u(i8x16.sub(v128.or(x, i8x16.splat(0x20)), i8x16.splat(97)), i8x16.splat(25))));
    let nl = <u32>i8x16.bitmask(i8x16.eq(x, i8x16.splat(10)));
    // anchors: the units two before (from p - 4) and one before (from p - 2) against the units
    const two = i8x16.narrow_i16x8_u(v128.load(p - 4), v128.load(p, 12));
    const one = i8x16.narrow_i16x8_u(v128.load(p - 2), v128.load(p, 14));
    // The nibble tables are read where they are used (as constants would be), not held in registers.
    const first = anchorBits(two, v128.load(NIBBLE_AT), v128.load(NIBBLE_AT, 16));
    const second = anchorBits(one, v128.load(NIBBLE_AT, 32), v128.load(NIBBLE_AT, 48));
    const hit = v128.and(v128.and(first, second), anchorBits(x, v128.load(NIBBLE_AT, 64), v128.load(NIBBLE_AT, 80)));
    let hb = <u32>i8x16.bitmask(i8x16.ne(hit, i8x16.splat(0)));
    ascii += 16;
    spaces += popcnt(sb);
    // words: a non-space after a space
    words += popcnt(((sb << 1) | prevSpace) & (sb ^ 0xffff));
    prevSpace = sb >> 15;
    while (nl != 0) {
      const j = ctz(nl);
      lineAnchored |= <u32>((hb & ((<u32>1 << j) - 1)) != 0);
      const q = p + (<usize>j << 1);
      const did = endLine(lineStart, q, lineAnchored, cand, text, table, mask, shift);
      lines += did & COUNTED;
      cand += (did & CANDIDATE) << 2;
      distinct += (did & NEW_LINE) >> 2;
      lineStart = q + 2;
      lineAnchored = 0;
      hb &= 0 - (<u32>2 << j);
      nl &= nl - 1;
    }
    lineAnchored |= <u32>(hb != 0);
    p += 32;
  }
  if (ev == EV_DONE) {
    if (distinct > room || cand > CAND_END - LINES_PER_STEP * 8) ev = EV_ROOM;
    else {
      const did = endLine(lineStart, end, lineAnchored, cand, text, table, mask, shift);
      lines += did & COUNTED;
      cand += (did & CANDIDATE) << 2;
      distinct += (did & NEW_LINE) >> 2;
    }
  }
  setField(S_P, <u32>p);
  setField(S_PAIRS, pairs);
  setField(S_ASCII, ascii);
  setField(S_SPACES, spaces);
  setField(S_LETTERS, letters);
  setField(S_WORDS, words);
  setField(S_PREV_SPACE, prevSpace);
  setField(S_LINE_START, <u32>lineStart);
  setField(S_LINE_ANCHORED, lineAnchored);
  setField(S_LINES, lines);
  setField(S_DISTINCT, distinct);
  setField(S_CAND, <u32>cand);
  return ev;
}
