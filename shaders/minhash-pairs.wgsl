// Candidate-pair verification: how many signature positions two documents share.
// CPU twin: src/kernels/minhash.cpu.ts, arithmetic in src/kernels/minhash-cpu-core.ts
// (countEqualPairs). Contract: src/kernels/minhash.ts.
//
// counts[p] = #{k : sigs[i][k] == sigs[j][k] and sigs[i][k] != 0xFFFFFFFF} for (i, j) = pairs[p].
// The sentinel never counts, so a document with no shingles matches nothing.
// One invocation per pair; pairs are numbered across a 2-D grid of workgroups.

override WG: u32 = 64u;
override K: u32 = 128u;

struct Params {
  n_pairs: u32,
  grid_x: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> sigs: array<u32>;
@group(0) @binding(2) var<storage, read> pairs: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read_write> counts: array<u32>;

@compute @workgroup_size(WG)
fn count_equal(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let p = (wid.y * params.grid_x + wid.x) * WG + lid;
  if (p >= params.n_pairs) {
    return;
  }
  let pair = pairs[p];
  let a = pair.x * K;
  let b = pair.y * K;
  var c = 0u;
  for (var k = 0u; k < K; k++) {
    let v = sigs[a + k];
    c += select(0u, 1u, v == sigs[b + k] && v != 0xffffffffu);
  }
  counts[p] = c;
}
