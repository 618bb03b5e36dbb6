/**
 * The text scan's WebAssembly kernel (AssemblyScript: src/kernels/as/text-scan.ts, driven by
 * text-scan-wasm.ts), which
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
 *   [NIBBLE_AT, +96)        the anchor nibble tables (nibbleTables())
 *   [CAND_AT, CAND_END)     candidate lines: start, end (code unit indexes)
 *   [CAND_END, TEXT_AT)     zeros: the units "before" the text
 *   [TEXT_AT, +2n)          the text's UTF-16 code units, then SLACK bytes read past its end
 *   [table, +16*size)       the line table: hash, start, end (addresses; end 0 = free), unused
 */
import { readFileSync } from "node:fs";
import scanWasm from "../kernels/wasm/text-scan.wasm" with { type: "file" };
import { ANCHORS } from "./boilerplate.ts";

export const EV_DONE = 0;
export const EV_CLASS = 1;
export const EV_ASTRAL = 2;
export const EV_ROOM = 3;

export const CLASS_AT = 0;
export const ANCHOR_AT = 0x20000;
export const ASTRAL_AT = ANCHOR_AT + 0x8000;
export const STATE_AT = ASTRAL_AT + 0x100000;
export const NIBBLE_AT = STATE_AT + 0x80;
export const CAND_AT = STATE_AT + 0x100;
export const CAND_END = CAND_AT + 1024 * 8;
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
  "p",
  "end",
  "text",
  "pairs",
  "ascii",
  "spaces",
  "letters",
  "words",
  "prevSpace",
  "lineStart",
  "lineAnchored",
  "lines",
  "distinct",
  "table",
  "mask",
  "shift",
  "room",
  "cand",
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

/** The compiled kernel module, which imports its memory as env.memory. */
export function scanModule(): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(scanWasm));
}

/** The six nibble tables (lo and hi of the first, second and third anchor character), as written at NIBBLE_AT. */
export function nibbleTables(): Uint8Array {
  const { lo, hi } = anchorNibbles();
  const out = new Uint8Array(96);
  for (let pos = 0; pos < 3; pos++) {
    out.set(lo[pos]!, 32 * pos);
    out.set(hi[pos]!, 32 * pos + 16);
  }
  return out;
}
