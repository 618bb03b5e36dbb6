/**
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", 2014; the seeding generator of the xoshiro family) in 32-bit
 * safe arithmetic: the 64-bit state is two uint32 halves and products use
 * Math.imul plus a 16-bit split for the high word, so no BigInt and no
 * float rounding. Sequential: the state starts at the seed and advances by
 * the golden-ratio increment each draw.
 */

const GOLDEN_HI = 0x9e3779b9;
const GOLDEN_LO = 0x7f4a7c15;
const M1_HI = 0xbf58476d;
const M1_LO = 0x1ce4e5b9;
const M2_HI = 0x94d049bb;
const M2_LO = 0x133111eb;
const TWO32 = 0x1_0000_0000;
const TWO53 = 2 ** 53;

/** High 32 bits of the 64-bit product of two uint32. */
export function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff,
    a1 = a >>> 16,
    b0 = b & 0xffff,
    b1 = b >>> 16;
  const p00 = a0 * b0,
    p01 = a0 * b1,
    p10 = a1 * b0,
    p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/** (aHi:aLo * bHi:bLo) mod 2^64 as [hi, lo]. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): [number, number] {
  const lo = Math.imul(aLo, bLo) >>> 0;
  const hi = (mulHi32(aLo, bLo) + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0;
  return [hi, lo];
}

/** z ^ (z >>> s) for 0 < s < 32. */
function xorShift(hi: number, lo: number, s: number): [number, number] {
  return [(hi ^ (hi >>> s)) >>> 0, (lo ^ ((lo >>> s) | (hi << (32 - s)))) >>> 0];
}

export class SplitMix64 {
  private hi: number;
  private lo: number;

  /** `seed`: an integer 0 <= seed < 2^53, or a bigint 0 <= seed < 2^64. */
  constructor(seed: number | bigint) {
    if (typeof seed === "bigint") {
      if (seed < 0n || seed >= 1n << 64n) throw new RangeError(`seed must be in [0, 2^64), got ${seed}`);
      this.hi = Number(seed >> 32n);
      this.lo = Number(seed & 0xffffffffn);
    } else {
      if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
      this.hi = Math.floor(seed / TWO32);
      this.lo = seed % TWO32;
    }
  }

  /** The next 64-bit output as [hi, lo] uint32 halves. */
  next64(): [number, number] {
    const lo = this.lo + GOLDEN_LO;
    this.hi = (this.hi + GOLDEN_HI + (lo >= TWO32 ? 1 : 0)) >>> 0;
    this.lo = lo >>> 0;
    let [h, l] = xorShift(this.hi, this.lo, 30);
    [h, l] = mul64(h, l, M1_HI, M1_LO);
    [h, l] = xorShift(h, l, 27);
    [h, l] = mul64(h, l, M2_HI, M2_LO);
    return xorShift(h, l, 31);
  }

  /** The next output as a bigint (for tests and reference checks). */
  nextBigInt(): bigint {
    const [h, l] = this.next64();
    return (BigInt(h) << 32n) | BigInt(l);
  }

  /** A uniform integer in [0, n), 1 <= n <= 2^53, without modulo bias (rejection). */
  below(n: number): number {
    if (!Number.isSafeInteger(n) && n !== TWO53) throw new RangeError(`below(n) needs an integer n <= 2^53, got ${n}`);
    if (n < 1) throw new RangeError(`below(n) needs n >= 1, got ${n}`);
    if (n <= TWO32) {
      const limit = TWO32 - (TWO32 % n);
      for (;;) {
        const x = this.next64()[0];
        if (x < limit) return x % n;
      }
    }
    const limit = TWO53 - (TWO53 % n);
    for (;;) {
      const [h, l] = this.next64();
      const x = h * 2 ** 21 + (l >>> 11);
      if (x < limit) return x % n;
    }
  }
}
