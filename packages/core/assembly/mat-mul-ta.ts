// AssemblyScript source of the A^T B path of wasm's `BatchMatMul` (src/backend/kernels/
// wasm-batch-mat-mul.ts), compiled by `npm run build:wasm` into src/backend/kernels/
// mat-mul-ta-wasm.ts. Like row-stats.ts it runs on TF.js's wasm memory and has no data of its own.
//
// C [I, J] = A^T B for row-major A [R, I] and B [R, J], I a multiple of 4 and J of 8: the weight
// gradients of dense layers (h^T dY, R = tokens), where R is long and the result small. Each
// 4 x 8 tile of C is summed in eight registers over all R rows, reading B's column strip in order
// (it stays in cache for the next tile down): B comes from memory once. XNNPACK instead packs all
// of B (a copy of it) and streams the packed copy once per block of C's rows, several times the
// memory traffic when B is larger than the cache (a [1280, 10000] gradient: 51 MB).

export function matMulTransposedA(a: usize, b: usize, c: usize, rows: i32, cI: i32, cJ: i32): void {
  const strideA = (<usize>cI) << 2;
  const strideB = (<usize>cJ) << 2;
  for (let j = 0; j < cJ; j += 8) {
    for (let i = 0; i < cI; i += 4) {
      let c00 = f32x4.splat(0);
      let c01 = c00;
      let c10 = c00;
      let c11 = c00;
      let c20 = c00;
      let c21 = c00;
      let c30 = c00;
      let c31 = c00;
      let pa = a + ((<usize>i) << 2);
      let pb = b + ((<usize>j) << 2);
      for (let r = 0; r < rows; r++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb + 16);
        const a0 = v128.load32_splat(pa);
        const a1 = v128.load32_splat(pa + 4);
        const a2 = v128.load32_splat(pa + 8);
        const a3 = v128.load32_splat(pa + 12);
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
        pa += strideA;
        pb += strideB;
      }
      const pc = c + ((<usize>i * <usize>cJ + <usize>j) << 2);
      v128.store(pc, c00);
      v128.store(pc + 16, c01);
      v128.store(pc + strideB, c10);
      v128.store(pc + strideB + 16, c11);
      v128.store(pc + 2 * strideB, c20);
      v128.store(pc + 2 * strideB + 16, c21);
      v128.store(pc + 3 * strideB, c30);
      v128.store(pc + 3 * strideB + 16, c31);
    }
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
