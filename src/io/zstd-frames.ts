/**
 * Walks the frame and block headers of a zstd stream (RFC 8878) without
 * decompressing, to tell a complete stream from a truncated one: Bun's zstd
 * decoder ends quietly when its input stops mid-frame.
 */
const MAGIC = 0xfd2fb528;

export class ZstdFrameWalker {
  /** Bytes still to skip before the next header. */
  private skip = 0;
  private header = new Uint8Array(18);
  private have = 0;
  private need = 0;
  private state: "magic" | "frameHeader" | "block" | "checksum" | "skippableSize" = "magic";
  private lastBlock = false;
  private checksum = false;
  frames = 0;
  contentSizes: (number | null)[] = [];
  error: string | null = null;

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && this.error === null) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      if (this.need === 0) this.need = this.state === "block" ? 3 : this.state === "checksum" ? 4 : 4;
      const n = Math.min(this.need - this.have, chunk.length - i);
      this.header.set(chunk.subarray(i, i + n), this.have);
      this.have += n;
      i += n;
      if (this.have < this.need) break;
      this.onHeader();
    }
  }

  private reset(need: number): void {
    this.have = 0;
    this.need = need;
  }

  private onHeader(): void {
    const h = this.header;
    switch (this.state) {
      case "magic": {
        const m = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
        if (m === MAGIC) {
          this.state = "frameHeader";
          this.reset(1);
        } else if ((m & 0xfffffff0) >>> 0 === 0x184d2a50) {
          this.state = "skippableSize";
          this.reset(4);
        } else this.error = "not a zstd frame (bad magic number)";
        return;
      }
      case "skippableSize": {
        this.skip = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
        this.state = "magic";
        this.reset(4);
        return;
      }
      case "frameHeader": {
        const fhd = h[0]!;
        const fcsFlag = fhd >> 6;
        const single = (fhd >> 5) & 1;
        this.checksum = ((fhd >> 2) & 1) === 1;
        const didFlag = fhd & 3;
        const fcsBytes = fcsFlag === 0 ? single : [1, 2, 4, 8][fcsFlag]!;
        const total = 1 + (single ? 0 : 1) + [0, 1, 2, 4][didFlag]! + fcsBytes;
        if (this.need === 1 && total > 1) {
          this.need = total;
          return;
        }
        let fcs: number | null = null;
        if (fcsBytes > 0) {
          const at = total - fcsBytes;
          fcs = 0;
          for (let k = fcsBytes - 1; k >= 0; k--) fcs = fcs * 256 + h[at + k]!;
          if (fcsBytes === 2) fcs += 256;
        }
        this.contentSizes.push(fcs);
        this.state = "block";
        this.reset(3);
        return;
      }
      case "block": {
        const v = h[0]! | (h[1]! << 8) | (h[2]! << 16);
        this.lastBlock = (v & 1) === 1;
        const type = (v >> 1) & 3;
        const size = v >>> 3;
        if (type === 3) {
          this.error = "reserved block type (corrupt data)";
          return;
        }
        this.skip = type === 1 ? 1 : size;
        if (this.lastBlock) {
          if (this.checksum) {
            this.state = "checksum";
            this.reset(4);
          } else this.endFrame();
        } else this.reset(3);
        return;
      }
      case "checksum":
        this.endFrame();
        return;
    }
  }

  private endFrame(): void {
    this.frames++;
    this.state = "magic";
    this.reset(4);
  }

  /** Null when the stream ended on a frame boundary, else why not. */
  finish(): string | null {
    if (this.error) return this.error;
    if (this.frames === 0) return "no complete zstd frame";
    if (this.state !== "magic" || this.have !== 0 || this.skip !== 0) return "the data ends in the middle of a zstd frame (truncated)";
    return null;
  }
}
