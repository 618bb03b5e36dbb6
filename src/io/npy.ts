/**
 * A streaming writer of 1-D NumPy .npy files (format version 1.0): the header
 * is written with room to spare and rewritten with the final shape.
 * np.load(path, mmap_mode="r") reads the result.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { writeFully } from "./fd-io.ts";
import { dirname } from "node:path";
import { commitTemp, discardTemp, tempPathFor } from "./atomic.ts";

export type NpyDtype = "<i4" | "<u2" | "<i8";

const HEADER_LEN = 128;

function header(descr: NpyDtype, n: number): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${n},), }`;
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

  constructor(readonly path: string, readonly dtype: NpyDtype) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = tempPathFor(path);
    this.fd = openSync(this.tmp, "w");
    this.itemSize = dtype === "<u2" ? 2 : dtype === "<i4" ? 4 : 8;
    writeFully(this.fd, header(dtype, 0));
  }

  /** Appends values already in this writer's dtype (a typed array of the right element size). */
  append(values: Uint16Array | Int32Array | Uint32Array | BigInt64Array): void {
    if (values.BYTES_PER_ELEMENT !== this.itemSize) throw new Error(`npy: ${this.dtype} needs ${this.itemSize}-byte items`);
    writeFully(this.fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    this.n += values.length;
  }

  get length(): number {
    return this.n;
  }

  finish(): void {
    writeSync(this.fd, header(this.dtype, this.n), 0, HEADER_LEN, 0);
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
