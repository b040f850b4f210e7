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
// B's rows as vectors: the copy is k n floats against m k n multiply-adds. Except with fewer rows
// than a tile (m < 4: a decoding step's one query per head against its cached keys, [1, dk] x
// [srcLen, dk]^T), where the copy would cost as much as the product: each C[i, j] is then the dot
// product of A's row i and B's row j, both contiguous (`dotRows`).
//
// With transA and a `scratch` (which the caller passes for a wide B), B is copied into it in
// blocks of PANEL columns and multiplied block by block (`panels`).

import { product } from './product';

// A block of B copied by `panels`: columns, rows (a multiple of product.ts's CHUNK).
const PANEL = 64;
const KBLOCK = 1024;

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
    if (transB && !transA && m < 4) {
      dotRows(c + ((<usize>t * <usize>m * <usize>n) << 2), at, bt, m, k, n);
      continue;
    }
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
    if (transA && !transB && scratch !== 0) {
      panels(ct, at, aCol, bt, m, k, n, scratch);
      continue;
    }
    product(ct, n, 0, 0, at, aRow, aCol, bt, n, m, k, n);
  }
}

// C [m, n] = A^T B with A stored [k, m] and a wide B [k, n], one block of B at a time: PANEL
// columns by KBLOCK rows copied into `scratch` (PANEL * KBLOCK floats), then multiplied, each
// block of rows adding to C. Every row of a wide B lies in its own pages; the product, reading a
// strip of 8 columns down 256 such rows, waits on each row's cache line in turn, where the copy's
// independent loads overlap. KBLOCK is a multiple of product.ts's chunk, so every element is
// summed in the same order as by one product over all of B.
function panels(
  c: usize,
  a: usize,
  aCol: i32,
  b: usize,
  m: i32,
  k: i32,
  n: i32,
  scratch: usize,
): void {
  for (let j = 0; j < n; j += PANEL) {
    const w = min(PANEL, n - j);
    const cj = c + ((<usize>j) << 2);
    for (let p = 0; p < k || p === 0; p += KBLOCK) {
      const rows = min(KBLOCK, k - p);
      for (let r = 0; r < rows; r++) {
        const from = b + ((<usize>(p + r) * <usize>n + <usize>j) << 2);
        memory.copy(scratch + ((<usize>r * <usize>w) << 2), from, (<usize>w) << 2);
      }
      const ap = a + ((<usize>p * <usize>aCol) << 2);
      product(cj, n, p === 0 ? 0 : cj, n, ap, 1, aCol, scratch, w, m, rows, w);
    }
  }
}

// C [m, n] = A [m, k] B^T, B stored [n, k]: one dot product of two contiguous rows per element,
// four products at a time, then the k % 4 left.
function dotRows(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  const k4 = k & ~3;
  for (let i = 0; i < m; i++) {
    const ai = a + ((<usize>i * <usize>k) << 2);
    for (let j = 0; j < n; j++) {
      const bj = b + ((<usize>j * <usize>k) << 2);
      let acc = f32x4.splat(0);
      for (let p = 0; p < k4; p += 4) {
        const offset = (<usize>p) << 2;
        acc = f32x4.add(acc, f32x4.mul(v128.load(ai + offset), v128.load(bj + offset)));
      }
      let sum =
        f32x4.extract_lane(acc, 0) +
        f32x4.extract_lane(acc, 1) +
        (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      for (let p = k4; p < k; p++) {
        sum += load<f32>(ai + ((<usize>p) << 2)) * load<f32>(bj + ((<usize>p) << 2));
      }
      store<f32>(c + ((<usize>i * <usize>n + <usize>j) << 2), sum);
    }
  }
}
