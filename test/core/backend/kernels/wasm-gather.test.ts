/**
 * wasm's GatherV2 as row copies on the heap: equal to the cpu backend for every axis, batchDims
 * 0 and 1, float32, int32 and bool, the cpu kernel's out-of-range error, no leaked wasm memory,
 * and the gradient of an embedding lookup.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../../../packages/core/src/backend/kernels/register.js';
import { speedUpWasmGather } from '../../../../packages/core/src/backend/kernels/wasm-gather.js';
import { tidyRead } from '../../../helpers/read-tensor.js';

const random = seedrandom('gather');
const values = (shape: number[]) =>
  Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.round(random() * 200 - 100));
const ids = (shape: number[], below: number) =>
  Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(random() * below));

let stock: tf.KernelConfig;
beforeAll(async () => {
  await tf.setBackend('wasm');
  stock = speedUpWasmGather()!;
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

interface Case {
  x: number[];
  indices: number[];
  axis: number;
  batchDims: number;
}

/** gather on `backend`: [values, shape]. */
async function gatherOn(backend: string, c: Case, x: number[], idx: number[], dtype: tf.DataType) {
  await tf.setBackend(backend);
  const out = tidyRead(() => {
    const xs = tf.tensor(dtype === 'bool' ? x.map((v) => v > 0) : x, c.x, dtype);
    return tf.gather(xs, tf.tensor(idx, c.indices, 'int32'), c.axis, c.batchDims);
  });
  return [out.values, out.shape] as const;
}

describe('wasm GatherV2 on the heap', () => {
  it('is installed once, keeping the stock kernel', () => {
    expect(tf.getKernel('GatherV2', 'wasm')).not.toBe(stock);
    expect(speedUpWasmGather()).toBe(stock);
  });

  const cases: Case[] = [
    { x: [10, 4], indices: [7], axis: 0, batchDims: 0 }, // an embedding lookup
    { x: [10, 20], indices: [3, 5], axis: 0, batchDims: 0 }, // rows of >= 16: set()
    { x: [3, 6, 2], indices: [4], axis: 1, batchDims: 0 },
    { x: [3, 6, 2], indices: [2, 2], axis: -1, batchDims: 0 },
    { x: [4, 5], indices: [4, 3], axis: 1, batchDims: 1 },
    { x: [4, 5, 3], indices: [4, 2], axis: 1, batchDims: 1 },
  ];
  for (const c of cases) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      it(`x [${c.x}], indices [${c.indices}], axis ${c.axis}, batchDims ${c.batchDims}, ${dtype}`, async () => {
        const x = values(c.x);
        const axisDim = c.x.at(c.axis)!;
        const idx = ids(c.indices, axisDim);
        const onCpu = await gatherOn('cpu', c, x, idx, dtype);
        const wasmBackend = tf.findBackend('wasm') as unknown as { numDataIds(): number };
        await tf.setBackend('wasm');
        const before = wasmBackend.numDataIds();
        const onWasm = await gatherOn('wasm', c, x, idx, dtype);
        expect(wasmBackend.numDataIds()).toBe(before);
        expect(onWasm[1]).toEqual(onCpu[1]);
        expect(onWasm[0]).toEqual(onCpu[0]);
      });
    }
  }

  it('rejects an index out of range as the cpu kernel does', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([4, 2]);
    const bad = tf.tensor1d([1, 4], 'int32');
    expect(() => tf.gather(x, bad)).toThrow('GatherV2: the index value 4 is not in [0, 3]');
    tf.dispose([x, bad]);
  });

  it('gives the gradient of an embedding lookup equal to cpu', async () => {
    const table = values([12, 3]);
    const idx = ids([5, 4], 12);
    const grad = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const g = tf.grad((t: tf.Tensor) =>
          tf.sum(tf.square(tf.gather(t, tf.tensor2d(idx, [5, 4], 'int32')))),
        )(tf.tensor2d(table, [12, 3]));
        return Array.from(g.dataSync());
      });
    };
    expect(await grad('wasm')).toEqual(await grad('cpu'));
  });
});
