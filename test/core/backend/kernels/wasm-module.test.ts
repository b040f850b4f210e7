/**
 * What encdec's wasm kernels share (wasm-module.ts): a module instantiated once per backend memory
 * and working on tensors in place, and outputs freed when a kernel's module call fails.
 */
import { initBackend } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROW_STATS_WASM } from '../../../../packages/core/src/backend/kernels/modules/row-stats-bytes.js';
import {
  addressOn,
  freeOnError,
  heapAddress,
  moduleOn,
  type WasmBackendWithMemory,
} from '../../../../packages/core/src/backend/kernels/wasm-module.js';

type Heap = WasmBackendWithMemory & { numDataIds(): number };

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('wasm modules on the backend memory', () => {
  it('instantiates a module once per memory', () => {
    const backend = tf.backend() as unknown as Heap;
    expect(moduleOn(backend, ROW_STATS_WASM)).toBe(moduleOn(backend, ROW_STATS_WASM));
  });

  it('gives a tensor address inside the backend memory', () => {
    const backend = tf.backend() as unknown as Heap;
    const x = tf.tensor1d([1, 2, 3]);
    const info = { dataId: x.dataId, shape: x.shape, dtype: x.dtype } as tf.TensorInfo;
    const at = heapAddress(backend, info);
    const heap = new Float32Array((backend.typedArrayFromHeap(info) as Float32Array).buffer);
    expect(Array.from(heap.subarray(at / 4, at / 4 + 3))).toEqual([1, 2, 3]);
    expect(addressOn(backend)(info)).toBe(at);
    expect(addressOn(backend)(undefined)).toBe(0); // an absent optional input: null to a module
    x.dispose();
  });

  it('frees the outputs when the call throws, keeps them when it returns', () => {
    const backend = tf.backend() as unknown as Heap;
    const before = backend.numDataIds();
    const outputs = [backend.makeOutput([4], 'float32'), backend.makeOutput([2, 3], 'float32')];
    const failure = new Error('a trap');
    expect(() =>
      freeOnError(backend, outputs, () => {
        throw failure;
      }),
    ).toThrow(failure);
    expect(backend.numDataIds()).toBe(before);
    const kept = [backend.makeOutput([4], 'float32')];
    expect(freeOnError(backend, kept, () => 7)).toBe(7);
    expect(backend.numDataIds()).toBe(before + 1);
    backend.disposeData(kept[0]!.dataId);
  });
});
