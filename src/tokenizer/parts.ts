/**
 * A sequence to encode as parts: text pieces, each encoded on its own, and token ids placed as
 * they are (language tags, FIM sentinels, EOS, special tokens the text may name). Text is never
 * searched for special tokens unless the caller names them (`allowed`): by default
 * "<|endoftext|>" inside a document is ordinary text.
 */

/** A text piece to encode, or a token id. */
export type Part = string | number;

/**
 * Cuts `text` at every occurrence of an allowed special token's text; each occurrence becomes its
 * id. At one position the longest allowed token wins. Empty text pieces are left out.
 */
export function splitSpecials(text: string, allowed: ReadonlyMap<string, number>, out: Part[] = []): Part[] {
  if (allowed.size === 0 || text.length === 0) {
    if (text.length > 0) out.push(text);
    return out;
  }
  let pos = 0;
  for (;;) {
    let at = -1;
    let best = "";
    for (const s of allowed.keys()) {
      const i = text.indexOf(s, pos);
      if (i >= 0 && (at < 0 || i < at || (i === at && s.length > best.length))) {
        at = i;
        best = s;
      }
    }
    if (at < 0) break;
    if (at > pos) out.push(text.slice(pos, at));
    out.push(allowed.get(best)!);
    pos = at + best.length;
  }
  if (pos < text.length) out.push(text.slice(pos));
  return out;
}

/** The text pieces of many part lists, in order (what the encoders get). */
export function textsOf(lists: readonly Part[][]): string[] {
  const texts: string[] = [];
  for (const parts of lists) for (const p of parts) if (typeof p === "string") texts.push(p);
  return texts;
}

/**
 * Joins one part list back into ids, taking its text pieces' encodings from `encoded` starting
 * at `next.i` (advanced past them).
 */
export function joinParts(parts: readonly Part[], encoded: readonly Uint32Array[], next: { i: number }): Uint32Array {
  let n = 0;
  let k = next.i;
  for (const p of parts) n += typeof p === "string" ? encoded[k++]!.length : 1;
  const ids = new Uint32Array(n);
  let o = 0;
  for (const p of parts) {
    if (typeof p === "number") ids[o++] = p;
    else {
      const e = encoded[next.i++]!;
      ids.set(e, o);
      o += e.length;
    }
  }
  return ids;
}

/** Resolves `--allow-special` names to ids; a name the tokenizer lacks is listed in `missing`. */
export function allowedSpecials(
  names: readonly string[],
  tokenId: (s: string) => number | null,
): { allowed: Map<string, number>; missing: string[] } {
  const allowed = new Map<string, number>();
  const missing: string[] = [];
  for (const n of names) {
    const id = tokenId(n);
    if (id === null) missing.push(n);
    else allowed.set(n, id);
  }
  return { allowed, missing };
}
