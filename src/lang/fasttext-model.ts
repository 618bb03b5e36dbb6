/**
 * Reads a fastText model file (`.bin`, or `.ftz` with a product-quantized
 * input matrix) into flat typed arrays. The layout is fastText's own
 * (little-endian): magic and version, the training arguments, the
 * dictionary (words, counts, types, pruned n-gram index), then the input and
 * output matrices, each dense or quantized.
 *
 * A quantized input row is expanded, the first time it is used, into the
 * floats fastText adds for it (norm × centroid, rounded to float32), so
 * prediction adds plain rows and gets fastText's sums bit for bit.
 */
import { InputError } from "../errors.ts";

const MAGIC = 793712314;
/** fastText losses and models, numbered as in its args.h. */
export const LOSS = { hs: 1, ns: 2, softmax: 3, ova: 4 } as const;
const MODEL_SUP = 3;

export interface FastTextArgs {
  dim: number;
  wordNgrams: number;
  loss: number;
  model: number;
  bucket: number;
  minn: number;
  maxn: number;
}

/** A row-major matrix; `quant` is set when rows are product-quantized codes (the output of `quantize -qout`). */
export interface OutputMatrix {
  rows: number;
  cols: number;
  dense: Float32Array | null;
  quant: QuantRows | null;
}

export interface QuantRows {
  codes: Uint8Array;
  nsubq: number;
  dsub: number;
  lastdsub: number;
  centroids: Float32Array;
  /** One float per row (the norm's centroid) or null when the matrix has no norms. */
  norms: Float32Array | null;
}

export interface FastTextModel {
  args: FastTextArgs;
  /** Words first, then labels; UTF-8 bytes of entry i are bytes[offsets[i], offsets[i+1]). */
  bytes: Uint8Array;
  offsets: Uint32Array;
  types: Uint8Array;
  counts: Float64Array;
  nwords: number;
  nlabels: number;
  /** -1: n-grams not pruned; otherwise how many hash buckets survive, mapped by `prune`. */
  pruneSize: number;
  /** Pairs (bucket, row offset after the words), pruneSize of them. */
  prune: Int32Array;
  /** Input rows, `dim` floats each; of a quantized model, only the rows `inputReady` marks are filled in (expandRow). */
  input: Float32Array;
  inputRows: number;
  inputQuant: QuantRows | null;
  inputReady: Uint8Array | null;
  output: OutputMatrix;
  quantized: boolean;
}

class Reader {
  private view: DataView;
  pos = 0;
  constructor(
    private buf: Uint8Array,
    private file: string,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.buf.byteLength)
      throw new InputError(`${this.file}: truncated fastText model (needed ${n} bytes at offset ${this.pos})`);
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i64(): number {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return Number(v);
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** n float32 values, copied so they are aligned whatever the offset. */
  floats(n: number): Float32Array {
    const b = this.bytes(n * 4);
    return new Float32Array(new Uint8Array(b).buffer);
  }
  /** n int32 values, copied so they are aligned. */
  ints(n: number): Int32Array {
    return new Int32Array(new Uint8Array(this.bytes(n * 4)).buffer);
  }
  cstring(): Uint8Array {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new InputError(`${this.file}: truncated fastText model (unterminated word at offset ${this.pos})`);
    const b = this.buf.subarray(this.pos, end);
    this.pos = end + 1;
    return b;
  }
}

export function parseFastTextModel(buf: Uint8Array, file: string): FastTextModel {
  const r = new Reader(buf, file);
  if (buf.byteLength < 8 || r.i32() !== MAGIC) throw new InputError(`${file}: not a fastText model (bad magic number)`);
  const version = r.i32();
  if (version > 12) throw new InputError(`${file}: fastText model format version ${version} is newer than this reader (12)`);
  const dim = r.i32();
  r.i32(); // ws
  r.i32(); // epoch
  r.i32(); // minCount
  r.i32(); // neg
  const wordNgrams = r.i32();
  const loss = r.i32();
  const model = r.i32();
  const bucket = r.i32();
  const minn = r.i32();
  let maxn = r.i32();
  r.i32(); // lrUpdateRate
  r.f64(); // t
  if (model !== MODEL_SUP)
    throw new InputError(
      `${file}: a fastText ${model === 1 ? "cbow" : "skipgram"} model; language identification needs a supervised model`,
    );
  if (loss < LOSS.hs || loss > LOSS.ova) throw new InputError(`${file}: unknown fastText loss ${loss}`);
  // Version 11 supervised models had no character n-grams.
  if (version === 11) maxn = 0;

  const size = r.i32();
  const nwords = r.i32();
  const nlabels = r.i32();
  r.i64(); // ntokens
  const pruneSize = r.i64();
  const words: Uint8Array[] = [];
  const types = new Uint8Array(size);
  const counts = new Float64Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    const w = r.cstring();
    words.push(w);
    total += w.length;
    counts[i] = r.i64();
    types[i] = r.u8();
  }
  const bytes = new Uint8Array(total);
  const offsets = new Uint32Array(size + 1);
  for (let i = 0, o = 0; i < size; i++) {
    bytes.set(words[i]!, o);
    o += words[i]!.length;
    offsets[i + 1] = o;
  }
  const prune = pruneSize > 0 ? r.ints(2 * pruneSize) : new Int32Array(0);

