// AssemblyScript source of the float32 path of wasm's `TopK` (src/backend/kernels/wasm-top-k.ts),
// compiled by `npm run build:wasm` into src/backend/kernels/top-k-wasm.ts. Like row-stats.ts it
// runs on TF.js's wasm memory, on pointers the kernel passes, and has no data of its own.
//
// For each of `rows` rows of `n` float32 values at `x`: the `k` largest into values/indices
// [rows, k], largest first, equal values by ascending index (as tf.topk). The row's buffer holds
// the k largest so far in that order; four values at a time are compared with its smallest, and
// only a group with a larger one is looked at value by value (rare once the buffer has filled
// with large values).

function insert(values: usize, indices: usize, p: i32, v: f32, j: i32): void {
  // Move down every kept value smaller than v, then put v after those >= it.
  while (p > 0 && load<f32>(values + ((<usize>(p - 1)) << 2)) < v) {
    store<f32>(values + ((<usize>p) << 2), load<f32>(values + ((<usize>(p - 1)) << 2)));
    store<i32>(indices + ((<usize>p) << 2), load<i32>(indices + ((<usize>(p - 1)) << 2)));
    p--;
  }
  store<f32>(values + ((<usize>p) << 2), v);
  store<i32>(indices + ((<usize>p) << 2), j);
}

export function topK(
  x: usize,
  rows: i32,
  n: i32,
  k: i32,
  valuesOut: usize,
  indicesOut: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>n) << 2);
    const values = valuesOut + ((<usize>r * <usize>k) << 2);
    const indices = indicesOut + ((<usize>r * <usize>k) << 2);
    for (let j = 0; j < k; j++) insert(values, indices, j, load<f32>(row + ((<usize>j) << 2)), j);
    let smallest = load<f32>(values + ((<usize>(k - 1)) << 2));
    let j = k;
    for (; j + 4 <= n; j += 4) {
      const v = v128.load(row + ((<usize>j) << 2));
      if (v128.any_true(f32x4.gt(v, f32x4.splat(smallest)))) {
        for (let q = 0; q < 4; q++) {
          const value = load<f32>(row + ((<usize>(j + q)) << 2));
          if (value > smallest) {
            insert(values, indices, k - 1, value, j + q);
            smallest = load<f32>(values + ((<usize>(k - 1)) << 2));
          }
        }
      }
    }
    for (; j < n; j++) {
      const value = load<f32>(row + ((<usize>j) << 2));
      if (value > smallest) {
        insert(values, indices, k - 1, value, j);
        smallest = load<f32>(values + ((<usize>(k - 1)) << 2));
      }
    }
  }
}
