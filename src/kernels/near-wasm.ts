/**
 * The near engine's CPU hot loops in WebAssembly SIMD: shingle hashing (MurmurHash3_x86_32 over
 * byte ranges of the simplified text) and MinHash signing (four permutations per 128-bit vector).
 * They compute exactly what the JavaScript twin computes (src/kernels/minhash-cpu-core.ts signDocs,
 * itself a transliteration of shaders/minhash.wgsl; src/kernels/hash32.ts murmur3Bytes), with
 * the same u32 wrapping arithmetic: `i32x4.mul` is WGSL's `a * x` on four lanes, `i32x4.min_u`
 * its `min`. JavaScriptCore runs them about 4x faster than the scalar JavaScript (whose inner
 * loop is limited to one permutation of one hash at a time).
 *
 * Each user (a Shingler, a batch signer) has its own `NearWasm`, which owns a WebAssembly.Memory
 * laid out as
 *   [0, PERM_BYTES)           permutation constants, blocks of 4: a_k..a_k+3, b_k..b_k+3
 *   [DOC_OFF, +8)             offsets [0, n] of the one document signed by signShingles()
 *   [MINS, +4*K4)             that document's minima
 *   [DATA, ...)               either text scratch (UTF-8 bytes, unit starts, shingle hashes)
 *                             or a CSR batch (offsets, hashes, signature rows of K4 words)
 * where K4 = numPerm rounded up to a multiple of 4 (the extra lanes are computed and dropped).
 * Views handed out are valid until the next call on the same instance.
 *
 * When WebAssembly (with SIMD) is unavailable, nearWasm() returns null and callers use the
 * JavaScript twin; useWasmKernels(false) forces that on the calling thread (for tests).
 */
import { Code, I32, V128, wasmModule, type WasmFunction } from "./wasm-asm.ts";
import { MAX_NUM_PERM, PERM_MIX, permutationConstants, type MinHashParams } from "./minhash.ts";

const PERM_BYTES = MAX_NUM_PERM * 8;
const DOC_OFF = PERM_BYTES;
const MINS = DOC_OFF + 16;
const DATA = MINS + MAX_NUM_PERM * 4;
const PAGE = 65536;
/** Addresses are u32: the memory ends at 4 GiB minus a page of slack for reads past a region's end. */
const MAX_BYTES = 2 ** 32 - PAGE;

// ---- sign(hashes, offsets, nDocs, out, perm, k4): out row d = minima of doc d under perms 0..k4-1 ----
/**
 * Permutation blocks (of 4) taken per pass over a document's hashes: each hash is loaded once
 * per GROUP blocks, whose constants and minima stay in registers (3 vectors a block, with the
 * hash, a temporary and the mixing constant: 15 of x86-64's 16). Blocks left over (k4 / 4 not a
 * multiple of GROUP) go one at a time.
 */
const GROUP = 4;