  const quantInput = r.u8() !== 0;
  let input: Float32Array;
  let inputRows: number;
  let inputQuant: QuantRows | null = null;
  if (quantInput) {
    const q = readQuant(r);
    inputRows = q.rows;
    inputQuant = q.quant!;
    input = new Float32Array(q.rows * dim);
  } else {
    const m = readDense(r);
    inputRows = m.rows;
    input = m.dense!;
    if (pruneSize >= 0) throw new InputError(`${file}: pruned dictionary with an unquantized input matrix; not a valid fastText model`);
  }
  if (input.length !== inputRows * dim) throw new InputError(`${file}: input matrix is not ${dim} columns wide`);
  // Every row a word or an n-gram can name must exist: prediction reads them unchecked.
  let ngramRows = pruneSize < 0 ? bucket : 0;
  for (let i = 1; i < prune.length; i += 2) ngramRows = Math.max(ngramRows, prune[i]! + 1);
  if (nwords + ngramRows > inputRows || prune.some((v, i) => i % 2 === 1 && v < 0)) {
    throw new InputError(
      `${file}: input matrix has ${inputRows} rows, fewer than the ${nwords} words and ${ngramRows} n-gram buckets name`,
    );
  }
  const qout = r.u8() !== 0;
  const output = quantInput && qout ? readQuant(r) : readDense(r);
  if (output.cols !== dim) throw new InputError(`${file}: output matrix is ${output.cols} columns wide, expected ${dim}`);
  return {
    args: { dim, wordNgrams, loss, model, bucket, minn, maxn },
    bytes,
    offsets,
    types,
    counts,
    nwords,
    nlabels,
    pruneSize,
    prune,
    input,
    inputRows,
    inputQuant,
    inputReady: inputQuant === null ? null : new Uint8Array(inputRows),
    output,
    quantized: quantInput,
  };
}

function readDense(r: Reader): OutputMatrix {
  const rows = r.i64();
  const cols = r.i64();
  return { rows, cols, dense: r.floats(rows * cols), quant: null };
}

const KSUB = 256;

function readPq(r: Reader) {
  const dim = r.i32();
  const nsubq = r.i32();
  const dsub = r.i32();
  const lastdsub = r.i32();
  return { dim, nsubq, dsub, lastdsub, centroids: r.floats(dim * KSUB) };
}

function readQuant(r: Reader): OutputMatrix {
  const qnorm = r.u8() !== 0;
  const rows = r.i64();
  const cols = r.i64();
  const codesize = r.i32();
  const codes = new Uint8Array(r.bytes(codesize));
  const pq = readPq(r);
  let norms: Float32Array | null = null;
  if (qnorm) {
    const normCodes = r.bytes(rows);
    const npq = readPq(r);
    // The norm quantizer has one sub-quantizer of width 1: centroid i is npq.centroids[i].
    norms = new Float32Array(rows);
    for (let i = 0; i < rows; i++) norms[i] = npq.centroids[normCodes[i]!]!;
  }
  return {
    rows,
    cols,
    dense: null,
    quant: { codes, nsubq: pq.nsubq, dsub: pq.dsub, lastdsub: pq.lastdsub, centroids: pq.centroids, norms },
  };
}

/** Offset of centroid `code` of sub-quantizer m; the last sub-quantizer's centroids are lastdsub wide. */
export function centroidAt(q: QuantRows, m: number, code: number): number {
  return m === q.nsubq - 1 ? m * KSUB * q.dsub + code * q.lastdsub : (m * KSUB + code) * q.dsub;
}

/** Fills in input row i of a quantized model, once: the floats fastText's addcode adds for it. */
export function expandRow(m: FastTextModel, i: number): void {
  const q = m.inputQuant!;
  const dim = m.args.dim;
  const norm = q.norms === null ? 1 : q.norms[i]!;
  for (let k = 0; k < q.nsubq; k++) {
    const c = centroidAt(q, k, q.codes[i * q.nsubq + k]!);
    const d = k === q.nsubq - 1 ? q.lastdsub : q.dsub;
    for (let n = 0; n < d; n++) m.input[i * dim + k * q.dsub + n] = Math.fround(norm * q.centroids[c + n]!);
  }
  m.inputReady![i] = 1;
}
