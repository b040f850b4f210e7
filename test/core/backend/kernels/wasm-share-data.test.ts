/**
 * wasm's Identity and same-dtype Cast share the input's data instead of copying it: same values,
 * no new data on the heap, each handle outlives the other's disposal; a Cast to another dtype
 * still converts, strings still go to the stock kernels, and variables still update.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shareWasmData } from '../../../../packages/core/src/backend/kernels/wasm-share-data.js';

type WasmBackend = { numDataIds(): number };
let wasm: WasmBackend;
beforeAll(async () => {
  await tf.setBackend('wasm');
  expect(shareWasmData()).toBeDefined();
  wasm = tf.backend() as unknown as WasmBackend;
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('wasm Identity and Cast without copies', () => {
  it('is installed once', () => {
    const identity = tf.getKernel('Identity', 'wasm');
    shareWasmData();
    expect(tf.getKernel('Identity', 'wasm')).toBe(identity);
  });

  for (const op of ['clone', 'cast'] as const) {
    it(`${op} shares the data, and each handle outlives the other`, () => {
      const x = tf.tensor2d([
        [1.5, -2],
        [3, 4],
      ]);
      const before = wasm.numDataIds();
      const y = op === 'clone' ? tf.clone(x) : tf.cast(x, 'float32');
      expect(wasm.numDataIds()).toBe(before); // no new data
      expect(y.dataId).toBe(x.dataId);
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3, 4]);
      const z = tf.clone(y);
      y.dispose();
      expect(Array.from(z.dataSync())).toEqual([1.5, -2, 3, 4]);
      z.dispose();
      expect(wasm.numDataIds()).toBe(before - 1); // x's data is freed with its last handle
    });
  }

  it('still converts a cast to another dtype, and clones strings', () => {
    const x = tf.tensor1d([1.7, -2.2, 0]);
    const asInt = tf.cast(x, 'int32');
    expect(asInt.dtype).toBe('int32');
    expect(Array.from(asInt.dataSync())).toEqual([1, -2, 0]);
    const asBool = tf.cast(x, 'bool');
    expect(Array.from(asBool.dataSync())).toEqual([1, 1, 0]);
    const words = tf.tensor1d(['a', 'b'], 'string');
    expect(tf.clone(words).arraySync()).toEqual(['a', 'b']);
    tf.dispose([x, asInt, asBool, words]);
  });

  it('leaves a variable free to change after a clone of it was taken', () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const snapshot = tf.clone(v);
    v.assign(tf.tensor1d([5, 6]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2]);
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    tf.dispose([v, snapshot]);
  });
});
