/**
 * The fused loops' products against a plain triple loop, at sizes that exercise the 4 x 4 blocks,
 * their column and row edges, and column blocks addressed by stride and offset (a GRU's).
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { addProduct, block, productTransposed } from '../../../packages/core/src/fused/matmul.js';

const random = seedrandom('fused-matmul');
const matrix = (rows: number, cols: number) =>
  Float64Array.from({ length: rows * cols }, () => random() * 2 - 1);

// [rows, inner, cols]: blocks only, blocks with edges, edges only, inner 1.
const sizes: [number, number, number][] = [
  [8, 32, 128],
  [7, 5, 9],
  [4, 3, 4],
  [3, 2, 3],
  [9, 1, 6],
];

describe('matmul', () => {
  for (const [rows, inner, cols] of sizes) {
    it(`addProduct adds a m to out at [${rows}, ${inner}] x [${inner}, ${cols}], on a column block`, () => {
      // out is the middle `cols` columns of a [rows, cols + 3] matrix; m the last `cols` of [inner, cols + 2].
      const a = matrix(rows, inner);
      const m = matrix(inner, cols + 2);
      const out = matrix(rows, cols + 3);
      const expected = Float64Array.from(out);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) {
          let sum = 0;
          for (let k = 0; k < inner; k++) sum += a[r * inner + k]! * m[k * (cols + 2) + 2 + j]!;
          expected[r * (cols + 3) + 1 + j]! += sum;
        }
      }
      addProduct(
        block(out, cols + 3, 1),
        block(a, inner),
        block(m, cols + 2, 2),
        rows,
        inner,
        cols,
      );
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(expected[i]!, 12);
    });

    it(`productTransposed writes a m^T at [${rows}, ${inner}] x [${cols}, ${inner}]^T, from a column block`, () => {
      const a = matrix(rows, inner + 1); // the last `inner` columns are used
      const m = matrix(cols, inner);
      const out = matrix(rows, cols);
      productTransposed(
        block(out, cols),
        block(a, inner + 1, 1),
        block(m, inner),
        rows,
        inner,
        cols,
      );
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < cols; k++) {
          let sum = 0;
          for (let j = 0; j < inner; j++) sum += a[r * (inner + 1) + 1 + j]! * m[k * inner + j]!;
          expect(out[r * cols + k]).toBeCloseTo(sum, 12);
        }
      }
    });
  }
});
