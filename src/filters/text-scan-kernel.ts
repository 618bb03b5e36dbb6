/**
 * The text scan's WebAssembly kernel (driven by text-scan-wasm.ts), which
 * computes what the JavaScript twin (text-scan-js.ts) computes. JavaScriptCore
 * spends about 1 ns per code unit just reading a string with charCodeAt and a
 * table; this kernel reads the code units from linear memory, sixteen at a
 * time when they are all ASCII, and runs several times faster.
 *
 * Per block of sixteen ASCII units, SIMD byte lanes give the spaces, letters,
 * newlines and boilerplate anchors as bit masks (anchors through nibble
 * tables: a lane is the first character of an anchor when both its nibbles
 * say so, likewise the second and third, each against the lanes shifted by
 * one and two units). Other units go through the code unit class table, as in
 * the JavaScript twin. At each line end the kernel trims the line, hashes it
 * eight bytes at a time, looks it up in an open-addressing table of the
 * text's earlier lines (comparing the bytes on equal hashes), and leaves each
 * anchored line short enough to be boilerplate as a candidate for the
 * caller's patterns.
 *
 * The kernel returns to the caller on every rare event, its state saved in
 * memory; the next call resumes where it stopped:
 *   EV_CLASS   the code unit at `p` is not classified yet: the caller classifies it
 *   EV_ASTRAL  whether the pair at `p` is a letter is not known yet: ditto
 *   EV_ROOM    the candidates or the line table may not hold the next block's
 *              lines: the caller takes the candidates and grows the table
 *   EV_DONE    the text is scanned (its last candidates are waiting)
 * Events come before the unit or block at `p` changes anything.
 *
 * Memory layout (byte offsets):
 *   [CLASS_AT, +128 KiB)    code unit classes (code-unit-class.ts), 0 = not classified yet
 *   [ANCHOR_AT, +32 KiB)    ANCHOR_TRIPLES (boilerplate.ts)
 *   [ASTRAL_AT, +1 MiB)     per code point U+10000..U+10FFFF: 0 not known yet, else 1 + (1 if a letter)
 *   [STATE_AT, +4*FIELDS)   the state, one i32 per entry of FIELDS
 *   [CAND_AT, CAND_END)     candidate lines: start, end (code unit indexes)
 *   [CAND_END, TEXT_AT)     zeros: the units "before" the text
 *   [TEXT_AT, +2n)          the text's UTF-16 code units, then SLACK bytes read past its end
 *   [table, +16*size)       the line table: hash, start, end (addresses; end 0 = free), unused
 */
import { I32, V128, wasmModule } from "../kernels/wasm-asm.ts";
import { ANCHORS, MAX_BOILERPLATE_LINE } from "./boilerplate.ts";
import { ANCHOR_INDEX, ASCII, LETTER, SLOW, SPACE, TRIM } from "./code-unit-class.ts";
import { Code, I64 } from "../kernels/wasm-asm.ts";

export const EV_DONE = 0;
export const EV_CLASS = 1;
export const EV_ASTRAL = 2;
const EV_ROOM = 3;

export const CLASS_AT = 0;
export const ANCHOR_AT = 0x20000;
export const ASTRAL_AT = ANCHOR_AT + 0x8000;
export const STATE_AT = ASTRAL_AT + 0x100000;
export const CAND_AT = STATE_AT + 0x100;
const CAND_END = CAND_AT + 1024 * 8;
export const TEXT_AT = CAND_END + 16;
/** Bytes after the text that the eight-byte reads of a line's last bytes may touch. */
export const SLACK = 16;
/** A block of sixteen units ends at most this many lines (a unit at most one). */
export const LINES_PER_STEP = 16;
export const MIN_TABLE = 64;
export const PAGE = 65536;

/**
 * The kernel's state, in memory order. `p` (the next code unit), `end`,
 * `text` (the first code unit), `lineStart`, `table` and `cand` (the next
 * free candidate) are byte addresses; `lineAnchored` is 1 once the current
 * line holds an anchor; `mask` is the line table's size - 1 and `shift` 32 -
 * log2 of its size; `room` the number of distinct lines that forces EV_ROOM.
 */
