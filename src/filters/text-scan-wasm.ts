/**
 * Runs the text scan's WebAssembly kernel (text-scan-kernel.ts) over a text:
 * copies the code units into its memory, sets up the state and a line table
 * sized for the text, and answers the kernel's events (classifies code units
 * and surrogate pairs with code-unit-class.ts, tries the candidate lines
 * against the boilerplate patterns, grows the line table) until it is done.
 */
import { ANCHOR_TRIPLES, isBoilerplateLine } from "./boilerplate.ts";
import { classify, isLetter } from "./code-unit-class.ts";
import type { ScanCounts } from "./text-scan.ts";
import { growMemory } from "../kernels/wasm-memory.ts";
import {
  ANCHOR_AT,
  ASTRAL_AT,
  bitOf,
  CAND_AT,
  CLASS_AT,
  EV_ASTRAL,
  EV_CLASS,
  EV_DONE,
  F,
  LINES_PER_STEP,
  MIN_TABLE,
  PAGE,
  nibbleTables,
  NIBBLE_AT,
  scanModule,
  SLACK,
  STATE_AT,
  TEXT_AT,
} from "./text-scan-kernel.ts";

/**
 * Longer texts are scanned by the JavaScript twin: WebAssembly memory only
 * grows, and a thread would keep the memory of its longest text for good.
 */
const MAX_UNITS = 1 << 24;

/** Astral table entries (0: not known yet); the kernel adds entry >> 1 to the letters. */
const ASTRAL_OTHER = 1;
const ASTRAL_LETTER = 2;

class WasmScan {
  private readonly memory = new WebAssembly.Memory({ initial: Math.ceil((TEXT_AT + PAGE) / PAGE) });
  private readonly scan: () => number;
  private buffer: ArrayBuffer | null = null;
  private bytes = Buffer.alloc(0);
  private u16 = new Uint16Array(0);
  private i32 = new Int32Array(0);

  constructor(mod: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(mod, { env: { memory: this.memory } });
    this.scan = (inst.exports as unknown as { scan(): number }).scan;
    this.views();
    this.bytes.set(ANCHOR_TRIPLES, ANCHOR_AT);
    this.bytes.set(nibbleTables(), NIBBLE_AT);
    // ASCII units are read by the block path without the table, and by the unit path with it
    for (let u = 0; u < 128; u++) this.u16[(CLASS_AT >> 1) + u] = classify(u);
  }