function signFunction(): WasmFunction {
  const [H, OFF, N, OUT, PERM, K4] = [0, 1, 2, 3, 4, 5];
  const [D, P, PEND, PGEND, I, END, O] = [6, 7, 8, 9, 10, 11, 12];
  const [X, Y, MIX] = [13, 14, 15];
  const A = (g: number) => 16 + g;
  const B = (g: number) => 16 + GROUP + g;
  const M = (g: number) => 16 + 2 * GROUP + g;
  const c = new Code();
  // One pass over doc d's hashes for `blocks` blocks of permutations from P: stores their minima
  // at O and moves P and O past them.
  const pass = (blocks: number) => {
    for (let g = 0; g < blocks; g++) {
      c.get(P).v128_load(32 * g).set(A(g));
      c.get(P).v128_load(32 * g + 16).set(B(g));
      c.i32x4_const(0xffffffff).set(M(g));
    }
    // i = hashes + 4 * offsets[d]; end = hashes + 4 * offsets[d + 1]
    c.get(OFF).get(D).i32_const(2).i32_shl().i32_add().i32_load(0).i32_const(2).i32_shl().get(H).i32_add().set(I);
    c.get(OFF).get(D).i32_const(2).i32_shl().i32_add().i32_load(4).i32_const(2).i32_shl().get(H).i32_add().set(END);
    c.block().loop(); // per shingle hash x: y = a * x + b; m = min(m, (y ^ (y >> 16)) * PERM_MIX)
    {
      c.get(I).get(END).i32_ge_u().br_if(1);
      c.get(I).v128_load32_splat(0).set(X);
      for (let g = 0; g < blocks; g++) {
        c.get(M(g));
        c.get(A(g)).get(X).i32x4_mul().get(B(g)).i32x4_add().tee(Y);
        c.get(Y).i32_const(16).i32x4_shr_u().v128_xor().get(MIX).i32x4_mul();
        c.i32x4_min_u().set(M(g));
      }
      c.get(I).i32_const(4).i32_add().set(I);
      c.br(0);
    }
    c.end().end();
    for (let g = 0; g < blocks; g++) c.get(O).get(M(g)).v128_store(16 * g);
    c.get(O).i32_const(16 * blocks).i32_add().set(O);
    c.get(P).i32_const(32 * blocks).i32_add().set(P);
  };
  c.i32x4_const(PERM_MIX).set(MIX);
  // p_end = perm + k4 * 8; the grouped passes stop where fewer than GROUP blocks are left
  c.get(PERM).get(K4).i32_const(3).i32_shl().i32_add().set(PEND);
  c.get(PEND).get(K4).i32_const(2).i32_shr_u().i32_const(GROUP - 1).i32_and().i32_const(5).i32_shl().i32_sub().set(PGEND);
  c.i32_const(0).set(D).get(OUT).set(O);
  c.block().loop(); // per document
  {
    c.get(D).get(N).i32_ge_u().br_if(1);
    c.get(PERM).set(P);
    c.block().loop();
    {
      c.get(P).get(PGEND).i32_ge_u().br_if(1);
      pass(GROUP);
      c.br(0);
    }
    c.end().end();
    c.block().loop();
    {
      c.get(P).get(PEND).i32_ge_u().br_if(1);
      pass(1);
      c.br(0);
    }
    c.end().end();
    c.get(D).i32_const(1).i32_add().set(D);
    c.br(0);
  }
  c.end().end();
  return { name: "sign", params: [I32, I32, I32, I32, I32, I32], results: [], locals: [[7, I32], [3 + 3 * GROUP, V128]], code: c };
}

// ---- shingles(bytes, starts, nUnits, n, gap, out) -> count ----
// Shingle s covers bytes [starts[s], starts[min(s + n, nUnits)] - gap); its hash is
// MurmurHash3_x86_32 (seed 0) of those bytes, one unaligned 4-byte load per block. Reads up to
// 3 bytes past a shingle's end (masked off).
function shinglesFunction(): WasmFunction {
  const [BYTES, STARTS, NU, NN, GAP, OUT] = [0, 1, 2, 3, 4, 5];
  const [COUNT, S, I, BEND, LEN, H, LAST] = [6, 7, 8, 9, 10, 11, 12];
  const c = new Code();
  const mixK = () => c.i32_const(0xcc9e2d51).i32_mul().i32_const(15).i32_rotl().i32_const(0x1b873593).i32_mul();
  // count = nUnits >= n ? nUnits - n + 1 : 1
  c.get(NU).get(NN).i32_sub().i32_const(1).i32_add().i32_const(1).get(NU).get(NN).i32_ge_u().select().set(COUNT);
  c.i32_const(0).set(S);
  c.block().loop();
  {
    c.get(S).get(COUNT).i32_ge_u().br_if(1);
    // last = min(s + n, nUnits)
    c.get(S).get(NN).i32_add().tee(LAST).get(NU).get(LAST).get(NU).i32_lt_u().select().set(LAST);
    // i = bytes + starts[s]; len = starts[last] - gap - starts[s]; bend = i + (len & ~3)
    c.get(STARTS).get(S).i32_const(2).i32_shl().i32_add().i32_load(0).set(I);
    c.get(STARTS).get(LAST).i32_const(2).i32_shl().i32_add().i32_load(0).get(GAP).i32_sub().get(I).i32_sub().set(LEN);
    c.get(I).get(BYTES).i32_add().tee(I);
    c.get(LEN).i32_const(-4).i32_and().i32_add().set(BEND);
    c.i32_const(0).set(H);
    c.block().loop(); // 4-byte blocks
    {
      c.get(I).get(BEND).i32_ge_u().br_if(1);
      c.get(H).get(I).i32_load(0, 0);
      mixK();
      c.i32_xor().i32_const(13).i32_rotl().i32_const(5).i32_mul().i32_const(0xe6546b64).i32_add().set(H);
      c.get(I).i32_const(4).i32_add().set(I);
      c.br(0);
    }
    c.end().end();
    // tail: k = load(i) & ((1 << 8 * (len & 3)) - 1); a tail of 0 bytes gives k = 0, a no-op
    c.get(H).get(I).i32_load(0, 0);
    c.i32_const(1).get(LEN).i32_const(3).i32_and().i32_const(3).i32_shl().i32_shl().i32_const(1).i32_sub().i32_and();
    mixK();
    c.i32_xor().get(LEN).i32_xor().set(H);
    // fmix32
    c.get(H).get(H).i32_const(16).i32_shr_u().i32_xor().i32_const(0x85ebca6b).i32_mul().set(H);
    c.get(H).get(H).i32_const(13).i32_shr_u().i32_xor().i32_const(0xc2b2ae35).i32_mul().set(H);
    c.get(OUT).get(S).i32_const(2).i32_shl().i32_add();
    c.get(H).get(H).i32_const(16).i32_shr_u().i32_xor().i32_store(0);
    c.get(S).i32_const(1).i32_add().set(S);
    c.br(0);
  }
  c.end().end();
  c.get(COUNT);
  return { name: "shingles", params: [I32, I32, I32, I32, I32, I32], results: [I32], locals: [[7, I32]], code: c };
}

