// AssemblyScript (compiled by scripts/build-kernels.ts): the near engine's CPU hot loops, see
// src/kernels/near-wasm.ts for the memory layout and src/kernels/minhash-cpu-core.ts /
// src/kernels/hash32.ts for the JavaScript twins they must equal bit for bit (u32 wrapping
// arithmetic: i32x4.mul is WGSL's `a * x` on four lanes, i32x4.min_u its `min`).

/** The permutations' mixing constant (src/kernels/minhash.ts PERM_MIX). */
const PERM_MIX: u32 = 0x85ebca6b;

// @ts-ignore: decorator
@inline
function mix(m: v128, a: v128, b: v128, x: v128, k: v128): v128 {
  // y = a * x + b; m = min(m, (y ^ (y >> 16)) * PERM_MIX)
  const y = i32x4.add(i32x4.mul(a, x), b);
  return i32x4.min_u(m, i32x4.mul(v128.xor(y, i32x4.shr_u(y, 16)), k));
}

/**
 * sign(hashes, offsets, nDocs, out, perm, k4): for each doc d, the minima of its hashes
 * [offsets[d], offsets[d + 1]) under permutations 0..k4-1 (constants at perm in blocks of 4:
 * a_k..a_k+3 then b_k..b_k+3), k4 words per row at out. Each pass over a document's hashes serves
 * four blocks, whose constants and minima stay in registers; blocks left over go one at a time.
 */
export function sign(h: usize, off: usize, n: u32, out: usize, perm: usize, k4: u32): void {
  const k = i32x4.splat(PERM_MIX);
  const pend = perm + (<usize>k4 << 3);
  // the grouped passes stop where fewer than 4 blocks are left
  const pgend = pend - (<usize>((k4 >> 2) & 3) << 5);
  let o = out;
  for (let d: u32 = 0; d < n; d++) {
    const start = h + (<usize>load<u32>(off + (<usize>d << 2)) << 2);
    const end = h + (<usize>load<u32>(off + (<usize>d << 2), 4) << 2);
    let p = perm;
    while (p < pgend) {
      const a0 = v128.load(p), b0 = v128.load(p, 16);
      const a1 = v128.load(p, 32), b1 = v128.load(p, 48);
      const a2 = v128.load(p, 64), b2 = v128.load(p, 80);
      const a3 = v128.load(p, 96), b3 = v128.load(p, 112);
      let m0 = i32x4.splat(-1), m1 = i32x4.splat(-1), m2 = i32x4.splat(-1), m3 = i32x4.splat(-1);
      for (let i = start; i < end; i += 4) {
        const x = v128.load32_splat(i);
        m0 = mix(m0, a0, b0, x, k);
        m1 = mix(m1, a1, b1, x, k);
        m2 = mix(m2, a2, b2, x, k);
        m3 = mix(m3, a3, b3, x, k);
      }
      v128.store(o, m0);
      v128.store(o, m1, 16);
      v128.store(o, m2, 32);
      v128.store(o, m3, 48);
      o += 64;
      p += 128;
    }
    while (p < pend) {
      const a0 = v128.load(p), b0 = v128.load(p, 16);
      let m0 = i32x4.splat(-1);
      for (let i = start; i < end; i += 4) m0 = mix(m0, a0, b0, v128.load32_splat(i), k);
      v128.store(o, m0);
      o += 16;
      p += 32;
    }
  }
}

// @ts-ignore: decorator
@inline
function mixK(k: u32): u32 {
  return rotl<u32>(k * 0xcc9e2d51, 15) * 0x1b873593;
}

/**
 * shingles(bytes, starts, nUnits, n, gap, out) -> count. Shingle s covers bytes
 * [starts[s], starts[min(s + n, nUnits)] - gap); its hash is MurmurHash3_x86_32 (seed 0) of those
 * bytes, one unaligned 4-byte load per block. Reads up to 3 bytes past a shingle's end (masked off).
 */
export function shingles(bytes: usize, starts: usize, nUnits: u32, n: u32, gap: u32, out: usize): u32 {
  const count: u32 = nUnits >= n ? nUnits - n + 1 : 1;
  for (let s: u32 = 0; s < count; s++) {
    let last = s + n;
    if (last > nUnits) last = nUnits;
    const from = load<u32>(starts + (<usize>s << 2));
    const len = load<u32>(starts + (<usize>last << 2)) - gap - from;
    let i = bytes + <usize>from;
    const bend = i + <usize>(len & ~3);
    let h: u32 = 0;
    while (i < bend) {
      h = rotl<u32>(h ^ mixK(load<u32>(i)), 13) * 5 + 0xe6546b64;
      i += 4;
    }
    // tail: k = load(i) & ((1 << 8 * (len & 3)) - 1); a tail of 0 bytes gives k = 0, a no-op
    h = h ^ mixK(load<u32>(i) & ((<u32>1 << ((len & 3) << 3)) - 1)) ^ len;
    h = (h ^ (h >> 16)) * 0x85ebca6b;
    h = (h ^ (h >> 13)) * 0xc2b2ae35;
    store<u32>(out + (<usize>s << 2), h ^ (h >> 16));
  }
  return count;
}
