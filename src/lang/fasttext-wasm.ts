/**
 * The WebAssembly twin of the predictor's first half (AssemblyScript:
 * src/kernels/as/lid-hidden.ts): a line's tokens, their rows and the sum of
 * those rows, the hidden vector. FastTextPredictor uses it when it loads and
 * the model has no word n-grams; its JavaScript path is the reference the
 * tests hold it to, bit for bit.
 *
 * Memory (byte offsets, each region 16-aligned, in this order): the hidden
 * vector (dim float32), the dictionary's slots (int32: entry + 1), word byte
 * offsets (uint32, size + 1), word bytes, entry types (uint8), each word's
 * rows (int32 start per entry + 1, then the rows), the pruned buckets' bit
 * table and index (int32 per bucket), the input rows (float32; for a
 * quantized model instead its codes, centroids and row norms, from which the
 * kernel makes each row as it adds it: they stay in cache where expanded
 * rows would not), then the text's UTF-8 bytes and, after them, room for
 * one word between `<` and `>`.
 */
import { readFileSync } from "node:fs";
import lidWasm from "../kernels/wasm/lid-hidden.wasm" with { type: "file" };
import { growMemory } from "../kernels/wasm-memory.ts";
import type { QuantRows } from "./fasttext-model.ts";

export interface HiddenTables {
  dim: number;
  table: Int32Array;
  offsets: Uint32Array;
  bytes: Uint8Array;
  types: Uint8Array;
  /** Rows of entry i: rows[start[i], start[i+1]). */
  start: Int32Array;
  rows: Int32Array;
  /** null when n-grams are not pruned. */
  kept: Int32Array | null;
  pruned: Int32Array | null;
  /** 0: n-grams have no rows; 1: bucket h is row nwords + h; 2: through `pruned`. */
  ngrams: number;
  bucket: number;
  nwords: number;
  minn: number;
  maxn: number;
  /** Dense input rows, or null with `quant`: the kernel makes rows from codes as it adds them. */
  input: Float32Array | null;
  quant: QuantRows | null;
  /** The row of `</s>` when it is a dictionary word, else -1. */
  eosRow: number;
}

const align = (x: number) => (x + 15) & ~15;
let module: WebAssembly.Module | null | undefined;

export class HiddenKernel {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly exports: {
    init: (...a: number[]) => void;
    initQuant: (...a: number[]) => void;
    hidden: (text: number, n: number) => number;
  };
  private readonly encoder = new TextEncoder();
  private readonly args: number[];
  private readonly textAt: number;
  private cap = 0;
  private text = new Uint8Array(0);
  private hidden = new Float32Array(0);

  private constructor(
    mod: WebAssembly.Module,
    private readonly t: HiddenTables,
  ) {
    const inst = new WebAssembly.Instance(mod, { env: { memory: this.memory } });
    this.exports = inst.exports as unknown as HiddenKernel["exports"];
    let at = 0;
    const place = (bytes: number) => {
      const a = at;
      at = align(at + bytes);
      return a;
    };
    const H = place(t.dim * 4);
    const TABLE = place(t.table.byteLength);
    const OFFS = place(t.offsets.byteLength);
    const BYTES = place(t.bytes.byteLength + 8);
    const TYPES = place(t.types.byteLength);
    const START = place(t.start.byteLength);
    const ROWS = place(t.rows.byteLength);
    const KEPT = place(t.kept?.byteLength ?? 0);
    const PRUNED = place(t.pruned?.byteLength ?? 0);
    const W = place(t.input?.byteLength ?? 0);
    const q = t.quant;
    const CODES = place(q?.codes.byteLength ?? 0);
    const CENTROIDS = place(q?.centroids.byteLength ?? 0);
    const NORMS = place(q?.norms?.byteLength ?? 0);
    this.textAt = at;
    if (!growMemory(this.memory, at + 1024)) throw new Error("fastText kernel: no memory for the model");
    const buf = this.memory.buffer;
    new Int32Array(buf, TABLE, t.table.length).set(t.table);
    new Uint32Array(buf, OFFS, t.offsets.length).set(t.offsets);
    new Uint8Array(buf, BYTES, t.bytes.length).set(t.bytes);
    new Uint8Array(buf, TYPES, t.types.length).set(t.types);
    new Int32Array(buf, START, t.start.length).set(t.start);
    new Int32Array(buf, ROWS, t.rows.length).set(t.rows);
    if (t.kept !== null) new Int32Array(buf, KEPT, t.kept.length).set(t.kept);
    if (t.pruned !== null) new Int32Array(buf, PRUNED, t.pruned.length).set(t.pruned);
    if (t.input !== null) new Float32Array(buf, W, t.input.length).set(t.input);
    if (q !== null) {
      new Uint8Array(buf, CODES, q.codes.length).set(q.codes);
      new Float32Array(buf, CENTROIDS, q.centroids.length).set(q.centroids);
      if (q.norms !== null) new Float32Array(buf, NORMS, q.norms.length).set(q.norms);
      this.exports.initQuant(CODES, q.nsubq, q.dsub, q.lastdsub, CENTROIDS, q.norms === null ? 0 : NORMS);
    }
    this.args = [
      TABLE,
      t.table.length - 1,
      OFFS,
      BYTES,
      TYPES,
      START,
      ROWS,
      KEPT,
      PRUNED,
      t.bucket >>> 0,
      t.nwords,
      t.ngrams,
      t.minn,
      t.maxn,
      W,
      t.dim,
      H,
    ];
    this.room(1024);
  }

  /** A kernel over these tables, or null when WebAssembly (or its SIMD) is not available here. */
  static create(t: HiddenTables): HiddenKernel | null {
    if (module === undefined) {
      try {
        module = new WebAssembly.Module(readFileSync(lidWasm));
      } catch {
        module = null;
      }
    }
    return module === null ? null : new HiddenKernel(module, t);
  }

  /** Room for `bytes` of text and a word as long, after the tables. */
  private room(bytes: number): void {
    if (bytes <= this.cap) return;
    const cap = Math.max(bytes, 2 * this.cap);
    if (!growMemory(this.memory, this.textAt + 2 * cap + 64)) throw new Error("fastText kernel: no memory for the text");
    this.cap = cap;
    const buf = this.memory.buffer;
    this.text = new Uint8Array(buf, this.textAt, cap);
    this.hidden = new Float32Array(buf, this.args[16]!, this.t.dim);
    this.exports.init(...this.args, align(this.textAt + cap + 16), this.t.eosRow);
  }

  /** Sums the rows of one line into `out`; returns how many rows it added. */
  sum(text: string, out: Float32Array): number {
    this.room(text.length * 3 + 16);
    const n = this.encoder.encodeInto(text, this.text).written;
    const added = this.exports.hidden(this.textAt, n);
    out.set(this.hidden);
    return added;
  }
}