let compiled: WebAssembly.Module | null | undefined;
let enabled = true;

/** Turns the WebAssembly kernels off (or back on) for this thread: callers then use the JavaScript twin. */
export function useWasmKernels(on: boolean): void {
  enabled = on;
}

/** Whether this thread may use the WebAssembly kernels (see useWasmKernels). */
export function wasmKernelsOn(): boolean {
  return enabled;
}

function module(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = wasmModule([signFunction(), shinglesFunction()]);
      compiled = typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** A new instance with its own memory, or null when WebAssembly SIMD is unavailable or turned off. */
export function nearWasm(): NearWasm | null {
  if (!enabled) return null;
  const m = module();
  if (m === null) return null;
  try {
    return new NearWasm(m);
  } catch {
    return null; // no memory for another instance: the JavaScript twin computes the same
  }
}

interface Exports {
  sign(h: number, off: number, n: number, out: number, perm: number, k4: number): void;
  shingles(bytes: number, starts: number, nUnits: number, n: number, gap: number, out: number): number;
}

export class NearWasm {
  private readonly memory = new WebAssembly.Memory({ initial: Math.ceil((DATA + PAGE) / PAGE) });
  private readonly fn: Exports;
  private buffer: ArrayBuffer | null = null;
  private u8 = new Uint8Array(0);
  private u32 = new Uint32Array(0);
  private i32 = new Int32Array(0);
  private permKey = "";
  private k4 = 0;
  // text scratch: byte offsets of the regions and their capacities
  private textCap = -1;
  private unitCap = -1;
  private startsAt = 0;
  private hashesAt = 0;

  constructor(mod: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(mod, { env: { memory: this.memory } });
    this.fn = inst.exports as unknown as Exports;
  }

  private views(): void {
    if (this.buffer === this.memory.buffer) return;
    this.buffer = this.memory.buffer as ArrayBuffer;
    this.u8 = new Uint8Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > MAX_BYTES) throw new RangeError(`near kernels: ${bytes} bytes exceed WebAssembly's 4 GiB memory`);
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.views();
  }

  // ---------------- shingle hashing ----------------

  /**
   * Scratch for one document's simplified text: `bytes` holds at least `maxBytes` bytes (plus
   * slack for the hash's tail reads), `starts` at least `maxUnits + 1` words. Views are valid
   * until the next call on this instance.
   */
  textScratch(maxBytes: number, maxUnits: number): { bytes: Uint8Array; starts: Uint32Array } {
    if (maxBytes > this.textCap || maxUnits > this.unitCap) {
      // Throws a RangeError (and changes nothing) when the memory cannot grow that far.
      const textCap = Math.max(maxBytes, Math.ceil(this.textCap * 1.25), 1 << 16);
      const unitCap = Math.max(maxUnits, Math.ceil(this.unitCap * 1.25), 1 << 14);
      const startsAt = DATA + align(textCap + 8);
      const hashesAt = startsAt + 4 * (unitCap + 1);
      this.reserve(hashesAt + 4 * (unitCap + 1));
      [this.textCap, this.unitCap, this.startsAt, this.hashesAt] = [textCap, unitCap, startsAt, hashesAt];
    }
    this.views();
    return {
      bytes: this.u8.subarray(DATA, DATA + this.textCap),
      starts: this.u32.subarray(this.startsAt >>> 2, (this.startsAt >>> 2) + this.unitCap + 1),
    };
  }

  /** Hashes the shingles of the text in textScratch(); returns their count (see ./near-wasm.ts header). */
  hashShingles(nUnits: number, n: number, gap: number): number {
    return this.fn.shingles(DATA, this.startsAt, nUnits, n, gap, this.hashesAt);
  }

  /** The hashes written by hashShingles() (a view). */
  shingleHashes(count: number): Uint32Array {
    this.views();
    return this.u32.subarray(this.hashesAt >>> 2, (this.hashesAt >>> 2) + count);
  }

  // ---------------- MinHash signing ----------------

  private usePerm(params: MinHashParams): void {
    const key = `${params.seed}/${params.numPerm}`;
    if (key === this.permKey) return;
    const K = params.numPerm;
    const k4 = (K + 3) & ~3;
    const pc = permutationConstants(params.seed, K);
    this.views();
    const u32 = this.u32;
    for (let k = 0; k < k4; k++) {
      const at = (k >>> 2) * 8 + (k & 3);
      u32[at] = k < K ? pc[2 * k] : 1;
      u32[at + 4] = k < K ? pc[2 * k + 1] : 0;
    }
    this.permKey = key;
    this.k4 = k4;
  }

  /**
   * The minima of the `count` hashes left by hashShingles() under the K permutations, as int32
   * bit patterns (a view of K words, valid until the next call). count = 0 gives the sentinel.
   */
  signShingles(count: number, params: MinHashParams): Int32Array {
    this.usePerm(params);
    this.views();
    this.u32[DOC_OFF >>> 2] = 0;
    this.u32[(DOC_OFF >>> 2) + 1] = count;
    this.fn.sign(this.hashesAt, DOC_OFF, 1, MINS, 0, this.k4);
    this.views();
    return this.i32.subarray(MINS >>> 2, (MINS >>> 2) + params.numPerm);
  }

  /**
   * Signs docs [0, nDocs) of a CSR batch: writes row d of `sigs` (K words each). Band keys are
   * the caller's (they are cheap). Uses the DATA region, so it clobbers textScratch().
   */
  signBatch(hashes: Uint32Array, offsets: Uint32Array, params: MinHashParams, sigs: Uint32Array): void {
    this.usePerm(params);
    const K = params.numPerm;
    const k4 = this.k4;
    const nDocs = offsets.length - 1;
    // A batch of many docs is signed in runs whose rows fit a bounded output region.
    const runDocs = Math.max(1, Math.min(nDocs, 4096));
    const offAt = DATA;
    const hashAt = align(offAt + 4 * (runDocs + 1));
    for (let d0 = 0; d0 < nDocs; d0 += runDocs) {
      const d1 = Math.min(nDocs, d0 + runDocs);
      const h0 = offsets[d0];
      const h1 = offsets[d1];
      const outAt = align(hashAt + 4 * (h1 - h0));
      this.reserve(outAt + 4 * k4 * (d1 - d0));
      const u32 = this.u32;
      for (let d = d0; d <= d1; d++) u32[(offAt >>> 2) + d - d0] = offsets[d] - h0;
      u32.set(hashes.subarray(h0, h1), hashAt >>> 2);
      this.fn.sign(hashAt, offAt, d1 - d0, outAt, 0, k4);
      this.views();
      const out = this.u32;
      if (k4 === K) {
        sigs.set(out.subarray(outAt >>> 2, (outAt >>> 2) + K * (d1 - d0)), d0 * K);
      } else {
        for (let d = d0; d < d1; d++) {
          const row = (outAt >>> 2) + (d - d0) * k4;
          sigs.set(out.subarray(row, row + K), d * K);
        }
      }
    }
  }
}

/** n rounded up to a multiple of 16 (addresses reach 4 GiB, past int32 bit operations). */
function align(n: number): number {
  return Math.ceil(n / 16) * 16;
}
