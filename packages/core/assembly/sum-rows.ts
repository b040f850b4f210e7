// AssemblyScript source of wasm's `Sum` over leading axes (src/backend/kernels/wasm-sum.ts),
// compiled by `npm run build:wasm` into src/backend/kernels/modules/sum-rows-bytes.ts. Like row-stats.ts
// it runs on TF.js's wasm memory and has no data of its own.

// c [J] = 1^T B = the sum of B's R rows, B [R, J] row-major: a bias gradient. B is read once, in
// order, and c (J floats) stays in cache.
export function sumRows(b: usize, c: usize, rows: i32, cJ: i32): void {
  const j4 = cJ & ~3;
  for (let j = 0; j < cJ; j++) store<f32>(c + ((<usize>j) << 2), 0);
  let pb = b;
  for (let r = 0; r < rows; r++) {
    let j = 0;
    for (; j < j4; j += 4) {
      const pc = c + ((<usize>j) << 2);
      v128.store(pc, f32x4.add(v128.load(pc), v128.load(pb + ((<usize>j) << 2))));
    }
    for (; j < cJ; j++) {
      const pc = c + ((<usize>j) << 2);
      store<f32>(pc, load<f32>(pc) + load<f32>(pb + ((<usize>j) << 2)));
    }
    pb += (<usize>cJ) << 2;
  }
}
