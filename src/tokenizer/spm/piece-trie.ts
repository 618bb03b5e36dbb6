/**
 * A double-array byte trie over piece strings for the Viterbi search: the child of state s by
 * byte c is t = base[s] + c when check[t] === s, and `pieceAt[t]` is the piece id ending at t
 * (-1 if none). State 0 is the root. Built once per model; a lookup is two array reads.
 */

export class PieceTrie {
  private readonly base: Int32Array;
  private readonly check: Int32Array;
  readonly pieceAt: Int32Array;

  constructor(pieces: { bytes: Uint8Array; id: number }[]) {
    // A plain trie first: children per node as sorted byte lists.
    const kids: Map<number, number>[] = [new Map()];
    const ids: number[] = [-1];
    for (const p of pieces) {
      let node = 0;
      for (const b of p.bytes) {
        let next = kids[node].get(b);
        if (next === undefined) {
          next = kids.length;
          kids.push(new Map());
          ids.push(-1);
          kids[node].set(b, next);
        }
        node = next;
      }
      // the first of two equal pieces wins, as in SentencePiece's map of pieces
      if (ids[node] < 0) ids[node] = p.id;
    }
    let cap = 1024;
    while (cap < kids.length * 2 + 512) cap *= 2;
    let base = new Int32Array(cap);
    let check = new Int32Array(cap).fill(-1);
    let pieceAt = new Int32Array(cap).fill(-1);
    // Free slots as a linked list, so the search for a base skips filled stretches.
    let nextFree = new Int32Array(cap);
    for (let i = 0; i < cap; i++) nextFree[i] = i + 1;
    check[0] = 0;
    const grow = (need: number) => {
      if (need < base.length) return;
      const old = base.length;
      let c = old;
      while (c <= need) c *= 2;
      const nb = new Int32Array(c);
      nb.set(base);
      const nc = new Int32Array(c).fill(-1);
      nc.set(check);
      const np = new Int32Array(c).fill(-1);
      np.set(pieceAt);
      const nf = new Int32Array(c);
      nf.set(nextFree);
      for (let i = old; i < c; i++) nf[i] = i + 1;
      base = nb;
      check = nc;
      pieceAt = np;
      nextFree = nf;
    };
    // Breadth first: place each node's children at the first base where all their slots are free.
    const stateOf = new Int32Array(kids.length);
    const queue = [0];
    let head = 1;
    pieceAt[0] = ids[0];
    for (let qi = 0; qi < queue.length; qi++) {
      const node = queue[qi];
      const s = stateOf[node];
      const children = [...kids[node].entries()].sort((x, y) => x[0] - y[0]);
      if (children.length === 0) continue;
      while (check[head] !== -1) head = nextFree[head];
      const c0 = children[0][0];
      let b = -1;
      let prev = -1;
      for (let f = head; ; ) {
        grow(f + 257);
        if (check[f] !== -1) {
          // taken since it was listed: unlink it
          const nx = nextFree[f];
          if (prev >= 0) nextFree[prev] = nx;
          f = nx;
          continue;
        }
        const cand = f - c0;
        let ok = cand >= 1;
        for (let k = 1; ok && k < children.length; k++) if (check[cand + children[k][0]] !== -1) ok = false;
        if (ok) {
          b = cand;
          break;
        }
        prev = f;
        f = nextFree[f];
      }
      base[s] = b;
      for (const [c, child] of children) {
        const t = b + c;
        check[t] = s;
        stateOf[child] = t;
        pieceAt[t] = ids[child];
        queue.push(child);
      }
    }
    this.base = base;
    this.check = check;
    this.pieceAt = pieceAt;
  }

  /** The child of state s by byte b, or -1. */
  child(s: number, b: number): number {
    const t = this.base[s] + b;
    return this.check[t] === s ? t : -1;
  }
}
