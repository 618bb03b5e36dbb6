/**
 * GPT-2's reversible byte <-> printable character mapping used by byte-level tokenizer.json
 * vocabularies: printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in
 * byte order.
 */
const byteToChar: string[] = new Array(256);
const charToByte = new Map<number, number>();

{
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    const cp = printable ? b : 256 + extra++;
    byteToChar[b] = String.fromCharCode(cp);
    charToByte.set(cp, b);
  }
}

export function byteLevelChar(b: number): string {
  return byteToChar[b];
}

/** Bytes of a byte-level vocab entry, or null if it has a character outside the mapping. */
export function byteLevelDecode(token: string): Uint8Array | null {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = charToByte.get(token.charCodeAt(i));
    if (b === undefined) return null;
    out[i] = b;
  }
  return out;
}
