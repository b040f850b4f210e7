/**
 * wasm's Slice with the contiguous-range copy: equal to the cpu backend for contiguous slices
 * (leading rows, ranges of a flat tensor, the whole tensor, an empty one) and for the others,
 * which the stock kernel still takes; float32, int32 and bool; no leaked wasm memory.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speedUpWasmSlice } from '../../../../packages/core/src/backend/kernels/wasm-slice.js';
import { tidyRead } from '../../../helpers/read-tensor.js';

let stock: tf.KernelConfig;
beforeAll(async () => {
  await tf.setBackend('wasm');
  stock = speedUpWasmSlice()!;
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

type Case = [shape: number[], begin: number[], size: number[]];
const contiguous: Case[] = [
  [[100], [17], [40]],
  [[100], [0], [-1]],
  [
    [6, 5, 4],
    [2, 0, 0],
    [3, 5, 4],
  ], // leading rows
  [
    [6, 5, 4],
    [2, 1, 0],
    [1, 3, 4],
  ], // rows within one leading index
  [
    [6, 5, 4],
    [4, 3, 1],
    [1, 1, 2],
  ], // a range within one row
  [
    [6, 5, 4],
    [0, 0, 0],
    [6, 5, 4],
  ], // all of it
  [
    [6, 5, 4],
    [1, 0, 0],
    [0, 5, 4],
  ], // empty
];
const strided: Case[] = [
  [
    [6, 5, 4],
    [0, 1, 0],
    [6, 2, 4],
  ],
  [
    [6, 5],
    [1, 1],
    [3, 3],
  ],
];

async function sliceOn(backend: string, [shape, begin, size]: Case, dtype: tf.DataType) {
  await tf.setBackend(backend);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => ((i * 37) % 201) - 100); // distinct, mixed signs
  const out = tidyRead(() => {
    const x = tf.tensor(dtype === 'bool' ? values.map((v) => v > 0) : values, shape, dtype);
    return tf.slice(x, begin, size);
  });
  return [out.values, out.shape, out.dtype] as const;
}

describe('wasm Slice', () => {
  it('is installed once, keeping the stock kernel', () => {
    expect(tf.getKernel('Slice', 'wasm')).not.toBe(stock);
    expect(speedUpWasmSlice()).toBe(stock);
  });

  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    it.each([...contiguous, ...strided])(`${dtype}: %j equals the cpu backend`, async (...c) => {
      const expected = await sliceOn('cpu', c, dtype);
      await tf.setBackend('wasm');
      const heap = tf.backend() as unknown as { numDataIds(): number };
      const before = heap.numDataIds();
      const actual = await sliceOn('wasm', c, dtype);
      expect(actual).toEqual(expected);
      expect(heap.numDataIds()).toBe(before);
    });
  }
});
