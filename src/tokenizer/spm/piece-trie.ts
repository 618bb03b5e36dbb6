/**
 * A byte trie over piece strings for the Viterbi search: node 0 is the root, children are found
 * in an open-addressing table keyed by (node, byte), and `pieceAt[node]` is the piece id that
 * ends there (-1 if none). Built once per model; lookups allocate nothing.
 */

export class PieceTrie {
	private keys: Int32Array;
	private vals: Int32Array;
	private mask: number;
	private shift: number;
	/** Children of the root, dense: the first byte is looked up at every position. */
	private readonly rootChild = new Int32Array(256).fill(-1);
	pieceAt: Int32Array;
	private nodes = 1;

	constructor(pieces: { bytes: Uint8Array; id: number }[]) {
		let total = 1;
		for (const p of pieces) total += p.bytes.length;
		let cap = 16;
		let bits = 4;
		while (cap < total * 2) {
			cap *= 2;
			bits++;
		}
		this.shift = 32 - bits;
		this.keys = new Int32Array(cap).fill(-1);
		this.vals = new Int32Array(cap);
		this.mask = cap - 1;
		this.pieceAt = new Int32Array(total).fill(-1);
		for (const p of pieces) {
			let node = 0;
			for (const b of p.bytes) {
				let next = this.child(node, b);
				if (next < 0) {
					next = this.nodes++;
					this.insert(node, b, next);
				}
				node = next;
			}
			// the first of two equal pieces wins, as in SentencePiece's map of pieces
			if (this.pieceAt[node] < 0) this.pieceAt[node] = p.id;
		}
		this.pieceAt = this.pieceAt.slice(0, this.nodes);
	}

	private insert(node: number, b: number, next: number): void {
		if (node === 0) {
			this.rootChild[b] = next;
			return;
		}
		const key = node * 256 + b;
		let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
		while (this.keys[i] !== -1) i = (i + 1) & this.mask;
		this.keys[i] = key;
		this.vals[i] = next;
	}

	/** The child of `node` by byte `b`, or -1. */
	child(node: number, b: number): number {
		if (node === 0) return this.rootChild[b];
		const key = node * 256 + b;
		const keys = this.keys;
		const mask = this.mask;
		let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
		for (;;) {
			const k = keys[i];
			if (k === key) return this.vals[i];
			if (k === -1) return -1;
			i = (i + 1) & mask;
		}
	}
}
