// AssemblyScript (compiled to WebAssembly by scripts/build-kernels.ts): fastText's hidden vector for
// one line of UTF-8 text, the sum of its input rows, as src/lang/fasttext-predict.ts computes it in
// JavaScript (the reference; src/lang/fasttext-wasm.ts holds the memory layout and drives it).
//
// init(...) takes the addresses of the model's tables; hidden(text, n) splits text[0, n) at fastText's
// separators, adds each token's rows (a dictionary word's listed rows, or an unknown word's character
// n-grams, hashed with FNV-1a over sign-extended bytes, through the pruned index), closes the line with
// </s>, and returns how many rows it added; the float32 sum is at H. Rows are added in fastText's
// order, one float32 addition per lane, so the sum is fastText's bit for bit.

let TABLE: usize = 0;
let MASK: u32 = 0;
let OFFS: usize = 0;
let BYTES: usize = 0;
let TYPES: usize = 0;
let SUBSTART: usize = 0;
let SUBROWS: usize = 0;
let KEPT: usize = 0;
let PRUNED: usize = 0;
let BUCKET: u32 = 0;
let NWORDS: i32 = 0;
// 0: no n-gram has a row; 1: bucket h is row NWORDS + h; 2: through the pruned index
let NGRAMS: i32 = 0;
let MINN: i32 = 0;
let MAXN: i32 = 0;
let W: usize = 0;
let DIM: i32 = 0;
let H: usize = 0;
let WORD: usize = 0;
let EOS_ROW: i32 = -1;
// A quantized model's rows are made from their codes as they are added (codes and centroids stay in
// cache where expanded rows would not): row r adds norm(r) * centroid, rounded to float32, lane by lane.
let QUANT: bool = false;
let CODES: usize = 0;
let NSUBQ: i32 = 0;
let DSUB: i32 = 0;
let LASTDSUB: i32 = 0;
let CENTROIDS: usize = 0;
let NORMS: usize = 0; // float32 per row; 0: no norms (1)

export function initQuant(codes: usize, nsubq: i32, dsub: i32, lastdsub: i32, centroids: usize, norms: usize): void {
  QUANT = true; CODES = codes; NSUBQ = nsubq; DSUB = dsub; LASTDSUB = lastdsub; CENTROIDS = centroids; NORMS = norms;
}

export function init(
  table: usize, mask: u32, offs: usize, bytes: usize, types: usize, subStart: usize, subRows: usize,
  kept: usize, pruned: usize, bucket: u32, nwords: i32, ngrams: i32, minn: i32, maxn: i32,
  w: usize, dim: i32, h: usize, word: usize, eosRow: i32,
): void {
  TABLE = table; MASK = mask; OFFS = offs; BYTES = bytes; TYPES = types; SUBSTART = subStart; SUBROWS = subRows;
  KEPT = kept; PRUNED = pruned; BUCKET = bucket; NWORDS = nwords; NGRAMS = ngrams; MINN = minn; MAXN = maxn;
  W = w; DIM = dim; H = h; WORD = word; EOS_ROW = eosRow;
}

// @ts-ignore: decorator
@inline
function isSpace(b: u32): bool {
  return b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09 || b == 0x0b || b == 0x0c || b == 0;
}

// @ts-ignore: decorator
@inline
function fnv(h: u32, b: u32): u32 {
  return (h ^ <u32>(<i32>(<i8>b))) * 16777619;
}

function addQuantRow(r: i32): void {
  const norm: f32 = NORMS == 0 ? 1 : load<f32>(NORMS + <usize>r * 4);
  const code = CODES + <usize>r * <usize>NSUBQ;
  if (DSUB == 2 && LASTDSUB == 2 && (NSUBQ & 1) == 0) {
    // Two sub-quantizers of two lanes each per step: four float32 products and sums at once.
    const scale = f32x4.splat(norm);
    for (let m: i32 = 0; m < NSUBQ; m += 2) {
      const a = CENTROIDS + ((<usize>m * 256 + <usize>load<u8>(code + m)) * 2) * 4;
      const b = CENTROIDS + ((<usize>(m + 1) * 256 + <usize>load<u8>(code + m + 1)) * 2) * 4;
      const c = v128.load64_lane(b, v128.load64_zero(a), 1);
      const at = H + <usize>m * 8;
      v128.store(at, f32x4.add(v128.load(at), f32x4.mul(scale, c)));
    }
    return;
  }
  for (let m: i32 = 0; m < NSUBQ; m++) {
    const last = m == NSUBQ - 1;
    const d = last ? LASTDSUB : DSUB;
    const k = <usize>load<u8>(code + m);
    const c = CENTROIDS + (last ? <usize>m * 256 * <usize>DSUB + k * <usize>LASTDSUB : (<usize>m * 256 + k) * <usize>DSUB) * 4;
    for (let n: i32 = 0; n < d; n++) {
      const at = H + (<usize>m * <usize>DSUB + <usize>n) * 4;
      store<f32>(at, load<f32>(at) + norm * load<f32>(c + <usize>n * 4));
    }
  }
}

