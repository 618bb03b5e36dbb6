/**
 * The exact-duplicate key of `gamma dedup`: the text with whitespace runs collapsed to one space,
 * trimmed and lower-cased, hashed with sha256 (base64, 22 characters = 132 bits).
 */

/**
 * Whitespace that collapsing changes: runs of two or more, and single
 * whitespace characters other than a space. Replacing these with a space
 * gives what replacing every run would, with far fewer matches.
 */
const FOLDED_WHITESPACE = /\s{2,}|[^\S ]/g;

export function exactKey(text: string): string {
  const folded = text.replace(FOLDED_WHITESPACE, " ").trim().toLowerCase();
  return new Bun.CryptoHasher("sha256").update(folded).digest("base64").slice(0, 22);
}
