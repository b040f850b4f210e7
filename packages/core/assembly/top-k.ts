// AssemblyScript source of the float32 path of wasm's `TopK` (src/backend/kernels/wasm-top-k.ts),
// compiled by `npm run build:wasm` into src/backend/kernels/modules/top-k-bytes.ts. Like row-stats.ts it
// runs on TF.js's wasm memory, on pointers the kernel passes, and has no data of its own.
//
// For each of `rows` rows of `n` float32 values at `x`: the `k` largest into values/indices
// [rows, k], largest first, equal values by ascending index (as tf.topk): top-k-row.ts.

import { topKRow } from './top-k-row';

export function topK(
  x: usize,
  rows: i32,
  n: i32,
  k: i32,
  valuesOut: usize,
  indicesOut: usize,
): void {
  for (let r = 0; r < rows; r++) {
    topKRow(
      x + ((<usize>r * <usize>n) << 2),
      n,
      k,
      valuesOut + ((<usize>r * <usize>k) << 2),
      indicesOut + ((<usize>r * <usize>k) << 2),
    );
  }
}