function addRow(r: i32): void {
  if (QUANT) return addQuantRow(r);
  const row = W + <usize>r * <usize>DIM * 4;
  if ((DIM & 3) == 0) {
    for (let d: i32 = 0; d < DIM; d += 4) {
      const at = <usize>d * 4;
      v128.store(H + at, f32x4.add(v128.load(H + at), v128.load(row + at)));
    }
  } else {
    for (let d: i32 = 0; d < DIM; d++) {
      const at = <usize>d * 4;
      store<f32>(H + at, load<f32>(H + at) + load<f32>(row + at));
    }
  }
}

function find(p: usize, len: i32, h: u32): i32 {
  let slot = h & MASK;
  while (true) {
    const v = load<i32>(TABLE + <usize>slot * 4);
    if (v == 0) return -1;
    const o = load<u32>(OFFS + <usize>(v - 1) * 4);
    if (<i32>(load<u32>(OFFS + <usize>v * 4) - o) == len && memory.compare(BYTES + o, p, len) == 0) return v - 1;
    slot = (slot + 1) & MASK;
  }
}

// The n-gram rows of the word at WORD[0, len) ('<' word '>'), added in fastText's order.
function subwords(len: i32): i32 {
  if (NGRAMS == 0) return 0;
  let added = 0;
  for (let i: i32 = 0; i < len; i++) {
    if ((load<u8>(WORD + i) & 0xc0) == 0x80) continue;
    let h: u32 = 2166136261;
    let j = i;
    for (let n: i32 = 1; j < len && n <= MAXN; n++) {
      h = fnv(h, load<u8>(WORD + j++));
      while (j < len && (load<u8>(WORD + j) & 0xc0) == 0x80) h = fnv(h, load<u8>(WORD + j++));
      if (n >= MINN && !(n == 1 && (i == 0 || j == len))) {
        let id = h % BUCKET;
        if (NGRAMS == 2) {
          if (((load<u32>(KEPT + <usize>(id >> 5) * 4) >> (id & 31)) & 1) == 0) continue;
          id = load<u32>(PRUNED + <usize>id * 4);
        }
        addRow(NWORDS + <i32>id);
        added++;
      }
    }
  }
  return added;
}

// @ts-ignore: decorator
@inline
function isEos(p: usize, len: i32): bool {
  return len == 4 && load<u32>(p) == 0x3e732f3c; // "</s>"
}

function startsWithLabel(p: usize, len: i32): bool {
  if (len < 9) return false;
  // "__label__"
  return load<u8>(p) == 0x5f && load<u8>(p, 1) == 0x5f && load<u8>(p, 2) == 0x6c && load<u8>(p, 3) == 0x61 && load<u8>(p, 4) == 0x62 &&
    load<u8>(p, 5) == 0x65 && load<u8>(p, 6) == 0x6c && load<u8>(p, 7) == 0x5f && load<u8>(p, 8) == 0x5f;
}

function token(p: usize, len: i32): i32 {
  let h: u32 = 2166136261;
  for (let j: i32 = 0; j < len; j++) h = fnv(h, load<u8>(p + j));
  const id = find(p, len, h);
  if (id >= 0 ? load<u8>(TYPES + id) != 0 : startsWithLabel(p, len)) return 0;
  if (id >= 0) {
    const end = load<i32>(SUBSTART + <usize>(id + 1) * 4);
    let added = 0;
    for (let r = load<i32>(SUBSTART + <usize>id * 4); r < end; r++) {
      addRow(load<i32>(SUBROWS + <usize>r * 4));
      added++;
    }
    return added;
  }
  if (isEos(p, len)) return 0;
  store<u8>(WORD, 0x3c);
  memory.copy(WORD + 1, p, len);
  store<u8>(WORD + 1 + len, 0x3e);
  return subwords(len + 2);
}

export function hidden(text: usize, n: i32): i32 {
  memory.fill(H, 0, <usize>DIM * 4);
  let added = 0;
  let i: i32 = 0;
  while (i < n) {
    while (i < n && isSpace(load<u8>(text + i))) i++;
    if (i >= n) break;
    const s = i;
    while (i < n && !isSpace(load<u8>(text + i))) i++;
    added += token(text + s, i - s);
    if (isEos(text + s, i - s)) return added;
  }
  if (EOS_ROW >= 0) {
    addRow(EOS_ROW);
    added++;
  }
  return added;
}
