/**
 * Sorts u32 values in place, ascending: an LSD radix sort, four passes of 8 bits through a
 * scratch buffer (the exact verifier sorts a few thousand shingle-hash lists of ~10^3 each, where
 * TypedArray.prototype.sort spends ~35 ns per element and this ~5). Short lists take the
 * built-in sort.
 */
const SHORT = 64;
const count = new Uint32Array(256);
let scratch = new Uint32Array(1 << 12);

export function sortU32(a: Uint32Array): void {
  const n = a.length;
  if (n <= SHORT) {
    a.sort();
    return;
  }
  if (scratch.length < n) scratch = new Uint32Array(Math.ceil(n * 1.25));
  let src: Uint32Array = a;
  let dst: Uint32Array = scratch.subarray(0, n);
  for (let shift = 0; shift < 32; shift += 8) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i] >>> shift) & 0xff]++;
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = src[i];
      dst[count[(v >>> shift) & 0xff]++] = v;
    }
    [src, dst] = [dst, src];
  }
  // Four passes: the sorted values are back in `a`.
}
