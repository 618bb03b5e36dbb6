/**
 * fastText's output layer for prediction, from the hidden vector to the top
 * k labels in float32 as fastText computes them: hierarchical softmax walks
 * the Huffman tree fastText builds from the label counts, depth first,
 * pruning as it does; softmax and one-vs-all (its table sigmoid) score every
 * label. The top k are kept in a heap moved as C++'s std heap functions move
 * it, so tied scores come out in fastText's order.
 */
import { LOSS, centroidAt, type FastTextModel } from "./fasttext-model.ts";
import { popHeap, pushHeap, sortHeap, type Scored } from "./std-heap.ts";

const f32 = Math.fround;
/** fastText's std_log: log(x + 1e-5) of a float, in double, stored as float. */
const stdLog = (x: number) => f32(Math.log(f32(x) + 1e-5));

export class FastTextOutput {
  private readonly dim: number;
  private readonly nwords: number;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly sigmoidTable: Float32Array;
  private hidden: Float32Array = new Float32Array(0);

  constructor(private readonly m: FastTextModel) {
    this.dim = m.args.dim;
    this.nwords = m.nwords;
    const osz = m.nlabels;
    this.left = new Int32Array(Math.max(0, 2 * osz - 1)).fill(-1);
    this.right = new Int32Array(Math.max(0, 2 * osz - 1)).fill(-1);
    if (m.args.loss === LOSS.hs) this.buildTree(osz);
    this.sigmoidTable = new Float32Array(513);
    for (let i = 0; i <= 512; i++) {
      const x = f32(f32(f32(i * 16) / 512) - 8);
      this.sigmoidTable[i] = f32(1 / (1 + f32(Math.exp(-x))));
    }
  }

  /** The k best [log-probability, label index] for a hidden vector, best first. */
  topK(hidden: Float32Array, k: number, threshold: number): Scored[] {
    this.hidden = hidden;
    const heap: Scored[] = [];
    if (this.m.args.loss === LOSS.hs) {
      if (this.m.nlabels > 0) this.dfs(k, stdLog(threshold), 2 * this.m.nlabels - 2, 0, heap);
    } else {
      this.scoreAll(k, f32(threshold), heap);
    }
    sortHeap(heap);
    return heap;
  }

  private dot(row: number): number {
    const out = this.m.output;
    const x = this.hidden;
    let d = 0;
    if (out.dense !== null) {
      const W = out.dense;
      const o = row * this.dim;
      for (let j = 0; j < this.dim; j++) d = f32(d + f32(W[o + j]! * x[j]!));
      return d;
    }
    const q = out.quant!;
    for (let m = 0; m < q.nsubq; m++) {
      const c = centroidAt(q, m, q.codes[row * q.nsubq + m]!);
      const width = m === q.nsubq - 1 ? q.lastdsub : q.dsub;
      for (let n = 0; n < width; n++) d = f32(d + f32(x[m * q.dsub + n]! * q.centroids[c + n]!));
    }
    return f32(d * (q.norms === null ? 1 : q.norms[row]!));
  }

  /** fastText's Huffman tree over the label counts (sorted most frequent first). */
  private buildTree(osz: number): void {
    const count = new Float64Array(2 * osz - 1).fill(1e15);
    for (let i = 0; i < osz; i++) count[i] = this.m.counts[this.nwords + i]!;
    let leaf = osz - 1;
    let node = osz;
    for (let i = osz; i < 2 * osz - 1; i++) {
      const mini = [0, 0];
      for (let j = 0; j < 2; j++) {
        if (leaf >= 0 && count[leaf]! < count[node]!) mini[j] = leaf--;
        else mini[j] = node++;
      }
      this.left[i] = mini[0]!;
      this.right[i] = mini[1]!;
      count[i] = count[mini[0]!]! + count[mini[1]!]!;
    }
  }

  private dfs(k: number, logThreshold: number, node: number, score: number, heap: Scored[]): void {
    if (score < logThreshold) return;
    if (heap.length === k && score < heap[0]![0]) return;
    if (this.left[node] === -1 && this.right[node] === -1) {
      push(heap, k, score, node);
      return;
    }
    let f = this.dot(node - this.m.nlabels);
    f = f32(1 / f32(1 + f32(Math.exp(-f))));
    this.dfs(k, logThreshold, this.left[node]!, f32(score + stdLog(1 - f)), heap);
    this.dfs(k, logThreshold, this.right[node]!, f32(score + stdLog(f)), heap);
  }

  /** Softmax or one-vs-all: every label's probability, then the k best. */
  private scoreAll(k: number, threshold: number, heap: Scored[]): void {
    const osz = this.m.nlabels;
    const out = new Float32Array(osz);
    for (let i = 0; i < osz; i++) out[i] = this.dot(i);
    if (this.m.args.loss === LOSS.softmax) {
      let max = out[0]!;
      for (let i = 0; i < osz; i++) max = Math.max(out[i]!, max);
      let z = 0;
      for (let i = 0; i < osz; i++) {
        out[i] = f32(Math.exp(f32(out[i]! - max)));
        z = f32(z + out[i]!);
      }
      for (let i = 0; i < osz; i++) out[i] = out[i]! / z;
    } else {
      for (let i = 0; i < osz; i++) out[i] = this.sigmoid(out[i]!);
    }
    for (let i = 0; i < osz; i++) {
      if (out[i]! < threshold) continue;
      const s = stdLog(out[i]!);
      if (heap.length === k && s < heap[0]![0]) continue;
      push(heap, k, s, i);
    }
  }

  private sigmoid(x: number): number {
    if (x < -8) return 0;
    if (x > 8) return 1;
    return this.sigmoidTable[Math.trunc(f32(f32(f32(f32(x + 8) * 512) / 8) / 2))]!;
  }
}

/** Adds a candidate and, past k, drops the lowest score, as fastText does. */
function push(heap: Scored[], k: number, score: number, label: number): void {
  pushHeap(heap, [score, label]);
  if (heap.length > k) popHeap(heap);
}
