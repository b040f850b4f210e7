/**
 * The two small dense products of the fused recurrent loops, on row-major Float64Arrays (float64:
 * no float32 conversions in the inner loop, which V8 does not vectorize): per time step, all
 * batch rows at once, four rows per pass so that each weight is loaded once for four products.
 * A matrix argument is (data, stride, offset): element [r, c] is data[r * stride + offset + c],
 * which also addresses a block of columns (a GRU's [U_z U_r] or U_h).
 */

export interface Block {
  data: Float64Array;
  stride: number;
  offset: number;
}

/** out[r, j] += sum_k a[r, k] m[k, j], for r < rows, k < inner, j < cols. */
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
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = r * a.stride + a.offset;
    const a1 = a0 + a.stride;
    const a2 = a1 + a.stride;
    const a3 = a2 + a.stride;
    const o0 = r * out.stride + out.offset;
    const o1 = o0 + out.stride;
    const o2 = o1 + out.stride;
    const o3 = o2 + out.stride;
    for (let k = 0; k < inner; k++) {
      const x0 = x[a0 + k]!;
      const x1 = x[a1 + k]!;
      const x2 = x[a2 + k]!;
      const x3 = x[a3 + k]!;
      const mk = k * m.stride + m.offset;
      for (let j = 0; j < cols; j++) {
        const v = w[mk + j]!;
        o[o0 + j] += x0 * v;
        o[o1 + j] += x1 * v;
        o[o2 + j] += x2 * v;
        o[o3 + j] += x3 * v;
      }
    }
  }
  for (; r < rows; r++) {
    const ar = r * a.stride + a.offset;
    const or = r * out.stride + out.offset;
    for (let k = 0; k < inner; k++) {
      const xk = x[ar + k]!;
      const mk = k * m.stride + m.offset;
      for (let j = 0; j < cols; j++) o[or + j] += xk * w[mk + j]!;
    }
  }
}

/** out[r, k] = sum_j a[r, j] m[k, j] (a m^T), for r < rows, j < inner, k < cols. */
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
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = r * a.stride + a.offset;
    const a1 = a0 + a.stride;
    const a2 = a1 + a.stride;
    const a3 = a2 + a.stride;
    const o0 = r * out.stride + out.offset;
    for (let k = 0; k < cols; k++) {
      const mk = k * m.stride + m.offset;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < inner; j++) {
        const v = w[mk + j]!;
        s0 += x[a0 + j]! * v;
        s1 += x[a1 + j]! * v;
        s2 += x[a2 + j]! * v;
        s3 += x[a3 + j]! * v;
      }
      o[o0 + k] = s0;
      o[o0 + out.stride + k] = s1;
      o[o0 + 2 * out.stride + k] = s2;
      o[o0 + 3 * out.stride + k] = s3;
    }
  }
  for (; r < rows; r++) {
    const ar = r * a.stride + a.offset;
    const or = r * out.stride + out.offset;
    for (let k = 0; k < cols; k++) {
      const mk = k * m.stride + m.offset;
      let s = 0;
      for (let j = 0; j < inner; j++) s += x[ar + j]! * w[mk + j]!;
      o[or + k] = s;
    }
  }
}

/** A row-major matrix as a Block over all its columns. */
export function block(data: Float64Array, stride: number, offset = 0): Block {
  return { data, stride, offset };
}