  private views(): void {
    if (this.buffer === this.memory.buffer) return;
    this.buffer = this.memory.buffer as ArrayBuffer;
    this.bytes = Buffer.from(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
  }

  /** Makes the memory at least `bytes` long; false when it cannot grow that far. */
  private reserve(bytes: number): boolean {
    if (bytes <= this.bytes.length) return true; // the memory is this kernel's own and only grows
    if (!growMemory(this.memory, bytes)) return false;
    this.views();
    return true;
  }

  /** A fresh line table of `size` slots (a power of two) at `at`; false when memory runs out. */
  private newTable(at: number, size: number): boolean {
    if (!this.reserve(at + 16 * size)) return false;
    this.bytes.fill(0, at, at + 16 * size);
    const st = STATE_AT >> 2;
    this.i32[st + F.table] = at;
    this.i32[st + F.mask] = size - 1;
    this.i32[st + F.shift] = 32 - bitOf(size);
    this.i32[st + F.room] = size / 2 - LINES_PER_STEP;
    return true;
  }

  /** Moves the line table to a new one twice as large (after the old one), all of its lines distinct. */
  private growTable(): boolean {
    const st = STATE_AT >> 2;
    const old = this.i32[st + F.table]!;
    const oldSize = this.i32[st + F.mask]! + 1;
    if (!this.newTable(old + 16 * oldSize, 2 * oldSize)) return false;
    const i32 = this.i32;
    const shift = i32[st + F.shift]!;
    const mask = i32[st + F.mask]!;
    const at = i32[st + F.table]! >> 2;
    for (let s = old >> 2, e = (old >> 2) + 4 * oldSize; s < e; s += 4) {
      if (i32[s + 2] === 0) continue;
      let slot = Math.imul(i32[s]!, 0x9e3779b1) >>> shift;
      while (i32[at + 4 * slot + 2] !== 0) slot = (slot + 1) & mask;
      i32[at + 4 * slot] = i32[s]!;
      i32[at + 4 * slot + 1] = i32[s + 1]!;
      i32[at + 4 * slot + 2] = i32[s + 2]!;
    }
    return true;
  }

  /** The candidates waiting, tried against the boilerplate patterns: how many are boilerplate. */
  private takeCandidates(text: string): number {
    const st = STATE_AT >> 2;
    let hits = 0;
    for (let r = CAND_AT >> 2, e = this.i32[st + F.cand]! >> 2; r < e; r += 2) {
      if (isBoilerplateLine(text.slice(this.i32[r]!, this.i32[r + 1]!))) hits++;
    }
    this.i32[st + F.cand] = CAND_AT;
    return hits;
  }

  run(text: string): ScanCounts | null {
    const n = text.length;
    if (n > MAX_UNITS) return null;
    const textEnd = TEXT_AT + 2 * n;
    const table = (textEnd + SLACK + 15) & ~15;
    let size = MIN_TABLE;
    while (size < n / 64) size *= 2; // room for a line per 32 units before the table grows
    if (!this.reserve(table) || !this.newTable(table, size)) return null;
    this.bytes.write(text, TEXT_AT, "utf16le");
    const st = STATE_AT >> 2;
    const i32 = this.i32;
    for (const f of ["pairs", "ascii", "spaces", "letters", "words", "lineAnchored", "lines", "distinct"] as const) i32[st + F[f]] = 0;
    i32[st + F.p] = TEXT_AT;
    i32[st + F.text] = TEXT_AT;
    i32[st + F.end] = textEnd;
    i32[st + F.prevSpace] = 1;
    i32[st + F.lineStart] = TEXT_AT;
    i32[st + F.cand] = CAND_AT;
    let boilerplate = 0;
    for (;;) {
      const ev = this.scan();
      if (ev === EV_CLASS) {
        const u = this.u16[this.i32[st + F.p]! >> 1]!;
        this.u16[(CLASS_AT >> 1) + u] = classify(u);
      } else if (ev === EV_ASTRAL) {
        const at = this.i32[st + F.p]! >> 1;
        const hi = this.u16[at]!;
        const lo = this.u16[at + 1]!;
        this.bytes[ASTRAL_AT + (((hi - 0xd800) << 10) | (lo - 0xdc00))] = isLetter(String.fromCharCode(hi, lo))
          ? ASTRAL_LETTER
          : ASTRAL_OTHER;
      } else {
        // EV_ROOM or EV_DONE
        boilerplate += this.takeCandidates(text);
        if (ev === EV_DONE) break;
        while (this.i32[st + F.distinct]! > this.i32[st + F.room]!) if (!this.growTable()) return null;
      }
    }
    const s = this.i32;
    return {
      pairs: s[st + F.pairs]!,
      ascii: s[st + F.ascii]!,
      nonSpace: n - s[st + F.pairs]! - s[st + F.spaces]!,
      letters: s[st + F.letters]!,
      words: s[st + F.words]!,
      lines: s[st + F.lines]!,
      repeated: s[st + F.lines]! - s[st + F.distinct]!,
      boilerplateLines: boilerplate,
    };
  }
}

/** One instance per thread, made on first use; null when WebAssembly (with SIMD) is unavailable. */
let kernel: WasmScan | null | undefined;

/**
 * Scans the text with the WebAssembly kernel. Null when WebAssembly is
 * unavailable, the text is longer than MAX_UNITS or memory runs out: the
 * JavaScript twin then scans it.
 */
export function scanWasm(text: string): ScanCounts | null {
  if (kernel === undefined) {
    try {
      kernel = new WasmScan(scanModule());
    } catch {
      kernel = null;
    }
  }
  return kernel === null ? null : kernel.run(text);
}
