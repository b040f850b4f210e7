// The small dense product shared by encdec's AssemblyScript kernels (imported by the recurrent
// loops and batch-mat-mul.ts, compiled into each): float32, 128-bit SIMD, on pointers into
// TF.js's wasm memory.
//
// out [rows, cols] = init [rows, cols] + A B, where
//   A's element (i, k) is at a + (i * aRow + k * aCol) floats (aRow, aCol: A's strides, so A may
//   be a transposed view), B [inner, cols] has row stride bStride (floats, >= cols: a block of
//   columns of a wider matrix), out and init have row strides in floats (init 0: none; init may
//   be out itself, to accumulate).
// Tiles of 4 rows x 8 columns keep their sums in eight registers over all of `inner` (B's rows
// are read as vectors, A's elements broadcast); the last columns take 4-wide and then scalar
// tiles, the last rows % 4 rows one row at a time. Column strips are the outer loop: each strip
// of B ([inner, 8]) is read from memory once and stays in cache while every row tile uses it, so
// a B larger than the caches (a weight gradient's [1280, 10000] dY) streams through once; A is
// the operand read again, per strip.
//
// A long `inner` is summed in chunks of CHUNK: every tile sums one chunk, then the next chunk
// adds to out. A chunk's strip of B (256 x 8 floats, 16 KB) stays in L1 while the tiles down out
// use it, and its part of A in L2 for the next strip; unchunked, a strip of 32,000 rows left the
// cache before the next tile read it again, and a weight gradient ([32000, 32]^T [32000, 128])
// became memory-bound (bench/PERFORMANCE.md).
//
// Many rows are taken in blocks of at most ROW_BLOCK floats of A (rows x chunk, 128 KB), each
// block through all of its chunks and strips before the next, so that A, read again per strip,
// comes from the cache: without blocks a tall A ([6400, 256] x [256, 64]) was read from memory
// once per strip. B is then read once per block. Blocks change the order in which out's elements
// are computed, not how any one of them is summed.

import { at } from './heap';

const CHUNK = 256;
const ROW_BLOCK = 32768; // floats

function put(out: usize, init: usize, v: v128): void {
  v128.store(out, init === 0 ? v : f32x4.add(v, v128.load(init)));
}

function putScalar(out: usize, init: usize, v: f32): void {
  store<f32>(out, init === 0 ? v : v + load<f32>(init));
}

export function product(
  out: usize,
  outStride: i32,
  init: usize,
  initStride: i32,
  a: usize,
  aRow: i32,
  aCol: i32,
  b: usize,
  bStride: i32,
  rows: i32,
  inner: i32,
  cols: i32,
): void {
  const block = rowBlock(min(CHUNK, inner));
  for (let r = 0; r < rows; r += block) {
    const n = min(block, rows - r);
    for (let k = 0; k < inner || k === 0; k += CHUNK) {
      const first = k === 0;
      const chunk = min(CHUNK, inner - k);
      productChunk(
        at(out, r * outStride),
        outStride,
        first ? (init === 0 ? 0 : at(init, r * initStride)) : at(out, r * outStride),
        first ? initStride : outStride,
        at(a, r * aRow + k * aCol),
        aRow,
        aCol,
        at(b, k * bStride),
        bStride,
        n,
        chunk,
        cols,
      );
    }
  }
}

// Rows of A per block: a multiple of 4 whose block of A (rows x chunk floats) fits in ROW_BLOCK.
function rowBlock(chunk: i32): i32 {
  return max(4, (ROW_BLOCK / max(chunk, 1)) & ~3);
}

