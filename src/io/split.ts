/**
 * The train/valid split rule: a document is in `valid` iff the
 * SHA-256 of its UTF-8 doc_id, read as a big-endian 256-bit integer, is below
 * F x 2^256, where F is the exact binary64 value of --valid-fraction. It
 * depends on the doc_id alone, so adding documents never moves another one.
 */
import { sha256Hex } from "./hash.ts";

export const SPLIT_RULE =
  "valid iff int.from_bytes(sha256(doc_id.encode('utf-8')).digest(), 'big') < valid_fraction * 2**256 (exact binary64 value of valid_fraction)";

/** The exact integer F x 2^256 for a binary64 F in [0, 1]. */
export function splitThreshold(fraction: number): bigint {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`valid fraction must be in [0, 1], got ${fraction}`);
  if (fraction === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, fraction);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  // value = mant * 2^(exp), mant an integer
  const mant = expBits === 0 ? frac : frac | (1n << 52n);
  const exp = (expBits === 0 ? 1 : expBits) - 1075;
  const shift = exp + 256;
  if (shift >= 0) return mant << BigInt(shift);
  // Not an integer: hash < x  <=>  hash < floor(x) + 1.
  const floor = mant >> BigInt(-shift);
  return floor << BigInt(-shift) === mant ? floor : floor + 1n;
}

export function isValid(docId: string, threshold: bigint): boolean {
  if (threshold === 0n) return false;
  const digest = sha256Hex(docId);
  return BigInt(`0x${digest}`) < threshold;
}
