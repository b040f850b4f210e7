/**
 * wasm's BatchMatMul with transposed inputs done as Transpose + plain product, and batches on
 * the batched SIMD product: equal to the cpu backend and to the stock wasm kernel, for every
 * transpose combination, ranks 2 and 3 and a broadcast batch, sizes around the SIMD tiles,
 * forward and backward, without leaking wasm memory. A^T B with a large B, summed in chunks (the
 * SIMD product of assembly/batch-mat-mul.ts), and single A B and A B^T taken in blocks of rows,
 * against float64 sums computed here.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speedUpWasmMatMul } from '../../../../packages/core/src/backend/kernels/wasm-batch-mat-mul.js';
import { expectAllClose } from '../expect-close.js';
import { withKernel } from '../with-kernel.js';

const random = seedrandom('batch-mat-mul');
const values = (shape: number[]) =>
  Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1);

let stock: tf.KernelConfig;
let ours: tf.KernelConfig;
beforeAll(async () => {
  await tf.setBackend('wasm');
  stock = speedUpWasmMatMul()!;
  ours = tf.getKernel('BatchMatMul', 'wasm')!;
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

/** a·b with the given flags on `backend`, as a plain array. */
async function product(
  backend: string,
  a: [number[], number[]],
  b: [number[], number[]],
  transposeA: boolean,
  transposeB: boolean,
) {
  await tf.setBackend(backend);
  return tf.tidy(() =>
    Array.from(
      tf.matMul(tf.tensor(a[0], a[1]), tf.tensor(b[0], b[1]), transposeA, transposeB).dataSync(),
    ),
  );
}

