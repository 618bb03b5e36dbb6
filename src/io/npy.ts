/**
 * .npy files (format version 1.0): a streaming writer, whose header is written with room to spare
 * and rewritten with the final shape, and readers of the header and of whole arrays.
 * np.load(path, mmap_mode="r") reads the result.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { InputError } from "../errors.ts";
import { writeFully } from "./fd-io.ts";
import { dirname } from "node:path";
import { commitTemp, discardTemp, tempPathFor } from "./atomic.ts";

export type NpyDtype = "<i4" | "<u2" | "<i8" | "|u1";

const HEADER_LEN = 128;

function header(descr: NpyDtype, n: number, cols: number | null): Uint8Array {
  const shape = cols === null ? `(${n},)` : `(${n / cols}, ${cols})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pre = 10;
  const body = dict.padEnd(HEADER_LEN - pre - 1, " ") + "\n";
  const out = new Uint8Array(HEADER_LEN);
  out.set([0x93, ...Buffer.from("NUMPY"), 1, 0], 0);
  out[8] = (HEADER_LEN - pre) & 0xff;
  out[9] = (HEADER_LEN - pre) >> 8;
  out.set(Buffer.from(body, "latin1"), pre);
  return out;
}

export class NpyWriter {
  private readonly tmp: string;
  private readonly fd: number;
  private n = 0;
  private readonly itemSize: number;

  /** `cols`: write a 2-D array of rows of that many items (appends must keep whole rows). */
  constructor(
    readonly path: string,
    readonly dtype: NpyDtype,
    readonly cols: number | null = null,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = tempPathFor(path);
    this.fd = openSync(this.tmp, "w");
    this.itemSize = dtype === "|u1" ? 1 : dtype === "<u2" ? 2 : dtype === "<i4" ? 4 : 8;
    writeFully(this.fd, header(dtype, 0, cols));
  }

  /** Appends values already in this writer's dtype (a typed array of the right element size). */
  append(values: Uint8Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array): void {
    if (values.BYTES_PER_ELEMENT !== this.itemSize) throw new Error(`npy: ${this.dtype} needs ${this.itemSize}-byte items`);
    writeFully(this.fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    this.n += values.length;
  }

  get length(): number {
    return this.n;
  }

  finish(): void {
    if (this.cols !== null && this.n % this.cols !== 0)
      throw new Error(`npy: ${this.path}: ${this.n} items are not whole rows of ${this.cols}`);
    writeSync(this.fd, header(this.dtype, this.n, this.cols), 0, HEADER_LEN, 0);
    closeSync(this.fd);
    commitTemp(this.tmp, this.path);
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {}
    discardTemp(this.tmp);
  }
}

export interface NpyHeader {
  descr: string;
  shape: number[];
  itemSize: number;
  /** Byte offset of the data. */
  dataOffset: number;
}

/** Parses a .npy header (versions 1-3, little-endian integer dtypes, C order). */
export function parseNpyHeader(bytes: Uint8Array, path: string): NpyHeader {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== "NUMPY")
    throw new InputError(`${path}: not a .npy file (no \\x93NUMPY magic)`);
  const major = bytes[6]!;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [len, start] = major === 1 ? [v.getUint16(8, true), 10] : [v.getUint32(8, true), 12];
  if (bytes.length < start + len) throw new InputError(`${path}: .npy header is cut short`);
  const dict = new TextDecoder("latin1").decode(bytes.subarray(start, start + len));
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (!descr || shape === undefined) throw new InputError(`${path}: .npy header has no descr or shape: ${dict.trim()}`);
  if (/'fortran_order':\s*True/.test(dict)) throw new InputError(`${path}: Fortran-order arrays are not read`);
  const size = { "<i4": 4, "<u2": 2, "<i8": 8, "<u4": 4, "|u1": 1, "<i2": 2 }[descr];
  if (size === undefined) throw new InputError(`${path}: dtype ${descr} is not a token dtype gamma reads (<i4, <u2, <i8, <u4, <i2, |u1)`);
  return {
    descr,
    shape: shape
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map(Number),
    itemSize: size,
    dataOffset: start + len,
  };
}

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Uint8Array | Uint16Array | Int32Array | BigInt64Array;
}

/** Reads a little-endian .npy file (the dtypes gamma writes), C order. */
export function readNpy(path: string): NpyArray {
  const buf = readFileSync(path);
  const h = parseNpyHeader(buf, path);
  const descr = h.descr as NpyDtype;
  const n = h.shape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset + h.dataOffset, buf.length - h.dataOffset).slice();
  const make = {
    "|u1": () => bytes,
    "<u2": () => new Uint16Array(bytes.buffer, 0, n),
    "<i4": () => new Int32Array(bytes.buffer, 0, n),
    "<i8": () => new BigInt64Array(bytes.buffer, 0, n),
  }[descr];
  if (make === undefined) throw new InputError(`${path}: dtype ${descr} is not one gamma reads`);
  if (bytes.length !== n * h.itemSize)
    throw new InputError(`${path}: ${bytes.length} data bytes, the header says ${n} items of ${h.itemSize}`);
  return { dtype: descr, shape: h.shape, data: make() };
}
