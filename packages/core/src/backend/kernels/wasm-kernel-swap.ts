/**
 * Swapping a stock wasm kernel for a wrapper around it, once: the wrappers in this folder need
 * the stock kernel (and its `setupFunc`, which binds the C function), so they are built only
 * after `@tensorflow/tfjs-backend-wasm` has registered its kernels.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * The part of the wasm backend (TF.js does not export its class) that encdec's kernels use: it
 * keeps tensors on its heap, `makeOutput` allocates one there, `typedArrayFromHeap` views one
 * (a view taken before an allocation may be detached by it), data is reference-counted.
 */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: object): void;
  disposeData(dataId: object): boolean;
}

/** Per kernel name: the stock kernel and the wrapper that replaced it. */
const swaps = new Map<string, { stock: tf.KernelConfig; ours: tf.KernelConfig }>();

/**
 * Registers `wrap(stock)` as wasm's `kernelName`. Idempotent: a second call keeps the first
 * wrapper. Returns the stock kernel, or undefined when wasm has no such kernel registered.
 */
export function replaceWasmKernel(
  kernelName: string,
  wrap: (stock: tf.KernelConfig) => tf.KernelConfig,
): tf.KernelConfig | undefined {
  const current = tf.getKernel(kernelName, 'wasm');
  if (current === undefined) return undefined;
  const swap = swaps.get(kernelName);
  if (current === swap?.ours) return swap.stock;
  const ours = wrap(current);
  swaps.set(kernelName, { stock: current, ours });
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel(ours);
  return current;
}
