/** The kernel registry: replacing and wrapping record the stock kernel once, and are idempotent. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  replaceKernel,
  stockKernel,
  wrapKernel,
} from '../../../../packages/core/src/backend/kernels/registry.js';

const backendName = 'cpu';
const kernelFunc = (() => ({ dataId: {}, shape: [], dtype: 'float32' })) as tf.KernelFunc;

describe('kernel registry', () => {
  it('replaceKernel registers a new kernel, and keeps the stock one it replaces', () => {
    const kernelName = 'EncdecRegistryTestA';
    const first: tf.KernelConfig = { kernelName, backendName, kernelFunc };
    replaceKernel(first);
    expect(tf.getKernel(kernelName, backendName)).toBe(first);
    expect(stockKernel(kernelName, backendName)).toBeUndefined();
    const second: tf.KernelConfig = { kernelName, backendName, kernelFunc };
    replaceKernel(second);
    replaceKernel(second);
    expect(tf.getKernel(kernelName, backendName)).toBe(second);
    // `first` was encdec's, not a stock kernel: nothing stock to remember.
    expect(stockKernel(kernelName, backendName)).toBeUndefined();
    tf.unregisterKernel(kernelName, backendName);
  });

  it('wrapKernel wraps the stock kernel once and returns it every time', () => {
    const kernelName = 'EncdecRegistryTestB';
    const stock: tf.KernelConfig = { kernelName, backendName, kernelFunc };
    expect(wrapKernel(kernelName, backendName, () => stock)).toBeUndefined(); // none to wrap
    tf.registerKernel(stock);
    let wraps = 0;
    const wrap = (inner: tf.KernelConfig): tf.KernelConfig => {
      wraps += 1;
      return { ...inner, kernelFunc: (args) => inner.kernelFunc(args) };
    };
    expect(wrapKernel(kernelName, backendName, wrap)).toBe(stock);
    const ours = tf.getKernel(kernelName, backendName);
    expect(ours).not.toBe(stock);
    expect(wrapKernel(kernelName, backendName, wrap)).toBe(stock);
    expect(tf.getKernel(kernelName, backendName)).toBe(ours);
    expect(wraps).toBe(1);
    expect(stockKernel(kernelName, backendName)).toBe(stock);
    tf.unregisterKernel(kernelName, backendName);
  });
});
