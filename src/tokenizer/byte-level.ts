/**
 * GPT-2's reversible byte <-> printable character mapping used by byte-level tokenizer.json
 * vocabularies: printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in
 * byte order.
 */
const byteToChar: string[] = new Array(256);
const charToByte = new Int16Array(512).fill(-1); // every mapped character is below U+0200

{
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    const cp = printable ? b : 256 + extra++;
    byteToChar[b] = String.fromCharCode(cp);
    charToByte[cp] = b;
  }
}

export function byteLevelChar(b: number): string {
  return byteToChar[b];
}

/** Bytes of a byte-level vocab entry, or null if it has a character outside the mapping. */
export function byteLevelDecode(token: string): Uint8Array | null {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const b = c < 512 ? charToByte[c] : -1;
    if (b < 0) return null;
    out[i] = b;
  }
  return out;
}

/** Writes the bytes of a byte-level vocab entry into buf at `at`; returns the count, or -1. */
export function byteLevelDecodeInto(token: string, buf: Uint8Array, at: number): number {
  if (at + token.length > buf.length) return -1;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const b = c < 512 ? charToByte[c] : -1;
    if (b < 0) return -1;
    buf[at + i] = b;
  }
  return token.length;
}
