/**
 * A faster `Slice` for `wasm` when the slice is one contiguous range of the input (the leading
 * rows of a tensor, or any range of a flat one): it copies that range, heap to heap.
 *
 * The stock kernel first reads the whole input out of the heap (`readSync`, a copy of all of it)
 * and then copies the slice from that copy: taking an LSTM's final states (2 x [64, 32]) out of
 * the fused op's packed result ([64, 100, 32] outputs before them) cost as much as slicing out
 * all the outputs. Other slices (and strings) still go to the stock kernel.
 *
 * Like wasm-batch-mat-mul.ts, registered by `initBackend` once the wasm package is loaded.
 */
import * as tf from '@tensorflow/tfjs';
import { wrapKernel } from './registry.js';
import type { WasmBackendLike } from './wasm-module.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Wraps the stock wasm `Slice`. */
export function rangeSlice(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { begin, size } = args.attrs as unknown as {
      begin: number | number[];
      size: number | number[];
    };
    // parseSliceParams returns the pair [begin, size], each with one entry per axis of x.
    const [begin_, size_] = tf.slice_util.parseSliceParams(
      x as tf.TensorInfo as tf.Tensor,
      begin,
      size,
    ) as [number[], number[]];
    if (x.dtype === 'string' || !tf.slice_util.isSliceContinous(x.shape, begin_, size_)) {
      return stock.kernelFunc(args);
    }
    const backend = args.backend as unknown as WasmBackendLike;
    const from = tf.slice_util.computeFlatOffset(begin_, tf.util.computeStrides(x.shape));
    const output = backend.makeOutput(size_, x.dtype);
    // Views are taken after the allocation: a malloc may grow the heap and detach older views.
    const out = backend.typedArrayFromHeap(output);
    out.set(backend.typedArrayFromHeap(x).subarray(from, from + out.length));
    return output;
  };
  return { ...stock, kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * Replaces wasm's `Slice` with {@link rangeSlice}; call after importing
 * `@tensorflow/tfjs-backend-wasm`. Idempotent. Returns the stock kernel, or undefined when wasm's
 * kernels are not registered.
 */
export function speedUpWasmSlice(): tf.KernelConfig | undefined {
  return wrapKernel('Slice', 'wasm', rangeSlice);
}
