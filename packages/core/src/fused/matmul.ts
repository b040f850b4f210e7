/**
 * The two small dense products of the fused recurrent loops, on row-major Float64Arrays (float64:
 * no float32 conversions in the inner loop, which V8 does not vectorize): per time step, all
 * batch rows at once, in blocks of 4 rows x 4 columns whose sums stay in registers.
 * A matrix argument is (data, stride, offset): element [r, c] is data[r * stride + offset + c],
 * which also addresses a block of columns (a GRU's [U_z U_r] or U_h).
 */

export interface Block {
  data: Float64Array;
  stride: number;
  offset: number;
}

/**
 * out[r, j] += sum_k a[r, k] m[k, j], for r < rows, k < inner, j < cols. Blocks of 4 rows x 4
 * columns keep their 16 sums in registers over all of k (8 loads for 16 products; ~1.4x the
 * speed of 4 rows x 1 column at the Keras example's 64 x 32 x 128), the edges one element at a time.
 */
export function addProduct(
  out: Block,
  a: Block,
  m: Block,
  rows: number,
  inner: number,
  cols: number,
): void {
  const o = out.data;
  const x = a.data;
  const w = m.data;
  const rows4 = rows - (rows % 4);
  const cols4 = cols - (cols % 4);
  for (let r = 0; r < rows4; r += 4) {
    const a0 = r * a.stride + a.offset;
    const a1 = a0 + a.stride;
    const a2 = a1 + a.stride;
    const a3 = a2 + a.stride;
    // biome-ignore format: one row of the 4 x 4 block a line
    for (let j = 0; j < cols4; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
      let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let k = 0; k < inner; k++) {
        const mk = k * m.stride + m.offset + j;
        const w0 = w[mk]!, w1 = w[mk + 1]!, w2 = w[mk + 2]!, w3 = w[mk + 3]!;
        const x0 = x[a0 + k]!, x1 = x[a1 + k]!, x2 = x[a2 + k]!, x3 = x[a3 + k]!;
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
        s20 += x2 * w0; s21 += x2 * w1; s22 += x2 * w2; s23 += x2 * w3;
        s30 += x3 * w0; s31 += x3 * w1; s32 += x3 * w2; s33 += x3 * w3;
      }
      const o0 = r * out.stride + out.offset + j;
      const o1 = o0 + out.stride;
      const o2 = o1 + out.stride;
      const o3 = o2 + out.stride;
      o[o0] += s00; o[o0 + 1] += s01; o[o0 + 2] += s02; o[o0 + 3] += s03;
      o[o1] += s10; o[o1 + 1] += s11; o[o1 + 2] += s12; o[o1 + 3] += s13;
      o[o2] += s20; o[o2 + 1] += s21; o[o2 + 2] += s22; o[o2 + 3] += s23;
      o[o3] += s30; o[o3 + 1] += s31; o[o3 + 2] += s32; o[o3 + 3] += s33;
    }
  }
  // The edges: the last cols % 4 columns of the blocked rows, then the last rows % 4 rows.
  const edge = (r: number, jFrom: number) => {
    const ar = r * a.stride + a.offset;
    const or = r * out.stride + out.offset;
    for (let j = jFrom; j < cols; j++) {
      let sum = 0;
      for (let k = 0; k < inner; k++) sum += x[ar + k]! * w[k * m.stride + m.offset + j]!;
      o[or + j] += sum;
    }
  };
  if (cols4 < cols) for (let r = 0; r < rows4; r++) edge(r, cols4);
  for (let r = rows4; r < rows; r++) edge(r, 0);
}

/**
 * out[r, k] = sum_j a[r, j] m[k, j] (a m^T), for r < rows, j < inner, k < cols; blocked 4 x 4
 * like `addProduct`.
 */
export function productTransposed(
  out: Block,
  a: Block,
  m: Block,
  rows: number,
  inner: number,
  cols: number,
): void {
  const o = out.data;
  const x = a.data;
  const w = m.data;
  const rows4 = rows - (rows % 4);
  const cols4 = cols - (cols % 4);
  for (let r = 0; r < rows4; r += 4) {
    const a0 = r * a.stride + a.offset;
    const a1 = a0 + a.stride;
    const a2 = a1 + a.stride;
    const a3 = a2 + a.stride;
    // biome-ignore format: one row of the 4 x 4 block a line
    for (let k = 0; k < cols4; k += 4) {
      const m0 = k * m.stride + m.offset;
      const m1 = m0 + m.stride;
      const m2 = m1 + m.stride;
      const m3 = m2 + m.stride;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
      let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let j = 0; j < inner; j++) {
        const w0 = w[m0 + j]!, w1 = w[m1 + j]!, w2 = w[m2 + j]!, w3 = w[m3 + j]!;
        const x0 = x[a0 + j]!, x1 = x[a1 + j]!, x2 = x[a2 + j]!, x3 = x[a3 + j]!;
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
        s20 += x2 * w0; s21 += x2 * w1; s22 += x2 * w2; s23 += x2 * w3;
        s30 += x3 * w0; s31 += x3 * w1; s32 += x3 * w2; s33 += x3 * w3;
      }
      const o0 = r * out.stride + out.offset + k;
      const o1 = o0 + out.stride;
      const o2 = o1 + out.stride;
      const o3 = o2 + out.stride;
      o[o0] = s00; o[o0 + 1] = s01; o[o0 + 2] = s02; o[o0 + 3] = s03;
      o[o1] = s10; o[o1 + 1] = s11; o[o1 + 2] = s12; o[o1 + 3] = s13;
      o[o2] = s20; o[o2 + 1] = s21; o[o2 + 2] = s22; o[o2 + 3] = s23;
      o[o3] = s30; o[o3 + 1] = s31; o[o3 + 2] = s32; o[o3 + 3] = s33;
    }
  }
  // The edges: the last cols % 4 columns of the blocked rows, then the last rows % 4 rows.
  const edge = (r: number, kFrom: number) => {
    const ar = r * a.stride + a.offset;
    const or = r * out.stride + out.offset;
    for (let k = kFrom; k < cols; k++) {
      const mk = k * m.stride + m.offset;
      let sum = 0;
      for (let j = 0; j < inner; j++) sum += x[ar + j]! * w[mk + j]!;
      o[or + k] = sum;
    }
  };
  if (cols4 < cols) for (let r = 0; r < rows4; r++) edge(r, cols4);
  for (let r = rows4; r < rows; r++) edge(r, 0);
}

/** A row-major matrix as a Block over all its columns. */
export function block(data: Float64Array, stride: number, offset = 0): Block {
  return { data, stride, offset };
}
