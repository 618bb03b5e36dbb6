/**
 * Writes a precompiled normalization charsmap (the format Charsmap in ../spm/charsmap.ts reads
 * and SentencePiece loads): a double-array trie whose units use the Darts-clone layout (label
 * in bits 0-7, has-leaf bit 8, offset in bits 10-31 with bit 9 scaling it by 256, leaf units
 * with bit 31 and the value), keyed by the UTF-8 of each rule's source, valued by the offset of
 * its NUL-terminated replacement in the string pool that follows the trie.
 */

interface Node {
  children: Map<number, Node>;
  value: number; // pool offset, or -1
}

export function buildCharsmap(rules: Map<string, string>): Uint8Array {
  const enc = new TextEncoder();
  // String pool: each distinct replacement once.
  const poolParts: Uint8Array[] = [];
  const poolOffset = new Map<string, number>();
  let poolSize = 0;
  const root: Node = { children: new Map(), value: -1 };
  const keys = [...rules.keys()].sort();
  for (const k of keys) {
    const r = rules.get(k)!;
    let off = poolOffset.get(r);
    if (off === undefined) {
      off = poolSize;
      const b = enc.encode(r);
      poolParts.push(b, Uint8Array.of(0));
      poolSize += b.length + 1;
      poolOffset.set(r, off);
    }
    let n = root;
    for (const byte of enc.encode(k)) {
      let c = n.children.get(byte);
      if (c === undefined) {
        c = { children: new Map(), value: -1 };
        n.children.set(byte, c);
      }
      n = c;
    }
    n.value = off;
  }

  let units = new Uint32Array(1 << 16);
  let used = new Uint8Array(1 << 16);
  // Free slots as a linked list (slot -> next free slot), so the search skips filled stretches.
  let nextFree = new Int32Array(1 << 16);
  for (let i = 0; i < nextFree.length; i++) nextFree[i] = i + 1;
  const usedBase = new Set<number>();
  const ensure = (n: number) => {
    if (n < units.length) return;
    const old = units.length;
    let cap = old;
    while (cap <= n) cap *= 2;
    const u = new Uint32Array(cap);
    u.set(units);
    units = u;
    const s = new Uint8Array(cap);
    s.set(used);
    used = s;
    const nf = new Int32Array(cap);
    nf.set(nextFree);
    for (let i = old; i < cap; i++) nf[i] = i + 1;
    nextFree = nf;
  };
  used[0] = 1;
  let head = 1; // first free slot; the list runs through nextFree, skipping slots taken since
  let maxSlot = 0;
  const queue: [Node, number][] = [[root, 0]];
  for (let qi = 0; qi < queue.length; qi++) {
    const [node, pos] = queue[qi];
    const labels = [...node.children.keys()].sort((a, b) => a - b);
    if (node.value >= 0) labels.unshift(0);
    if (labels.length === 0) continue;
    while (used[head]) head = nextFree[head];
    let base = -1;
    let prev = -1;
    for (let f = head; ; ) {
      ensure(f + 512);
      if (used[f]) {
        // unlink a slot taken since it was listed
        const nx = nextFree[f];
        if (prev >= 0) nextFree[prev] = nx;
        f = nx;
        continue;
      }
      const b = f ^ labels[0];
      let ok = b !== 0 && !usedBase.has(b);
      for (let k = 1; ok && k < labels.length; k++) {
        ensure((b ^ labels[k]) + 1);
        if (used[b ^ labels[k]]) ok = false;
      }
      if (ok) {
        base = b;
        break;
      }
      prev = f;
      f = nextFree[f];
    }
    usedBase.add(base);
    const offset = pos ^ base;
    if (offset >= 1 << 21) throw new Error("normalization trie too large");
    units[pos] = (units[pos] & 0x800001ff) | (offset << 10) | (node.value >= 0 ? 0x100 : 0);
    for (const l of labels) {
      const slot = base ^ l;
      used[slot] = 1;
      if (slot > maxSlot) maxSlot = slot;
      if (l === 0 && node.value >= 0) {
        units[slot] = (node.value | 0x80000000) >>> 0;
        continue;
      }
      units[slot] = l;
      queue.push([node.children.get(l)!, slot]);
    }
  }
  // Lookups read base ^ byte for any byte, so every block they can reach must exist.
  const size = (maxSlot | 0xff) + 1;
  const blob = new Uint8Array(4 + size * 4 + poolSize);
  const view = new DataView(blob.buffer);
  view.setUint32(0, size * 4, true);
  for (let i = 0; i < size; i++) view.setUint32(4 + i * 4, units[i], true);
  let p = 4 + size * 4;
  for (const part of poolParts) {
    blob.set(part, p);
    p += part.length;
  }
  return blob;
}
