// AssemblyScript source of the SIMD path of wasm's `BatchMatMul` (src/backend/kernels/
// wasm-batch-mat-mul.ts): batches of products, and A^T B, compiled by `npm run build:wasm` into
// src/backend/kernels/modules/batch-mat-mul-bytes.ts. Like row-stats.ts it runs on TF.js's wasm memory
// and has no data of its own.
//
// C[t] = op(A[t]) op(B[t]) for t < batch, float32, row-major: op(A[t]) [m, k], op(B[t]) [k, n],
// C [batch, m, n]. transA: A[t] is stored [k, m]; transB: B[t] is stored [n, k]. aStride and
// bStride are the floats between consecutive A[t] (B[t]); 0 repeats one matrix for every t
// (broadcasting). These are attention's products ([64, 20, 32] x [64, 500, 32]^T and the like),
// which the stock kernel runs as a scalar loop (~3 GFLOP/s); XNNPACK's fast path takes one
// matrix B for all rows and would pack every B[t] anew. And weight gradients A^T B (batch 1,
// transA: a dense layer's h^T dY, B [1280, 10000]): product.ts reads B once in column strips,
// where XNNPACK packs all of B (a copy of it) and streams the packed copy once per block of C's
// rows, several times the memory traffic when B is larger than the cache (51 MB here).
//
// A transposed A is read through strides (its elements are broadcast one at a time anyway); a
// transposed B is first copied upright into `scratch` ([k, n] floats), so that the product reads
// B's rows as vectors: the copy is k n floats against m k n multiply-adds.

import { product } from './product';

export function batchMatMul(
  a: usize,
  b: usize,
  c: usize,
  batch: i32,
  m: i32,
  k: i32,
  n: i32,
  aStride: i32,
  bStride: i32,
  transA: i32,
  transB: i32,
  scratch: usize,
): void {
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  let copied: usize = -1; // the B[t] now upright in scratch
  for (let t = 0; t < batch; t++) {
    const at = a + ((<usize>t * <usize>aStride) << 2);
    let bt = b + ((<usize>t * <usize>bStride) << 2);
    if (transB) {
      if (bt !== copied) {
        for (let j = 0; j < n; j++) {
          const row = bt + ((<usize>j * <usize>k) << 2);
          for (let i = 0; i < k; i++) {
            store<f32>(
              scratch + ((<usize>i * <usize>n + <usize>j) << 2),
              load<f32>(row + ((<usize>i) << 2)),
            );
          }
        }
        copied = bt;
      }
      bt = scratch;
    }
    const ct = c + ((<usize>t * <usize>m * <usize>n) << 2);
    product(ct, n, 0, 0, at, aRow, aCol, bt, n, m, k, n);
  }
}