const FIELDS = [
  "p", "end", "text", "pairs", "ascii", "spaces", "letters", "words", "prevSpace",
  "lineStart", "lineAnchored", "lines", "distinct", "table", "mask", "shift", "room", "cand",
] as const;
type Field = (typeof FIELDS)[number];
export const F = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as Record<Field, number>;

/**
 * Nibble tables for the three-character ASCII anchors, one bit per anchor:
 * byte x is the first character of anchor a when bit a is set in both
 * lo[0][x & 15] and hi[0][x >> 4]; likewise the second ([1]) and third ([2]).
 * Letters match in either case. The other anchors are one character, not
 * ASCII, so never in an ASCII block.
 */
function anchorNibbles() {
  const table = () => Array.from({ length: 3 }, () => new Array<number>(16).fill(0));
  const lo = table();
  const hi = table();
  const triples = ANCHORS.filter((a) => a.length === 3);
  if (triples.length > 8 || ANCHORS.some((a) => (a.length === 3 ? !/^[\x20-\x7e]{3}$/.test(a) : a.length !== 1 || a.charCodeAt(0) < 128))) {
    throw new Error("text-scan-wasm: anchors must be three ASCII characters (at most 8) or one non-ASCII character");
  }
  triples.forEach((a, bit) => {
    for (let pos = 0; pos < 3; pos++) {
      const ch = a.charCodeAt(pos);
      lo[pos]![ch & 15]! |= 1 << bit;
      for (const c of /[a-z]/i.test(a[pos]!) ? [ch | 0x20, ch & ~0x20] : [ch]) hi[pos]![c >> 4]! |= 1 << bit;
    }
  });
  return { lo, hi };
}

export const bitOf = (mask: number) => 31 - Math.clz32(mask);

