// MinHash signatures and LSH band keys, one workgroup per document.
// CPU twin: src/kernels/minhash.cpu.ts, arithmetic in src/kernels/minhash-cpu-core.ts (signDocs).
// Contract: src/kernels/minhash.ts.
//
// pi_k(x) = perm_mix(a_k * x + b_k) (u32, wrapping); sig[d][k] = min over the doc's shingle hashes;
// a doc with no hashes keeps the sentinel 0xFFFFFFFF in every slot.
// band key b = MurmurHash3_x86_32(seed b) over the R words sig[d][b*R .. b*R+R-1].
//
// The doc's hashes are staged through workgroup memory TILE at a time (one coalesced load shared
// by every permutation); thread t owns permutations t, t+WG, t+2*WG, ... for the whole doc.
// Docs are numbered across a 2-D grid so one dispatch can exceed maxComputeWorkgroupsPerDimension.

override WG: u32 = 64u;
override TILE: u32 = 512u;
override K: u32 = 128u;
override B: u32 = 9u;
override R: u32 = 14u;

struct Params {
  n_docs: u32,
  // 1: start from the signature rows already in `sigs` (a document split across dispatches).
  accumulate: u32,
  grid_x: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> hashes: array<u32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read> perm: array<u32>;
@group(0) @binding(4) var<storage, read_write> sigs: array<u32>;
@group(0) @binding(5) var<storage, read_write> band_keys: array<u32>;

var<workgroup> tile: array<u32, TILE>;
var<workgroup> mins: array<u32, K>;

// One xor-shift-multiply round (the first of MurmurHash3's fmix32); see the contract.
fn perm_mix(y: u32) -> u32 {
  return (y ^ (y >> 16u)) * 0x85ebca6bu;
}

fn fmix32(x: u32) -> u32 {
  var h = x;
  h ^= h >> 16u;
  h *= 0x85ebca6bu;
  h ^= h >> 13u;
  h *= 0xc2b2ae35u;
  h ^= h >> 16u;
  return h;
}

fn murmur_step(h0: u32, k0: u32) -> u32 {
  var k = k0 * 0xcc9e2d51u;
  k = (k << 15u) | (k >> 17u);
  k *= 0x1b873593u;
  var h = h0 ^ k;
  h = (h << 13u) | (h >> 19u);
  return h * 5u + 0xe6546b64u;
}

@compute @workgroup_size(WG)
fn sign(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let doc = wid.y * params.grid_x + wid.x;
  if (doc >= params.n_docs) {
    return;
  }
  let start = offsets[doc];
  let end = offsets[doc + 1u];
  let row = doc * K;

  for (var k = lid; k < K; k += WG) {
    if (params.accumulate != 0u) {
      mins[k] = sigs[row + k];
    } else {
      mins[k] = 0xffffffffu;
    }
  }

  for (var t0 = start; t0 < end; t0 += TILE) {
    let n = min(TILE, end - t0);
    workgroupBarrier();
    for (var i = lid; i < n; i += WG) {
      tile[i] = hashes[t0 + i];
    }
    workgroupBarrier();
    for (var k = lid; k < K; k += WG) {
      let a = perm[2u * k];
      let b = perm[2u * k + 1u];
      var m = mins[k];
      for (var i = 0u; i < n; i++) {
        m = min(m, perm_mix(a * tile[i] + b));
      }
      mins[k] = m;
    }
  }

  workgroupBarrier();
  for (var k = lid; k < K; k += WG) {
    sigs[row + k] = mins[k];
  }
  for (var band = lid; band < B; band += WG) {
    var h = band;
    let base = band * R;
    for (var r = 0u; r < R; r++) {
      h = murmur_step(h, mins[base + r]);
    }
    band_keys[doc * B + band] = fmix32(h ^ (R * 4u));
  }
}
