/**
 * 32-bit hash building blocks shared by the CPU twins and the shingler. Everything here is u32
 * arithmetic (Math.imul, >>> 0) so that it transliterates one-to-one into WGSL, which has no u64.
 * The WGSL copies live in shaders/minhash.wgsl; keep the two in step.
 */

/** MurmurHash3's 32-bit finaliser: a bijection on u32 with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** One MurmurHash3_x86_32 body step: mixes the 32-bit block `k` into the running state `h`. */
export function murmurStep(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3_x86_32 of `bytes[start, end)` (little-endian blocks), as published by Austin Appleby. */
export function murmur3Bytes(bytes: Uint8Array, start: number, end: number, seed: number): number {
  let h = seed | 0;
  const len = end - start;
  const blockEnd = start + (len & ~3);
  let i = start;
  for (; i < blockEnd; i += 4) {
    const k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    h = murmurStep(h, k);
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = bytes[i];
    if (tail > 1) k |= bytes[i + 1] << 8;
    if (tail > 2) k |= bytes[i + 2] << 16;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  return fmix32((h ^ len) >>> 0);
}

/** MurmurHash3_x86_32 of a sequence of u32 words (each taken as 4 little-endian bytes). */
export function murmur3Words(words: ArrayLike<number>, start: number, count: number, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < count; i++) h = murmurStep(h, words[start + i]);
  return fmix32((h ^ (count * 4)) >>> 0);
}
