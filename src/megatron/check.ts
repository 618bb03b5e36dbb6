/**
 * Every invariant a Megatron indexed dataset must satisfy to load in Megatron-LM and mean what
 * it says; returns the problems found (empty when the pair is sound). See format.ts.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { binPath, DTYPE_CODES, idxPath } from "./format.ts";
import { parseIndex } from "./reader.ts";

export interface CheckOptions {
  /** Also require what gamma writes: one sequence per document (document indices 0..N). */
  onePerDocument?: boolean;
  /** Also scan .bin and report token ids above this (and negative ids). */
  maxTokenId?: number;
}

const MAX_REPORTED = 20;

export async function checkMegatron(prefix: string, opts: CheckOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  let reported = 0;
  const report = (msg: string) => {
    if (reported++ < MAX_REPORTED) problems.push(msg);
  };
  const ip = idxPath(prefix);
  const bp = binPath(prefix);
  let binBytes: number;
  try {
    binBytes = statSync(bp).size;
  } catch {
    return [`${bp}: missing`];
  }
  let index;
  try {
    index = parseIndex(await Bun.file(ip).bytes(), ip);
  } catch (e) {
    return [(e as Error).message.startsWith(ip) ? (e as Error).message : `${ip}: ${(e as Error).message}`];
  }
  const { sequenceCount: n, documentCount: d, sequenceLengths: len, sequencePointers: ptr, documentIndices: doc } = index;
  const size = index.itemSize;
  if (!DTYPE_CODES[index.dtypeCode].integer) report(`${ip}: dtype ${index.dtype} cannot hold token ids`);
  if (index.trailingBytes !== 0) {
    report(`${ip}: ${index.trailingBytes} bytes after the document indices (sequence modes of a multimodal dataset?)`);
  }

  let expected = 0;
  for (let i = 0; i < n; i++) {
    if (len[i] < 0) report(`${ip}: sequence ${i} has negative length ${len[i]}`);
    if (ptr[i] !== expected) {
      report(`${ip}: sequence ${i} points at byte ${ptr[i]} but the lengths before it put it at ${expected}`);
    }
    expected = ptr[i] + Math.max(0, len[i]) * size;
  }
  if (expected !== binBytes) report(`${bp}: ${binBytes} bytes but the index describes ${expected}`);

  if (d < 1) report(`${ip}: no document indices (there must be at least the leading 0)`);
  else {
    if (doc[0] !== 0) report(`${ip}: document indices start at ${doc[0]}, not 0`);
    for (let i = 1; i < d; i++) {
      if (doc[i] < doc[i - 1]) report(`${ip}: document index ${i} (${doc[i]}) is below the one before (${doc[i - 1]})`);
    }
    if (doc[d - 1] !== n) report(`${ip}: the last document index is ${doc[d - 1]} but there are ${n} sequences`);
  }
  if (opts.onePerDocument) {
    if (d !== n + 1) report(`${ip}: ${d} document indices for ${n} sequences; one sequence per document needs ${n + 1}`);
    else for (let i = 0; i < d; i++) if (doc[i] !== i) report(`${ip}: document index ${i} is ${doc[i]}, expected ${i}`);
  }
  if (opts.maxTokenId !== undefined && reported === 0) scanTokens(bp, index.dtypeCode, size, binBytes, opts.maxTokenId, report);
  if (reported > MAX_REPORTED) problems.push(`... and ${reported - MAX_REPORTED} more problems`);
  return problems;
}

function scanTokens(bp: string, code: number, size: number, total: number, maxId: number, report: (m: string) => void): void {
  const fd = openSync(bp, "r");
  try {
    const chunk = new Uint8Array(1 << 20);
    const v = new DataView(chunk.buffer);
    let off = 0;
    while (off < total) {
      const want = Math.min(chunk.length, total - off);
      const got = readSync(fd, chunk, 0, want, off);
      if (got <= 0) break;
      const items = Math.floor(got / size);
      for (let i = 0; i < items; i++) {
        const x =
          code === 4
            ? v.getInt32(i * 4, true)
            : code === 8
              ? v.getUint16(i * 2, true)
              : code === 3
                ? v.getInt16(i * 2, true)
                : code === 1
                  ? v.getUint8(i)
                  : code === 2
                    ? v.getInt8(i)
                    : Number(v.getBigInt64(i * 8, true));
        if (x < 0 || x > maxId) report(`${bp}: token ${(off + i * size) / size} is ${x}, outside 0..${maxId}`);
      }
      off += items * size;
    }
  } finally {
    closeSync(fd);
  }
}
