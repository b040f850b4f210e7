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

// Rows summed per pass: every tile of C sums one chunk of the rows, then the next chunk adds to
// C. A chunk's column strip of B (256 x 8 floats, 16 KB) stays in L1 while the tiles down C use
// it, and its A (256 x I) in L2 for the next strip; without chunks a strip of 32,000 rows left
// the cache before the next tile read it again ([32000, 32]^T [32000, 128]: memory-bound).
const CHUNK = 256;

export function matMulTransposedA(a: usize, b: usize, c: usize, rows: i32, cI: i32, cJ: i32): void {
  // A^T's element (i, r) is A's (r, i): strides 1 between C's rows, I between the summed rows.
  for (let r = 0; r < rows || r === 0; r += CHUNK) {
    const n = min(CHUNK, rows - r);
    const ar = a + ((<usize>r * <usize>cI) << 2);
    const br = b + ((<usize>r * <usize>cJ) << 2);
    product(c, cJ, r === 0 ? 0 : c, cJ, ar, 1, cI, br, cJ, cI, n, cJ);
  }
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
