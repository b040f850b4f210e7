// AssemblyScript source of the A^T B path of wasm's `BatchMatMul` (src/backend/kernels/
// wasm-batch-mat-mul.ts), compiled by `npm run build:wasm` into src/backend/kernels/
// mat-mul-ta-wasm.ts. Like row-stats.ts it runs on TF.js's wasm memory and has no data of its own.
//
// C [I, J] = A^T B for row-major A [R, I] and B [R, J]: the weight gradients of dense layers
// (h^T dY, R = tokens), where R is long and the result small. product.ts sums each 4 x 8 tile of
// C in eight registers over all R rows, reading B's column strip in order (it stays in cache for
// the next tile down): B comes from memory once. XNNPACK instead packs all
// of B (a copy of it) and streams the packed copy once per block of C's rows, several times the
// memory traffic when B is larger than the cache (a [1280, 10000] gradient: 51 MB).

import { product } from './product';

export function matMulTransposedA(a: usize, b: usize, c: usize, rows: i32, cI: i32, cJ: i32): void {
  // A^T's element (i, r) is A's (r, i): strides 1 between C's rows, I between the summed rows.
  product(c, cJ, 0, 0, a, 1, cI, b, cJ, cI, rows, cJ);
}

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
