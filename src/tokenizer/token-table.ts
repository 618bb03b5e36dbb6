/**
 * An immutable hash table from byte strings to token ids, stored in typed arrays only, so it
 * can be handed to a worker with postMessage (structured clone) and rebuilt there for free.
 */
export interface TokenTableData {
  bytes: Uint8Array; // all keys back to back
  offsets: Uint32Array; // key k is bytes[offsets[k], offsets[k + 1])
  ids: Uint32Array; // id of key k
  slots: Int32Array; // open addressing, power-of-two size: key index or -1
}

export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h ^ (h >>> 15);
}

export function buildTokenTable(keys: Uint8Array[], ids: ArrayLike<number>): TokenTableData {
  let total = 0;
  for (const k of keys) total += k.length;
  const bytes = new Uint8Array(total);
  const offsets = new Uint32Array(keys.length + 1);
  const idArr = new Uint32Array(keys.length);
  let size = 1;
  while (size < keys.length * 2) size <<= 1;
  const slots = new Int32Array(size).fill(-1);
  let pos = 0;
  for (let k = 0; k < keys.length; k++) {
    bytes.set(keys[k], pos);
    offsets[k] = pos;
    pos += keys[k].length;
    idArr[k] = ids[k];
  }
  offsets[keys.length] = pos;
  const table = { bytes, offsets, ids: idArr, slots };
  const mask = size - 1;
  for (let k = 0; k < keys.length; k++) {
    let s = hashBytes(bytes, offsets[k], offsets[k + 1]) & mask;
    while (slots[s] !== -1) {
      if (equalKey(table, slots[s], bytes, offsets[k], offsets[k + 1])) {
        throw new Error(`duplicate token bytes for ids ${idArr[slots[s]]} and ${idArr[k]}`);
      }
      s = (s + 1) & mask;
    }
    slots[s] = k;
  }
  return table;
}

function equalKey(t: TokenTableData, k: number, buf: Uint8Array, start: number, end: number): boolean {
  const a = t.offsets[k];
  if (t.offsets[k + 1] - a !== end - start) return false;
  const b = t.bytes;
  for (let i = 0; i < end - start; i++) if (b[a + i] !== buf[start + i]) return false;
  return true;
}

/** Id of buf[start, end), or -1. */
export function lookupToken(t: TokenTableData, buf: Uint8Array, start: number, end: number): number {
  const slots = t.slots;
  const mask = slots.length - 1;
  let s = hashBytes(buf, start, end) & mask;
  for (;;) {
    const k = slots[s];
    if (k === -1) return -1;
    if (equalKey(t, k, buf, start, end)) return t.ids[k];
    s = (s + 1) & mask;
  }
}