// out = init + A B over an inner dimension short enough to stay in cache (see the top).
function productChunk(
  out: usize,
  outStride: i32,
  init: usize,
  initStride: i32,
  a: usize,
  aRow: i32,
  aCol: i32,
  b: usize,
  bStride: i32,
  rows: i32,
  inner: i32,
  cols: i32,
): void {
  const bS = (<usize>bStride) << 2; // bytes between B's rows
  const aC = (<usize>aCol) << 2; // bytes between A's columns
  const aR = (<usize>aRow) << 2; // bytes between A's rows
  for (let j = 0; j < cols; ) {
    const width = cols - j >= 8 ? 8 : cols - j >= 4 ? 4 : 1;
    for (let r = 0; r < rows; ) {
      const n = r + 4 <= rows ? 4 : 1;
      let pa = at(a, r * aRow);
      let pb = at(b, j);
      const po = at(out, r * outStride + j);
      const pi = init === 0 ? 0 : at(init, r * initStride + j);
      const oS = (<usize>outStride) << 2;
      const iS = init === 0 ? 0 : (<usize>initStride) << 2;
      const i1 = init === 0 ? 0 : pi + iS;
      const i2 = init === 0 ? 0 : pi + 2 * iS;
      const i3 = init === 0 ? 0 : pi + 3 * iS;
      if (n === 4 && width === 8) {
        let c00 = f32x4.splat(0);
        let c01 = c00;
        let c10 = c00;
        let c11 = c00;
        let c20 = c00;
        let c21 = c00;
        let c30 = c00;
        let c31 = c00;
        for (let k = 0; k < inner; k++) {
          const b0 = v128.load(pb);
          const b1 = v128.load(pb + 16);
          const a0 = v128.load32_splat(pa);
          const a1 = v128.load32_splat(pa + aR);
          const a2 = v128.load32_splat(pa + 2 * aR);
          const a3 = v128.load32_splat(pa + 3 * aR);
          c00 = f32x4.add(c00, f32x4.mul(a0, b0));
          c01 = f32x4.add(c01, f32x4.mul(a0, b1));
          c10 = f32x4.add(c10, f32x4.mul(a1, b0));
          c11 = f32x4.add(c11, f32x4.mul(a1, b1));
          c20 = f32x4.add(c20, f32x4.mul(a2, b0));
          c21 = f32x4.add(c21, f32x4.mul(a2, b1));
          c30 = f32x4.add(c30, f32x4.mul(a3, b0));
          c31 = f32x4.add(c31, f32x4.mul(a3, b1));
          pa += aC;
          pb += bS;
        }
        put(po, pi, c00);
        put(po + 16, pi === 0 ? 0 : pi + 16, c01);
        put(po + oS, i1, c10);
        put(po + oS + 16, i1 === 0 ? 0 : i1 + 16, c11);
        put(po + 2 * oS, i2, c20);
        put(po + 2 * oS + 16, i2 === 0 ? 0 : i2 + 16, c21);
        put(po + 3 * oS, i3, c30);
        put(po + 3 * oS + 16, i3 === 0 ? 0 : i3 + 16, c31);
      } else if (n === 4 && width === 4) {
        let c0 = f32x4.splat(0);
        let c1 = c0;
        let c2 = c0;
        let c3 = c0;
        for (let k = 0; k < inner; k++) {
          const b0 = v128.load(pb);
          c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), b0));
          c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(pa + aR), b0));
          c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(pa + 2 * aR), b0));
          c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(pa + 3 * aR), b0));
          pa += aC;
          pb += bS;
        }
        put(po, pi, c0);
        put(po + oS, i1, c1);
        put(po + 2 * oS, i2, c2);
        put(po + 3 * oS, i3, c3);
      } else if (n === 4) {
        let s0: f32 = 0;
        let s1: f32 = 0;
        let s2: f32 = 0;
        let s3: f32 = 0;
        for (let k = 0; k < inner; k++) {
          const bk = load<f32>(pb);
          s0 += load<f32>(pa) * bk;
          s1 += load<f32>(pa + aR) * bk;
          s2 += load<f32>(pa + 2 * aR) * bk;
          s3 += load<f32>(pa + 3 * aR) * bk;
          pa += aC;
          pb += bS;
        }
        putScalar(po, pi, s0);
        putScalar(po + oS, i1, s1);
        putScalar(po + 2 * oS, i2, s2);
        putScalar(po + 3 * oS, i3, s3);
      } else if (width >= 4) {
        let c0 = f32x4.splat(0);
        let c1 = c0;
        for (let k = 0; k < inner; k++) {
          const a0 = v128.load32_splat(pa);
          c0 = f32x4.add(c0, f32x4.mul(a0, v128.load(pb)));
          if (width === 8) c1 = f32x4.add(c1, f32x4.mul(a0, v128.load(pb + 16)));
          pa += aC;
          pb += bS;
        }
        put(po, pi, c0);
        if (width === 8) put(po + 16, pi === 0 ? 0 : pi + 16, c1);
      } else {
        let s: f32 = 0;
        for (let k = 0; k < inner; k++) {
          s += load<f32>(pa) * load<f32>(pb);
          pa += aC;
          pb += bS;
        }
        putScalar(po, pi, s);
      }
      r += n;
    }
    j += width;
  }
}
