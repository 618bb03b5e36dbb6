/**
 * Page decompressors for hyparquet's `compressors` option. hyparquet itself
 * decodes only UNCOMPRESSED and SNAPPY. Bun's node:zlib gives us ZSTD, GZIP
 * and BROTLI; LZ4_RAW (and Parquet's deprecated Hadoop-framed LZ4) are small
 * enough to decode here. LZO is not supported.
 */
import * as zlib from "node:zlib";

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

function view(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Decodes one LZ4 block (the raw block format, no frame) into exactly `outputLength` bytes. */
export function lz4BlockDecode(input: Uint8Array, outputLength: number): Uint8Array {
  const out = new Uint8Array(outputLength);
  let ip = 0;
  let op = 0;
  const bad = (what: string) => new Error(`lz4: ${what} at input byte ${ip}`);
  while (ip < input.length) {
    const token = input[ip++];
    let lit = token >>> 4;
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= input.length) throw bad("truncated literal length");
        b = input[ip++];
        lit += b;
      }
    }
    if (ip + lit > input.length || op + lit > outputLength) throw bad("literal run out of bounds");
    out.set(input.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip >= input.length) break; // the last sequence carries literals only
    if (ip + 2 > input.length) throw bad("truncated match offset");
    const offset = input[ip] | (input[ip + 1] << 8);
    ip += 2;
    let len = token & 15;
    if (len === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= input.length) throw bad("truncated match length");
        b = input[ip++];
        len += b;
      }
    }
    len += 4;
    let src = op - offset;
    if (offset === 0 || src < 0) throw bad("match offset outside the output");
    if (op + len > outputLength) throw bad("match runs past the output");
    for (let i = 0; i < len; i++) out[op++] = out[src++];
  }
  if (op !== outputLength) throw new Error(`lz4: decoded ${op} bytes, page header says ${outputLength}`);
  return out;
}

/** Parquet's old LZ4 codec: Hadoop framing (BE sizes before each block), else a bare block. */
export function lz4HadoopDecode(input: Uint8Array, outputLength: number): Uint8Array {
  const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const out = new Uint8Array(outputLength);
  let ip = 0;
  let op = 0;
  let framed = input.length >= 8;
  while (framed && ip < input.length) {
    if (ip + 8 > input.length) {
      framed = false;
      break;
    }
    const rawLen = dv.getUint32(ip, false);
    const compLen = dv.getUint32(ip + 4, false);
    if (ip + 8 + compLen > input.length || op + rawLen > outputLength) {
      framed = false;
      break;
    }
    try {
      out.set(lz4BlockDecode(input.subarray(ip + 8, ip + 8 + compLen), rawLen), op);
    } catch {
      framed = false;
      break;
    }
    ip += 8 + compLen;
    op += rawLen;
  }
  if (framed && op === outputLength) return out;
  return lz4BlockDecode(input, outputLength);
}

export const parquetCompressors: Record<string, Decompress> = {
  ZSTD: (input) => view(zlib.zstdDecompressSync(input)),
  GZIP: (input) => view(zlib.unzipSync(input)),
  BROTLI: (input) => view(zlib.brotliDecompressSync(input)),
  LZ4_RAW: lz4BlockDecode,
  LZ4: lz4HadoopDecode,
};

/** Codecs this reader handles: hyparquet's own plus the ones above. */
export const SUPPORTED_CODECS = ["UNCOMPRESSED", "SNAPPY", ...Object.keys(parquetCompressors)];
