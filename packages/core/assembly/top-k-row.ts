// The k largest of one float32 row, shared by top-k.ts (wasm's `TopK`) and row-stats.ts (beam
// search's top-k with the log-sum-exp). Compiled into each module that imports it.
//
// The row's buffer holds the k largest so far, largest first, equal values by ascending index (as
// tf.topk); sixteen values at a time are compared with its smallest, and only the values above it
// are looked at one by one (rare once the buffer has filled with large values).

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

/** The k largest of the n values at `row` (k <= n) into values/indices [k], largest first. */
export function topKRow(row: usize, n: i32, k: i32, values: usize, indices: usize): void {
  for (let j = 0; j < k; j++) insert(values, indices, j, load<f32>(row + ((<usize>j) << 2)), j);
  let smallest = load<f32>(values + ((<usize>(k - 1)) << 2));
  let j = k;
  // Sixteen values a test while none beats the smallest kept (most groups once the buffer holds
  // large values). The compares are or-ed, not maxed first, so that a NaN in a group does not hide
  // a larger value beside it. (A NaN among the first k stays as the smallest kept, and then no
  // later value compares above it: rows holding NaN have no defined top k, as in the stock kernel.)
  for (; j + 16 <= n; j += 16) {
    const p = row + ((<usize>j) << 2);
    const s = f32x4.splat(smallest);
    const g0 = f32x4.gt(v128.load(p), s);
    const g1 = f32x4.gt(v128.load(p, 16), s);
    const g2 = f32x4.gt(v128.load(p, 32), s);
    const g3 = f32x4.gt(v128.load(p, 48), s);
    if (!v128.any_true(v128.or(v128.or(g0, g1), v128.or(g2, g3)))) continue;
    // The values above the smallest, in order: one bit each, lowest first.
    let above =
      i32x4.bitmask(g0) |
      (i32x4.bitmask(g1) << 4) |
      (i32x4.bitmask(g2) << 8) |
      (i32x4.bitmask(g3) << 12);
    while (above !== 0) {
      const q = ctz(above);
      above &= above - 1;
      const value = load<f32>(p + ((<usize>q) << 2));
      if (value > smallest) {
        insert(values, indices, k - 1, value, j + q);
        smallest = load<f32>(values + ((<usize>(k - 1)) << 2));
      }
    }
  }
  // The last n - j < 16 values one by one.
  for (; j < n; j++) {
    const value = load<f32>(row + ((<usize>j) << 2));
    if (value > smallest) {
      insert(values, indices, k - 1, value, j);
      smallest = load<f32>(values + ((<usize>(k - 1)) << 2));
    }
  }
}