describe('wasm BatchMatMul with transposes', () => {
  it('is installed once, keeping the stock kernel', () => {
    expect(ours).not.toBe(stock);
    expect(speedUpWasmMatMul()).toBe(stock); // a second call changes nothing
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(ours);
    expect(ours.setupFunc).toBe(stock.setupFunc);
  });

  // [m, k] x [k, n] with batch shapes: rank 2, rank 3, rank 3 by rank 2 (broadcast), batch 1 by 3.
  const shapes: [number[], number[]][] = [
    [[], []],
    [[4], [4]],
    [[3], []],
    [[1], [3]],
  ];
  // Batches of more than one go to the batched SIMD product (assembly/batch-mat-mul.ts): sizes
  // around its 4-row, 8- and 4-column tiles and scalar edges; with transposeB and m < 4, its dot
  // products of rows (k a multiple of 4, and not).
  const sizes: [number, number, number][] = [
    [5, 7, 6],
    [9, 6, 21],
    [1, 32, 12],
    [3, 7, 5],
  ];
  for (const [batchA, batchB] of shapes) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it.each(sizes)(
          `batch [${batchA}] x [${batchB}], transposeA=${transposeA}, transposeB=${transposeB}, [m, k, n] = [%i, %i, %i]`,
          async (m, k, n) => {
            const aShape = [...batchA, ...(transposeA ? [k, m] : [m, k])];
            const bShape = [...batchB, ...(transposeB ? [n, k] : [k, n])];
            const a: [number[], number[]] = [values(aShape), aShape];
            const b: [number[], number[]] = [values(bShape), bShape];
            const onCpu = await product('cpu', a, b, transposeA, transposeB);
            const wasmBackend = tf.findBackend('wasm') as unknown as { numDataIds(): number };
            await tf.setBackend('wasm');
            const dataIdsBefore = wasmBackend.numDataIds();
            const onWasm = await product('wasm', a, b, transposeA, transposeB);
            expect(wasmBackend.numDataIds()).toBe(dataIdsBefore);
            const onStock = withKernel(stock, ours, () =>
              tf.tidy(() =>
                Array.from(
                  tf.matMul(tf.tensor(...a), tf.tensor(...b), transposeA, transposeB).dataSync(),
                ),
              ),
            );
            expectAllClose(onWasm, onCpu, 1e-5);
            expectAllClose(onWasm, onStock, 1e-5);
          },
        );
      }
    }
  }

  it('gives the gradients of a matMul (which use the transposed products) equal to cpu', async () => {
    const x = values([8, 5]);
    const w = values([5, 3]);
    const dy = values([8, 3]);
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.matMul(a, b), tf.tensor2d(dy, [8, 3]))),
        )([tf.tensor2d(x, [8, 5]), tf.tensor2d(w, [5, 3])]);
        return [Array.from(gx!.dataSync()), Array.from(gw!.dataSync())];
      });
    };
    const before = tf.memory().numTensors;
    const [cpuX, cpuW] = await grads('cpu');
    const [wasmX, wasmW] = await grads('wasm');
    expectAllClose(wasmX!, cpuX!, 1e-5);
    expectAllClose(wasmW!, cpuW!, 1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('A^T B over no rows is zeros, as on cpu', async () => {
    await tf.setBackend('wasm');
    const got = tf.tidy(() =>
      Array.from(tf.matMul(tf.zeros([0, 3]), tf.zeros([0, 4]), true, false).dataSync()),
    );
    expect(got).toEqual(new Array(12).fill(0));
  });

  // B of 1024 or more columns is copied in blocks of 64 columns x 1024 rows: 1100 rows are two
  // blocks, 1025 columns end in a narrower one.
  for (const [cI, rank, cJ] of [
    [8, 2, 960],
    [8, 3, 1024],
    [6, 2, 1024],
    [5, 2, 1025],
  ] as const) {
    it(`A^T B with a large B (${cI} x ${cJ} from 1100 rows, rank ${rank}) equals float64 sums`, async () => {
      await tf.setBackend('wasm');
      const rows = 1100; // B has over 1,000,000 values: the SIMD product
      const a = Float32Array.from(values([rows, cI]));
      const b = Float32Array.from(values([rows, cJ]));
      const before = tf.memory().numTensors;
      const lead = rank === 3 ? [1] : [];
      const got = tf.tidy(() =>
        tf
          .matMul(tf.tensor(a, [...lead, rows, cI]), tf.tensor(b, [...lead, rows, cJ]), true, false)
          .dataSync(),
      );
      expect(tf.memory().numTensors).toBe(before);
      expect(got.length).toBe(cI * cJ);
      let worst = 0;
      for (let i = 0; i < cI; i++) {
        for (let j = 0; j < cJ; j++) {
          let sum = 0;
          for (let r = 0; r < rows; r++) sum += a[r * cI + i]! * b[r * cJ + j]!;
          worst = Math.max(worst, Math.abs(got[i * cJ + j]! - sum));
        }
      }
      // float32 sums of 1100 products of values in [-1, 1] (sums ~ +-10): rounding ~1e-5 either
      // way (XNNPACK's path too); a wrong tile or index would be off by ~1.
      expect(worst).toBeLessThan(2e-4);
    });
  }

  // Single products on the SIMD module: A B with a small B and A B^T, with more rows than one
  // block of A (128 rows at k 300, summed in two chunks; 816 at k 40), a last block that is not a
  // multiple of 4 rows, and a B^T wider than the small-B limit.
  for (const [m, k, n, transposeB] of [
    [1101, 300, 40, false],
    [1101, 40, 36, false],
    [1101, 300, 40, true],
    [70, 20, 5000, true],
  ] as const) {
    it(`A B${transposeB ? '^T' : ''} of [${m}, ${k}] and [${k}, ${n}] equals float64 sums`, async () => {
      await tf.setBackend('wasm');
      const a = Float32Array.from(values([m, k]));
      const b = Float32Array.from(values([k, n])); // B[p, j] at p * n + j
      const stored = transposeB
        ? tf.tidy(() => tf.tensor(b, [k, n]).transpose())
        : tf.tensor(b, [k, n]);
      const before = tf.memory().numTensors;
      const got = tf.tidy(() =>
        tf.matMul(tf.tensor(a, [m, k]), stored, false, transposeB).dataSync(),
      );
      expect(tf.memory().numTensors).toBe(before);
      stored.dispose();
      expect(got.length).toBe(m * n);
      let worst = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[p * n + j]!;
          worst = Math.max(worst, Math.abs(got[i * n + j]! - sum));
        }
      }
      // float32 sums of up to 300 products in [-1, 1]: rounding ~1e-5; a wrong block ~1.
      expect(worst).toBeLessThan(1e-4);
    });
  }
});
