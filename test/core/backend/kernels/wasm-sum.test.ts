/**
 * wasm's Sum over leading axes done as a product with a row of ones: equal to the cpu backend and
 * to the stock wasm kernel, for every axis pattern and keepDims, with other patterns and dtypes
 * passed to the stock kernel, without leaking wasm memory.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speedUpWasmSum } from '../../../../packages/core/src/backend/kernels/wasm-sum.js';
import { tidyRead } from '../../../helpers/read-tensor.js';
import { expectAllClose } from '../expect-close.js';
import { withKernel } from '../with-kernel.js';

const random = seedrandom('sum');
const values = (shape: number[]) =>
  Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1);

let stock: tf.KernelConfig;
let ours: tf.KernelConfig;
beforeAll(async () => {
  await tf.setBackend('wasm');
  stock = speedUpWasmSum()!;
  ours = tf.getKernel('Sum', 'wasm')!;
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

/** sum(x, axis, keepDims) on `backend`: [values, shape]. */
async function sumOn(
  backend: string,
  x: number[],
  shape: number[],
  axis: number | number[] | null,
  keepDims: boolean,
  dtype: 'float32' | 'int32' = 'float32',
): Promise<[number[], number[]]> {
  await tf.setBackend(backend);
  // tf.sum takes undefined, not null, for "every axis".
  const out = tidyRead(() => {
    const input = tf.tensor(dtype === 'int32' ? x.map((v) => Math.round(v * 10)) : x, shape, dtype);
    return tf.sum(input, axis ?? undefined, keepDims);
  });
  return [out.values, out.shape];
}

describe('wasm Sum over leading axes', () => {
  it('is installed once, keeping the stock kernel', () => {
    expect(ours).not.toBe(stock);
    expect(speedUpWasmSum()).toBe(stock); // a second call changes nothing
    expect(tf.getKernel('Sum', 'wasm')).toBe(ours);
  });

  // Leading axes (ours), innermost or all axes (stock), negative axes.
  const cases: [number[], number | number[] | null][] = [
    [[7, 5], 0],
    [[7, 5], -2],
    [[7, 5], 1],
    [[7, 5], null],
    [[3, 4, 5], 0],
    [
      [3, 4, 5],
      [1, 0],
    ],
    [
      [3, 4, 5],
      [0, 2],
    ],
    [[3, 4, 5], 1],
    [[1, 6], 0],
    [[300, 37], 0],
  ];
  for (const [shape, axis] of cases) {
    for (const keepDims of [false, true]) {
      it(`shape [${shape}], axis ${JSON.stringify(axis)}, keepDims ${keepDims}`, async () => {
        const x = values(shape);
        const [onCpu, cpuShape] = await sumOn('cpu', x, shape, axis, keepDims);
        const wasmBackend = tf.findBackend('wasm') as unknown as { numDataIds(): number };
        await tf.setBackend('wasm');
        const dataIdsBefore = wasmBackend.numDataIds();
        const [onWasm, wasmShape] = await sumOn('wasm', x, shape, axis, keepDims);
        expect(wasmBackend.numDataIds()).toBe(dataIdsBefore);
        const onStock = withKernel(stock, ours, () =>
          tidyRead(() => tf.sum(tf.tensor(x, shape), axis ?? undefined, keepDims)),
        ).values;
        expect(wasmShape).toEqual(cpuShape);
        expectAllClose(onWasm, onCpu, 1e-4);
        expectAllClose(onWasm, onStock!, 1e-4);
      });
    }
  }

  it('sums an empty tensor to zeros, as cpu does', async () => {
    for (const [shape, axis, keepDims] of [
      [[0, 3], 0, false],
      [[0, 3], 0, true],
      [[2, 0], 1, false],
      [[0, 3], null, false],
    ] as const) {
      const onCpu = await sumOn('cpu', [], [...shape], axis, keepDims);
      const onWasm = await sumOn('wasm', [], [...shape], axis, keepDims);
      expect(onWasm).toEqual(onCpu);
    }
  });

  it('leaves int32 sums to the stock kernel (exact integers)', async () => {
    const x = values([6, 4]);
    const [onCpu] = await sumOn('cpu', x, [6, 4], 0, false, 'int32');
    const [onWasm] = await sumOn('wasm', x, [6, 4], 0, false, 'int32');
    expect(onWasm).toEqual(onCpu);
  });

  it('gives the bias gradient of a dense layer equal to cpu', async () => {
    const x = values([40, 3]);
    const dy = values([40, 6]);
    const grad = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const g = tf.grad((b: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.add(tf.matMul(tf.tensor2d(x, [40, 3]), tf.ones([3, 6])), b),
              tf.tensor2d(dy, [40, 6]),
            ),
          ),
        )(tf.zeros([6]));
        return Array.from(g.dataSync());
      });
    };
    expectAllClose(await grad('wasm'), await grad('cpu'), 1e-4);
  });
});
