/**
 * Streams a Megatron indexed dataset to disk, one sequence per document. Tokens go to
 * PREFIX.bin.tmp-PID as they are added; finish() writes the index and renames both files into
 * place, so a crashed run leaves no PREFIX.bin/.idx pair behind. See format.ts for the layout.
 */
import { closeSync, openSync, renameSync, rmSync } from "node:fs";
import { ConfigError } from "../errors.ts";
import { writeFully } from "../io/fd-io.ts";
import { binPath, dtypeCode, dtypeSize, HEADER_BYTES, idxPath, MAGIC, VERSION, type TokenDtype } from "./format.ts";

const CHUNK = 1 << 20; // bytes buffered before a write

export interface MegatronResult {
  sequences: number;
  tokens: number;
  binSha256: string;
  idxSha256: string;
}

class HashedFile {
  readonly fd: number;
  readonly hash = new Bun.CryptoHasher("sha256");
  bytes = 0;
  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, "w");
    } catch (e) {
      throw new ConfigError(`cannot create ${path}: ${(e as Error).message}; does its directory exist and is it writable?`, { cause: e });
    }
  }
  write(b: Uint8Array): void {
    writeFully(this.fd, b);
    this.hash.update(b);
    this.bytes += b.length;
  }
  close(): string {
    closeSync(this.fd);
    return this.hash.digest("hex");
  }
}

export class MegatronWriter {
  private readonly size: number;
  private readonly bin: HashedFile;
  private readonly binTmp: string;
  private readonly idxTmp: string;
  private buf = new Uint8Array(CHUNK);
  private view = new DataView(this.buf.buffer);
  private used = 0;
  private lengths = new Int32Array(1024);
  private count = 0;
  private tokens = 0;
  private done = false;

  constructor(
    readonly prefix: string,
    readonly dtype: TokenDtype,
  ) {
    if (dtype !== "int32" && dtype !== "uint16") throw new ConfigError(`megatron dtype must be int32 or uint16, got ${dtype}`);
    this.size = dtypeSize(dtype);
    this.binTmp = `${binPath(prefix)}.tmp-${process.pid}`;
    this.idxTmp = `${idxPath(prefix)}.tmp-${process.pid}`;
    this.bin = new HashedFile(this.binTmp);
  }

  /**
   * Appends one document as one sequence: `ids`, then `eosId` when given (saves the caller a
   * copy). Throws ConfigError, writing nothing of the document, when an id does not fit the dtype.
   */
  add(ids: Uint32Array, eosId?: number): void {
    if (this.done) throw new Error("MegatronWriter.add after finish");
    const max = this.dtype === "int32" ? 0x7fffffff : 0xffff;
    for (let i = 0; i < ids.length; i++) if (ids[i] > max) this.tooBig(ids[i]);
    if (eosId !== undefined && (!Number.isInteger(eosId) || eosId < 0 || eosId > max)) this.tooBig(eosId);
    if (this.count === this.lengths.length) {
      const l = new Int32Array(this.lengths.length * 2);
      l.set(this.lengths);
      this.lengths = l;
    }
    const n = ids.length + (eosId === undefined ? 0 : 1);
    if (n > 0x7fffffff) throw new ConfigError(`${this.prefix}: document ${this.count} has ${n} tokens, more than an int32 length holds`);
    this.lengths[this.count++] = n;
    this.tokens += n;
    for (let i = 0; i < ids.length; i++) this.put(ids[i]);
    if (eosId !== undefined) this.put(eosId);
  }

  private put(id: number): void {
    if (this.used + this.size > CHUNK) this.flush();
    if (this.size === 4) this.view.setInt32(this.used, id, true);
    else this.view.setUint16(this.used, id, true);
    this.used += this.size;
  }

  private tooBig(id: number): never {
    throw new ConfigError(`${this.prefix}: token id ${id} (document ${this.count}) does not fit ${this.dtype}; use --dtype int32`);
  }

  private flush(): void {
    if (this.used > 0) this.bin.write(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  async finish(): Promise<MegatronResult> {
    if (this.done) throw new Error("MegatronWriter.finish called twice");
    this.done = true;
    try {
      this.flush();
      const binSha256 = this.bin.close();
      const idxSha256 = this.writeIndex();
      renameSync(this.binTmp, binPath(this.prefix));
      renameSync(this.idxTmp, idxPath(this.prefix));
      return { sequences: this.count, tokens: this.tokens, binSha256, idxSha256 };
    } catch (e) {
      this.removeTemps();
      throw e;
    }
  }

  /** Drops everything written so far (use when the run fails). */
  abort(): void {
    if (!this.done) {
      this.done = true;
      try {
        this.bin.close();
      } catch {}
    }
    this.removeTemps();
  }

  private removeTemps(): void {
    rmSync(this.binTmp, { force: true });
    rmSync(this.idxTmp, { force: true });
  }

  private writeIndex(): string {
    const n = this.count;
    const idx = new HashedFile(this.idxTmp);
    const head = new Uint8Array(HEADER_BYTES);
    const hv = new DataView(head.buffer);
    head.set(MAGIC, 0);
    hv.setBigUint64(9, BigInt(VERSION), true);
    hv.setUint8(17, dtypeCode(this.dtype));
    hv.setBigUint64(18, BigInt(n), true);
    hv.setBigUint64(26, BigInt(n + 1), true);
    idx.write(head);

    const lengths = new Uint8Array(n * 4);
    const lv = new DataView(lengths.buffer);
    for (let i = 0; i < n; i++) lv.setInt32(i * 4, this.lengths[i], true);
    idx.write(lengths);

    const per = 1 << 16;
    const chunk = new Uint8Array(per * 8);
    const cv = new DataView(chunk.buffer);
    let ptr = 0;
    for (let i = 0; i < n; i += per) {
      const m = Math.min(per, n - i);
      for (let j = 0; j < m; j++) {
        cv.setBigInt64(j * 8, BigInt(ptr), true);
        ptr += this.lengths[i + j] * this.size;
      }
      idx.write(chunk.subarray(0, m * 8));
    }
    for (let i = 0; i <= n; i += per) {
      const m = Math.min(per, n + 1 - i);
      for (let j = 0; j < m; j++) cv.setBigInt64(j * 8, BigInt(i + j), true);
      idx.write(chunk.subarray(0, m * 8));
    }
    return idx.close();
  }
}
