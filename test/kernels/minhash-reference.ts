/**
 * An independent scalar reference for the MinHash contract, written in BigInt from the contract's
 * prose (src/kernels/minhash.ts header), not from the twins: slow and obviously correct.
 */
const M = 0xffffffffn;

function fmix(h: bigint): bigint {
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & M;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & M;
  h ^= h >> 16n;
  return h;
}

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (32n - r))) & M;
}

/** MurmurHash3_x86_32 over bytes (Appleby's reference algorithm). */
export function murmurRef(bytes: number[], seed: number): number {
  let h = BigInt(seed >>> 0);
  const nBlocks = Math.floor(bytes.length / 4);
  const mixK = (k: bigint): bigint => (rotl((k * 0xcc9e2d51n) & M, 15n) * 0x1b873593n) & M;
  for (let i = 0; i < nBlocks; i++) {
    let k = 0n;
    for (let j = 3; j >= 0; j--) k = (k << 8n) | BigInt(bytes[4 * i + j]);
    h ^= mixK(k);
    h = (rotl(h, 13n) * 5n + 0xe6546b64n) & M;
  }
  const tail = bytes.slice(nBlocks * 4);
  if (tail.length > 0) {
    let k = 0n;
    for (let j = tail.length - 1; j >= 0; j--) k = (k << 8n) | BigInt(tail[j]);
    h ^= mixK(k);
  }
  return Number(fmix(h ^ BigInt(bytes.length)));
}

/** a_0, b_0, a_1, b_1, ...: Weyl sequence (golden-ratio step) through the 2-round mixer; a odd. */
export function permConstantsRef(seed: number, numPerm: number): bigint[] {
  let state = BigInt(seed >>> 0);
  const next = (): bigint => {
    state = (state + 0x9e3779b9n) & M;
    let z = state;
    z = ((z ^ (z >> 16n)) * 0x21f0aaadn) & M;
    z = ((z ^ (z >> 15n)) * 0x735a2d97n) & M;
    return z ^ (z >> 15n);
  };
  const out: bigint[] = [];
  for (let k = 0; k < numPerm; k++) {
    out.push(next() | 1n);
    out.push(next());
  }
  return out;
}

export function piRef(x: number, a: bigint, b: bigint): bigint {
  const y = (a * BigInt(x >>> 0) + b) & M;
  return ((y ^ (y >> 16n)) * 0x85ebca6bn) & M;
}

export interface RefParams {
  numPerm: number;
  seed: number;
  bands: number;
  rows: number;
}

/** Signature (numPerm values) and band keys of one document's hashes. */
export function signRef(hashes: ArrayLike<number>, p: RefParams): { sig: number[]; keys: number[] } {
  const c = permConstantsRef(p.seed, p.numPerm);
  const sig: number[] = [];
  for (let k = 0; k < p.numPerm; k++) {
    let m = M;
    for (let i = 0; i < hashes.length; i++) {
      const v = piRef(hashes[i], c[2 * k], c[2 * k + 1]);
      if (v < m) m = v;
    }
    sig.push(Number(m));
  }
  const keys: number[] = [];
  for (let b = 0; b < p.bands; b++) {
    const bytes: number[] = [];
    for (let r = 0; r < p.rows; r++) {
      const v = sig[b * p.rows + r];
      bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    }
    keys.push(murmurRef(bytes, b));
  }
  return { sig, keys };
}

/** Equal, non-sentinel positions of two signatures. */
export function countEqualRef(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let c = 0;
  for (let k = 0; k < a.length; k++) if (a[k] === b[k] && a[k] !== 0xffffffff) c++;
  return c;
}
