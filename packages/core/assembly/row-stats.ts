// AssemblyScript source of the wasm kernels in src/backend/kernels/wasm-row-stats.ts,
// compiled by `npm run build:wasm` into src/backend/kernels/modules/row-stats-bytes.ts. It runs on the
// memory of TF.js's wasm backend (imported, never grown here, no data of its own), on pointers the
// kernel passes, with 128-bit SIMD.
//
// rowStats, for each of `rows` rows of `n` float32 logits at `x`:
//   max[r]  = the row's largest logit m                       (pass 1, four running maxima)
//   best[r] = the first index holding m, as tf.argMax          (a scan that stops there)
//   sum[r]  = sum_j exp(x_j - m), so that lse = m + log(sum)   (pass 2)
// rowTopK, the same sum after the row's k largest (top-k-row.ts), whose first is m: beam search's
// two passes over a step's logits in one kernel, the second while the row is still in the cache.
//
// exp4 (exp.ts) is exp(d) for d <= 0. Sums run in float32 over blocks of 512 values, the blocks
// in float64. `pmax` (one maxps) where NaN order does not matter.

import { exp4 } from './exp';
import { topKRow } from './top-k-row';

const BLOCK = 512;

function at(row: usize, j: i32): usize {
  return row + ((<usize>j) << 2);
}

export function rowStats(
  x: usize,
  rows: i32,
  n: i32,
  bestOut: usize,
  maxOut: usize,
  sumOut: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>n) << 2);
    // 1. The maximum, four independent running maxima of four lanes.
    let m0 = f32x4.splat(-Infinity);
    let m1 = m0;
    let m2 = m0;
    let m3 = m0;
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      m0 = f32x4.pmax(m0, v128.load(at(row, j)));
      m1 = f32x4.pmax(m1, v128.load(at(row, j + 4)));
      m2 = f32x4.pmax(m2, v128.load(at(row, j + 8)));
      m3 = f32x4.pmax(m3, v128.load(at(row, j + 12)));
    }
    const v = f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3));
    let m = max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1));
    m = max(m, max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
    for (; j < n; j++) m = max(m, load<f32>(at(row, j)));
    // 2. Its first index: four at a time up to the first block that holds it.
    const vm = f32x4.splat(m);
    j = 0;
    while (j + 4 <= n && !v128.any_true(f32x4.eq(v128.load(at(row, j)), vm))) j += 4;
    while (j < n && load<f32>(at(row, j)) !== m) j++;
    if (j === n) j = 0; // a row of NaN has no maximum
    store<i32>(bestOut + ((<usize>r) << 2), j);
    // 3. sum_j exp(x_j - m).
    store<f32>(maxOut + ((<usize>r) << 2), m);
    store<f32>(sumOut + ((<usize>r) << 2), <f32>expSum(row, n, m));
  }
}

export function rowTopK(
  x: usize,
  rows: i32,
  n: i32,
  k: i32,
  valuesOut: usize,
  indicesOut: usize,
  sumOut: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>n) << 2);
    const values = valuesOut + ((<usize>r * <usize>k) << 2);
    topKRow(row, n, k, values, indicesOut + ((<usize>r * <usize>k) << 2));
    store<f32>(sumOut + ((<usize>r) << 2), <f32>expSum(row, n, load<f32>(values)));
  }
}

// sum_j exp(x_j - m) over the n logits at `row`: two float32 accumulators of four lanes per block,
// the blocks summed in float64.
function expSum(row: usize, n: i32, m: f32): f64 {
  const vm = f32x4.splat(m);
  let s: f64 = 0;
  let j = 0;
  while (j + 8 <= n) {
    const end = min(j + BLOCK, n - 7);
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    for (; j < end; j += 8) {
      a0 = f32x4.add(a0, exp4(f32x4.sub(v128.load(at(row, j)), vm)));
      a1 = f32x4.add(a1, exp4(f32x4.sub(v128.load(at(row, j + 4)), vm)));
    }
    const a = f32x4.add(a0, a1);
    s += <f64>(f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1));
    s += <f64>(f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
  }
  for (; j < n; j++) {
    s += <f64>f32x4.extract_lane(exp4(f32x4.splat(load<f32>(at(row, j)) - m)), 0);
  }
  return s;
}

// The gradient of the masked cross-entropy sum with respect to logits x [rows, n] (train/loss.ts):
// out[r, j] = (exp(x[r, j] - lse[r]) - [j == target[r]]) * scale[r], one pass writing each row.
export function crossEntropyGrad(
  x: usize,
  rows: i32,
  n: i32,
  lse: usize,
  scale: usize,
  target: usize,
  out: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = (<usize>r * <usize>n) << 2;
    const s = load<f32>(scale + ((<usize>r) << 2));
    const l = load<f32>(lse + ((<usize>r) << 2));
    const vl = f32x4.splat(l);
    const vs = f32x4.splat(s);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p = exp4(f32x4.sub(v128.load(at(x + offset, j)), vl));
      v128.store(at(out + offset, j), f32x4.mul(p, vs));
    }
    for (; j < n; j++) {
      const p = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(at(x + offset, j)) - l)), 0);
      store<f32>(at(out + offset, j), p * s);
    }
    const t = load<i32>(target + ((<usize>r) << 2));
    if (t >= 0 && t < n) store<f32>(at(out + offset, t), load<f32>(at(out + offset, t)) - s);
  }
}
