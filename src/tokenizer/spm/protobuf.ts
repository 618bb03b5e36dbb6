/**
 * The protobuf wire format, just enough for SentencePiece's ModelProto: varints, 32-bit floats
 * and length-delimited fields (strings, bytes, nested messages). No schema, no dependency.
 */

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class ProtoReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
    private readonly what = "protobuf message",
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  private fail(why: string): never {
    throw new Error(`${this.what}: ${why} at byte ${this.pos}`);
  }

  /** A varint as a JavaScript number (exact below 2^53; larger values are not used by ModelProto). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    this.fail("varint longer than 10 bytes");
  }

  /** An int32 field: negative values are sign-extended to 64 bits on the wire. */
  int32(): number {
    return this.varint() | 0;
  }

  float(): number {
    if (this.pos + 4 > this.end) this.fail("truncated float");
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** [start, end) of a length-delimited field's payload. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) this.fail(`length ${len} runs past the end`);
    this.pos += len;
    return [start, start + len];
  }

  string(): string {
    const [s, e] = this.span();
    return new TextDecoder().decode(this.bytes.subarray(s, e));
  }

  bytesField(): Uint8Array {
    const [s, e] = this.span();
    return this.bytes.slice(s, e);
  }

  /** Reads a key; returns [field number, wire type]. */
  key(): [number, number] {
    const k = this.varint();
    return [Math.floor(k / 8), k & 7];
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_I64) this.pos += 8;
    else if (wire === WIRE_LEN) this.span();
    else if (wire === WIRE_I32) this.pos += 4;
    else this.fail(`unsupported wire type ${wire}`);
    if (this.pos > this.end) this.fail("field runs past the end");
  }
}

/** Appends protobuf fields to a growing buffer. */
export class ProtoWriter {
  private buf = new Uint8Array(1024);
  private len = 0;
  private readonly enc = new TextEncoder();

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private rawVarint(v: number): void {
    this.room(10);
    while (v >= 128) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  varint(field: number, v: number): this {
    this.rawVarint(field * 8 + WIRE_VARINT);
    if (v < 0) {
      // An int32 below zero is its 64-bit two's complement on the wire (ten bytes); 2^64 + v is not exact in doubles.
      const lo = v >>> 0;
      const hi = 0xffffffff;
      this.room(10);
      let l = lo;
      for (let i = 0; i < 4; i++) {
        this.buf[this.len++] = (l & 0x7f) | 0x80;
        l >>>= 7;
      }
      // bits 28..34: 4 bits of lo, 3 bits of hi
      this.buf[this.len++] = (l & 0x0f) | ((hi & 0x07) << 4) | 0x80;
      let h = hi >>> 3;
      for (let i = 0; i < 4; i++) {
        this.buf[this.len++] = (h & 0x7f) | 0x80;
        h >>>= 7;
      }
      this.buf[this.len++] = h & 0x01;
      return this;
    }
    this.rawVarint(v);
    return this;
  }

  bool(field: number, v: boolean): this {
    return this.varint(field, v ? 1 : 0);
  }

  float(field: number, v: number): this {
    this.rawVarint(field * 8 + WIRE_I32);
    this.room(4);
    new DataView(this.buf.buffer).setFloat32(this.len, v, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.rawVarint(field * 8 + WIRE_LEN);
    this.rawVarint(b.length);
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, this.enc.encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
