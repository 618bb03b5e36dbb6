/**
 * The exact-duplicate key of `gamma dedup`: the text with whitespace runs collapsed to one space,
 * trimmed and lower-cased, hashed with sha256 (base64, 22 characters = 132 bits).
 */
import { exactKeyKernel } from "./exact-key-kernel.ts";

/**
 * Whitespace that collapsing changes: runs of two or more, and single
 * whitespace characters other than a space. Replacing these with a space
 * gives what replacing every run would, with far fewer matches.
 */
const FOLDED_WHITESPACE = /\s{2,}|[^\S ]/g;

export function exactKey(text: string): string {
  // The kernel folds most texts in one pass; it declines those with letters whose lower case
  // needs the full Unicode mapping, and JavaScript folds them.
  const bytes = exactKeyKernel()?.folded(text) ?? null;
  return new Bun.CryptoHasher("sha256")
    .update(bytes ?? foldJs(text))
    .digest("base64")
    .slice(0, 22);
}

/** The folded text the key hashes, the JavaScript way (the definition; the kernel matches it). */
export function foldJs(text: string): string {
  return text.replace(FOLDED_WHITESPACE, " ").trim().toLowerCase();
}