function scanFunction() {
  const n = FIELDS.length;
  const [C, K, D, S, E, Q, SEG, SB, NL, HB, J, A, SLOT, LEN, I, EQ, PA, AN, H32] = Array.from({ length: 19 }, (_, i) => n + i) as number[];
  const [H, W] = [n + 19, n + 20];
  const [VA, VB, X, PX] = [n + 21, n + 22, n + 23, n + 24];
  const c = new Code();
  const nib = anchorNibbles();
  const add = (l: number, by: number) => c.get(l).i32_const(by).i32_add().set(l);
  const leave = (ev: number) => {
    FIELDS.forEach((_, i) => c.i32_const(0).get(i).i32_store(STATE_AT + 4 * i));
    c.i32_const(ev).return();
  };
  /** pushes (class of the code unit at the address on the stack) */
  const classOf = () => c.i32_load16_u(0).i32_const(1).i32_shl().i32_load16_u(CLASS_AT);
  /** pushes (K >> bit of mask) & 1 */
  const flag = (mask: number) => c.get(K).i32_const(bitOf(mask)).i32_shr_u().i32_const(1).i32_and();
  const roomCheck = () => {
    c.get(F.distinct).get(F.room).i32_gt_u().get(F.cand).i32_const(CAND_END - LINES_PER_STEP * 8).i32_gt_u().i32_or().if_();
    leave(EV_ROOM);
    c.end();
  };
  /** i64 mask of the low `bytes` bytes (bytes < 8, in local I's place: pushes from LEN - I) */
  const tailMask = (bytesLocal: () => void) => {
    c.i64_const(1n);
    bytesLocal();
    c.i32_const(3).i32_shl().i64_extend_i32_u().i64_shl().i64_const(1n).i64_sub();
  };

  /**
   * Ends the line from lineStart to Q (the "\n" or the text's end): if it is
   * not empty once trimmed, counts it, leaves it as a candidate when anchored
   * and short enough, and adds it to the line table unless an equal line is there.
   */
  const endLine = () => {
    c.get(F.lineStart).set(S);
    c.block(); // empty line
    {
      c.block(); // found the first non-trim unit
      c.loop();
      c.get(S).get(Q).i32_ge_u().br_if(2);
      c.get(S);
      classOf().i32_const(TRIM).i32_and().i32_eqz().br_if(1);
      add(S, 2);
      c.br(0).end().end();
      c.get(Q).set(E);
      c.block().loop();
      c.get(E).i32_const(2).i32_sub();
      classOf().i32_const(TRIM).i32_and().i32_eqz().br_if(1);
      add(E, -2);
      c.br(0).end().end();
      add(F.lines, 1);
      c.get(E).get(S).i32_sub().set(LEN);
      c.get(F.lineAnchored).get(LEN).i32_const(2 * MAX_BOILERPLATE_LINE).i32_lt_u().i32_and().if_();
      c.get(F.cand).get(S).get(F.text).i32_sub().i32_const(1).i32_shr_u().i32_store(0);
      c.get(F.cand).get(E).get(F.text).i32_sub().i32_const(1).i32_shr_u().i32_store(4);
      add(F.cand, 8);
      c.end();
      // hash: h = rotl((h ^ word) * K1, 31) per eight bytes, the tail masked, then the length
      c.i64_const(0x9e3779b97f4a7c15n).set(H);
      c.i32_const(0).set(I);
      c.block().loop();
      c.get(LEN).get(I).i32_sub().i32_const(8).i32_lt_u().br_if(1);
      c.get(H).get(S).get(I).i32_add().i64_load(0).i64_xor().i64_const(0x87c37b91114253d5n).i64_mul().i64_const(31n).i64_rotl().set(H);
      add(I, 8);
      c.br(0).end().end();
      c.get(S).get(I).i32_add().i64_load(0);
      tailMask(() => c.get(LEN).get(I).i32_sub());
      c.i64_and().set(W);
      c.get(H).get(W).i64_xor().get(LEN).i64_extend_i32_u().i64_xor().i64_const(0x4cf5ad432745937fn).i64_mul().set(H);
      c.get(H).get(H).i64_const(32n).i64_shr_u().i64_xor().i32_wrap_i64().set(H32);
      // look the line up; add it when new
      c.get(H32).i32_const(0x9e3779b1).i32_mul().get(F.shift).i32_shr_u().set(SLOT);
      c.block(); // done
      c.loop(); // probe
      {
        c.get(F.table).get(SLOT).i32_const(4).i32_shl().i32_add().set(A);
        c.get(A).i32_load(8).i32_eqz().if_();
        {
          c.get(A).get(H32).i32_store(0);
          c.get(A).get(S).i32_store(4);
          c.get(A).get(E).i32_store(8);
          add(F.distinct, 1);
          c.br(2);
        }
        c.end();
        c.get(A).i32_load(0).get(H32).i32_eq().get(A).i32_load(8).get(A).i32_load(4).i32_sub().get(LEN).i32_eq().i32_and().if_();
        {
          // same hash and length: compare the bytes, eight at a time
          c.get(A).i32_load(4).set(A);
          c.i32_const(1).set(EQ);
          c.i32_const(0).set(I);
          c.block().loop();
          c.get(LEN).get(I).i32_sub().i32_const(8).i32_lt_u().br_if(1);
          c.get(A).get(I).i32_add().i64_load(0).get(S).get(I).i32_add().i64_load(0).i64_ne().if_();
          c.i32_const(0).set(EQ);
          c.br(2);
          c.end();
          add(I, 8);
          c.br(0).end().end();
          c.get(EQ).if_();
          c.get(A).get(I).i32_add().i64_load(0).get(S).get(I).i32_add().i64_load(0).i64_xor();
          tailMask(() => c.get(LEN).get(I).i32_sub());
          c.i64_and().i64_eqz().set(EQ);
          c.end();
          c.get(EQ).br_if(2); // an equal line is there
        }
        c.end();
        c.get(SLOT).i32_const(1).i32_add().get(F.mask).i32_and().set(SLOT);
        c.br(0);
      }
      c.end().end();
    }
    c.end();
  };

  /** Units one at a time from p to SEG, through the class table. */
  const units = () => {
    // PA: the anchor indexes of the two units before p (the zeros before the text at its start)
    c.get(F.p).i32_const(4).i32_sub();
    classOf().i32_const(ANCHOR_INDEX).i32_and().i32_const(5).i32_shl();
    c.get(F.p).i32_const(2).i32_sub();
    classOf().i32_const(ANCHOR_INDEX).i32_and().i32_or().set(PA);
    c.block().loop();
    {
      c.get(F.p).get(SEG).i32_ge_u().br_if(1);
      c.get(F.p).i32_load16_u(0).tee(C).i32_const(1).i32_shl().i32_load16_u(CLASS_AT).tee(K).i32_eqz().if_();
      leave(EV_CLASS);
      c.end();
      c.get(K).i32_const(SLOW).i32_and().if_(); // "\n" or a high surrogate
      {
        c.get(C).i32_const(10).i32_eq().if_();
        {
          roomCheck();
          c.get(F.p).set(Q);
          endLine();
          c.get(F.p).i32_const(2).i32_add().set(F.lineStart);
          c.i32_const(0).set(F.lineAnchored);
        }
        c.else_();
        {
          c.get(F.p).i32_const(2).i32_add().get(F.end).i32_lt_u().if_();
          c.get(F.p).i32_load16_u(2).tee(D).i32_const(0xdc00).i32_sub().i32_const(0x400).i32_lt_u().if_();
          {
            // a surrogate pair: one non-space character, a letter or not as the astral table says
            c.get(C).i32_const(0xd800).i32_sub().i32_const(10).i32_shl().get(D).i32_const(0xdc00).i32_sub().i32_or();
            c.i32_load8_u(ASTRAL_AT).tee(K).i32_eqz().if_();
            leave(EV_ASTRAL);
            c.end();
            c.get(F.letters).get(K).i32_const(1).i32_shr_u().i32_add().set(F.letters);
            add(F.pairs, 1);
            c.get(F.words).get(F.prevSpace).i32_add().set(F.words);
            c.i32_const(0).set(F.prevSpace);
            c.i32_const(0).set(PA);
            add(F.p, 4);
            c.br(4); // next unit (out of: if pair, if room for a pair, else, if SLOW)
          }
          c.end();
          c.end();
        }
        c.end();
      }
      c.end();
      c.get(F.ascii);
      flag(ASCII).i32_add().set(F.ascii);
      c.get(F.letters);
      flag(LETTER).i32_add().set(F.letters);
      flag(SPACE).tee(E); // E: 1 for a space
      c.get(F.spaces).i32_add().set(F.spaces);
      c.get(F.words).get(E).i32_const(1).i32_xor().get(F.prevSpace).i32_and().i32_add().set(F.words);
      c.get(E).set(F.prevSpace);
      c.get(PA).i32_const(5).i32_shl().get(K).i32_const(ANCHOR_INDEX).i32_and().i32_or().set(AN);
      c.get(F.lineAnchored).get(AN).i32_load8_u(ANCHOR_AT).i32_or().set(F.lineAnchored);
      c.get(AN).i32_const(0x3ff).i32_and().set(PA);
      add(F.p, 2);
      c.br(0);
    }
    c.end().end();
  };

  /** pushes the first (or second) anchor character bits of the byte lanes `v` pushes */
  const anchorBits = (v: () => void, lo: number[], hi: number[]) => {
    c.v128_bytes(lo);
    v();
    c.i8x16_const(0x0f).v128_and().i8x16_swizzle();
    c.v128_bytes(hi);
    v();
    c.i32_const(4).i8x16_shr_u().i8x16_swizzle();
    c.v128_and();
  };

  /** The sixteen ASCII units at p, in VA and VB. */
  const block = () => {
    c.get(VA).get(VB).i8x16_narrow_i16x8_u().set(X);
    // spaces: 32 or 9..13
    c.get(X).i8x16_const(32).i8x16_eq();
    c.get(X).i8x16_const(9).i8x16_sub().i8x16_const(4).i8x16_le_u().v128_or().i8x16_bitmask().set(SB);
    // letters: (x | 0x20) in a..z
    c.get(F.letters).get(X).i8x16_const(0x20).v128_or().i8x16_const(97).i8x16_sub().i8x16_const(25).i8x16_le_u().i8x16_bitmask().i32_popcnt().i32_add().set(F.letters);
    c.get(X).i8x16_const(10).i8x16_eq().i8x16_bitmask().set(NL);
    // anchors: the units two before (from p - 4) and one before (from p - 2) against the units
    c.get(F.p).i32_const(4).i32_sub().v128_load(0).get(F.p).v128_load(12).i8x16_narrow_i16x8_u().set(PX);
    anchorBits(() => c.get(PX), nib.lo[0]!, nib.hi[0]!);
    c.get(F.p).i32_const(2).i32_sub().v128_load(0).get(F.p).v128_load(14).i8x16_narrow_i16x8_u().set(PX);
    anchorBits(() => c.get(PX), nib.lo[1]!, nib.hi[1]!);
    c.v128_and();
    anchorBits(() => c.get(X), nib.lo[2]!, nib.hi[2]!);
    c.v128_and().i8x16_const(0).i8x16_ne().i8x16_bitmask().set(HB);
    add(F.ascii, 16);
    c.get(F.spaces).get(SB).i32_popcnt().i32_add().set(F.spaces);
    // words: a non-space after a space
    c.get(F.words).get(SB).i32_const(1).i32_shl().get(F.prevSpace).i32_or().get(SB).i32_const(0xffff).i32_xor().i32_and().i32_popcnt().i32_add().set(F.words);
    c.get(SB).i32_const(15).i32_shr_u().set(F.prevSpace);
    c.block().loop(); // each newline
    {
      c.get(NL).i32_eqz().br_if(1);
      c.get(NL).i32_ctz().set(J);
      c.get(F.lineAnchored).get(HB).i32_const(1).get(J).i32_shl().i32_const(1).i32_sub().i32_and().i32_const(0).i32_ne().i32_or().set(F.lineAnchored);
      c.get(F.p).get(J).i32_const(1).i32_shl().i32_add().set(Q);
      endLine();
      c.get(Q).i32_const(2).i32_add().set(F.lineStart);
      c.i32_const(0).set(F.lineAnchored);
      c.get(HB).i32_const(0).i32_const(2).get(J).i32_shl().i32_sub().i32_and().set(HB);
      c.get(NL).get(NL).i32_const(1).i32_sub().i32_and().set(NL);
      c.br(0);
    }
    c.end().end();
    c.get(F.lineAnchored).get(HB).i32_const(0).i32_ne().i32_or().set(F.lineAnchored);
  };

  FIELDS.forEach((_, i) => c.i32_const(0).i32_load(STATE_AT + 4 * i).set(i));
  c.block(); // finish
  c.loop(); // next block
  {
    c.get(F.end).get(F.p).i32_sub().i32_const(32).i32_lt_u().if_();
    {
      c.get(F.end).set(SEG);
      units();
      c.br(2);
    }
    c.end();
    c.get(F.p).v128_load(0).tee(VA).get(F.p).v128_load(16).tee(VB).v128_or().i32x4_const(0xff80ff80).v128_and().v128_any_true().if_();
    {
      c.get(F.p).i32_const(32).i32_add().set(SEG);
      units();
      c.br(1);
    }
    c.end();
    roomCheck();
    block();
    add(F.p, 32);
    c.br(0);
  }
  c.end().end();
  roomCheck();
  c.get(F.end).set(Q);
  endLine();
  leave(EV_DONE);
  return {
    name: "scan",
    params: [],
    results: [I32],
    locals: [[n + 19, I32], [2, I64], [4, V128]] as [number, number][],
    code: c,
  };
}

/** The compiled kernel module, which imports its memory as env.memory. */
export function scanModule(): WebAssembly.Module {
  return new WebAssembly.Module(wasmModule([scanFunction()]));
}
