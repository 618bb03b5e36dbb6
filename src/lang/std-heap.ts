/**
 * The binary-heap moves of C++'s std::push_heap, std::pop_heap and
 * std::sort_heap (as GNU libstdc++ implements them) over [score, label]
 * pairs, with fastText's comparison (a before b when a's score is greater):
 * the heap's front is the lowest score. fastText keeps its top k this way,
 * so labels with equal scores come out in the order fastText prints them.
 */
export type Scored = [score: number, label: number];

const before = (a: Scored, b: Scored) => a[0] > b[0];

function siftUp(h: Scored[], hole: number, top: number, value: Scored): void {
  let parent = (hole - 1) >> 1;
  while (hole > top && before(h[parent]!, value)) {
    h[hole] = h[parent]!;
    hole = parent;
    parent = (hole - 1) >> 1;
  }
  h[hole] = value;
}

function adjust(h: Scored[], hole: number, len: number, value: Scored): void {
  const top = hole;
  let child = hole;
  while (child < (len - 1) >> 1) {
    child = 2 * (child + 1);
    if (before(h[child]!, h[child - 1]!)) child--;
    h[hole] = h[child]!;
    hole = child;
  }
  if ((len & 1) === 0 && child === (len - 2) >> 1) {
    child = 2 * (child + 1);
    h[hole] = h[child - 1]!;
    hole = child - 1;
  }
  siftUp(h, hole, top, value);
}

/** std::push_heap after push_back. */
export function pushHeap(h: Scored[], item: Scored): void {
  h.push(item);
  siftUp(h, h.length - 1, 0, item);
}

/** std::pop_heap then pop_back: removes the front (lowest score). */
export function popHeap(h: Scored[]): void {
  const last = h.length - 1;
  if (last > 0) {
    const value = h[last]!;
    h[last] = h[0]!;
    adjust(h, 0, last, value);
  }
  h.pop();
}

/** std::sort_heap: best score first. */
export function sortHeap(h: Scored[]): void {
  for (let last = h.length - 1; last > 0; last--) {
    const value = h[last]!;
    h[last] = h[0]!;
    adjust(h, 0, last, value);
  }
}
