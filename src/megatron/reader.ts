/**
 * Reading a Megatron indexed dataset back: the whole index in memory, sequences read from
 * .bin on demand. Throws InputError when the files cannot be read as a dataset at all; use
 * checkMegatron for a full list of what is wrong.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { InputError } from "../errors.ts";
import { readFully } from "../io/fd-io.ts";
import { binPath, DTYPE_CODES, HEADER_BYTES, idxPath, MAGIC, VERSION } from "./format.ts";

export interface MegatronIndex {
  dtypeCode: number;
  dtype: string;
  itemSize: number;
  sequenceCount: number;
  documentCount: number;
  sequenceLengths: Int32Array;
  sequencePointers: Float64Array; // int64 on disk; exact below 2^53 bytes
  documentIndices: Float64Array; // int64 on disk
  /** Bytes after the document indices (sequence modes of multimodal datasets). */
  trailingBytes: number;
}

function u64(v: DataView, at: number, what: string, path: string): number {
  const x = v.getBigUint64(at, true);
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(`${path}: ${what} ${x} is not a plausible count`);
  return Number(x);
}

/** Parses an .idx file's bytes; throws InputError naming the file on a malformed header or size. */
export function parseIndex(bytes: Uint8Array, path: string): MegatronIndex {
  if (bytes.length < HEADER_BYTES) throw new InputError(`${path}: ${bytes.length} bytes, too short for a Megatron index header`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new InputError(`${path}: not a Megatron index (magic is not MMIDIDX\\x00\\x00)`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = u64(v, 9, "version", path);
  if (version !== VERSION) throw new InputError(`${path}: index version ${version}, only ${VERSION} exists`);
  const code = v.getUint8(17);
  const dt = DTYPE_CODES[code];
  if (dt === undefined) throw new InputError(`${path}: unknown dtype code ${code}`);
  const n = u64(v, 18, "sequence count", path);
  const d = u64(v, 26, "document count", path);
  const need = HEADER_BYTES + 4 * n + 8 * n + 8 * d;
  if (bytes.length < need) {
    throw new InputError(`${path}: ${bytes.length} bytes but ${n} sequences and ${d} documents need ${need}; the index is truncated`);
  }
  const lengths = new Int32Array(n);
  let at = HEADER_BYTES;
  for (let i = 0; i < n; i++, at += 4) lengths[i] = v.getInt32(at, true);
  const pointers = new Float64Array(n);
  for (let i = 0; i < n; i++, at += 8) pointers[i] = Number(v.getBigInt64(at, true));
  const docs = new Float64Array(d);
  for (let i = 0; i < d; i++, at += 8) docs[i] = Number(v.getBigInt64(at, true));
  return {
    dtypeCode: code,
    dtype: dt.name,
    itemSize: dt.size,
    sequenceCount: n,
    documentCount: d,
    sequenceLengths: lengths,
    sequencePointers: pointers,
    documentIndices: docs,
    trailingBytes: bytes.length - need,
  };
}

export interface MegatronDataset extends MegatronIndex {
  prefix: string;
  binBytes: number;
  /** Tokens of sequence i (Int32Array for int32, Uint16Array for uint16, ...). */
  get(i: number): Int32Array | Uint16Array | Uint8Array | Int8Array | Int16Array | BigInt64Array;
  close(): void;
}

export async function openMegatron(prefix: string): Promise<MegatronDataset> {
  const ip = idxPath(prefix);
  let bytes: Uint8Array;
  try {
    bytes = await Bun.file(ip).bytes();
  } catch (e) {
    throw new InputError(`cannot read ${ip}: ${(e as Error).message}`, { cause: e });
  }
  const index = parseIndex(bytes, ip);
  if (!DTYPE_CODES[index.dtypeCode].integer) throw new InputError(`${ip}: dtype ${index.dtype} is not a token dtype`);
  const bp = binPath(prefix);
  let fd: number;
  try {
    fd = openSync(bp, "r");
  } catch (e) {
    throw new InputError(`cannot read ${bp}: ${(e as Error).message}`, { cause: e });
  }
  const binBytes = fstatSync(fd).size;
  return {
    ...index,
    prefix,
    binBytes,
    get(i: number) {
      if (!Number.isInteger(i) || i < 0 || i >= index.sequenceCount) {
        throw new RangeError(`sequence ${i} is out of range 0..${index.sequenceCount - 1}`);
      }
      const len = index.sequenceLengths[i];
      const off = index.sequencePointers[i];
      const nbytes = len * index.itemSize;
      if (len < 0 || off < 0 || off + nbytes > binBytes) {
        throw new InputError(`${bp}: sequence ${i} (${len} tokens at byte ${off}) lies outside the ${binBytes}-byte file`);
      }
      const buf = new Uint8Array(nbytes);
      const got = readFully(fd, buf, off);
      if (got < nbytes) throw new InputError(`${bp}: short read at byte ${off + got}`);
      return typedView(index.dtypeCode, buf);
    },
    close() {
      closeSync(fd);
    },
  };
}

/** The bytes as the dtype; typed arrays use host order, and every host Bun runs on is little-endian. */
function typedView(code: number, buf: Uint8Array) {
  const b = buf.buffer;
  switch (code) {
    case 1:
      return buf;
    case 2:
      return new Int8Array(b);
    case 3:
      return new Int16Array(b);
    case 4:
      return new Int32Array(b);
    case 5:
      return new BigInt64Array(b);
    default:
      return new Uint16Array(b);
  }
}
