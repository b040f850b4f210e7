/**
 * wasm's TopK as one pass per row on the heap (float32 by the SIMD module of assembly/top-k.ts,
 * int32 in JavaScript): equal to the cpu backend (values and indices, ties by ascending index),
 * for float32 and int32, ranks 1 to 3, k from 1 to the row length, rows of -Infinity and rows of
 * ties, with large k left to the stock kernel; no leaked memory.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speedUpWasmTopK } from '../../../../packages/core/src/backend/kernels/wasm-top-k.js';

const random = seedrandom('top-k');
/** Values with many ties: integers in [-20, 20). */
const values = (size: number) => Array.from({ length: size }, () => Math.floor(random() * 40 - 20));

let stock: tf.KernelConfig;
beforeAll(async () => {
  await tf.setBackend('wasm');
  stock = speedUpWasmTopK()!;
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

async function topkOn(
  backend: string,
  x: number[],
  shape: number[],
  k: number,
  dtype: tf.DataType,
) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const { values: v, indices } = tf.topk(tf.tensor(x, shape, dtype), k);
    return {
      values: Array.from(v.dataSync()),
      indices: Array.from(indices.dataSync()),
      shape: v.shape,
    };
  });
}

describe('wasm TopK on the heap', () => {
  it('is installed once, keeping the stock kernel', () => {
    expect(tf.getKernel('TopK', 'wasm')).not.toBe(stock);
    expect(speedUpWasmTopK()).toBe(stock);
  });

  const cases: [number[], number][] = [
    [[9], 1],
    [[9], 9],
    [[4, 37], 10],
    [[2, 3, 50], 7],
    [[3, 200], 64],
    [[2, 300], 100], // stock kernel
  ];
  for (const [shape, k] of cases) {
    for (const dtype of ['float32', 'int32'] as const) {
      it(`shape [${shape}], k ${k}, ${dtype}`, async () => {
        const x = values(shape.reduce((a, b) => a * b, 1));
        const onCpu = await topkOn('cpu', x, shape, k, dtype);
        const wasmBackend = tf.findBackend('wasm') as unknown as { numDataIds(): number };
        await tf.setBackend('wasm');
        const before = wasmBackend.numDataIds();
        const onWasm = await topkOn('wasm', x, shape, k, dtype);
        expect(wasmBackend.numDataIds()).toBe(before);
        expect(onWasm).toEqual(onCpu);
      });
    }
  }

  // The cpu kernel sorts with (b - a), NaN for two -Infinity, so its order among them is arbitrary;
  // tf.topk's documented order is by ascending index.
  it('keeps index order among -Infinity and equal values', async () => {
    const x = [-Infinity, -Infinity, -Infinity, -Infinity, 3, 3, 3, -1, 3, 3];
    const onWasm = await topkOn('wasm', x, [2, 5], 3, 'float32');
    expect(onWasm.values).toEqual([3, -Infinity, -Infinity, 3, 3, 3]);
    expect(onWasm.indices).toEqual([4, 0, 1, 0, 1, 3]);
  });
});
