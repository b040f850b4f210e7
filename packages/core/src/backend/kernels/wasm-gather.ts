/**
 * A faster `GatherV2` for `wasm`: rows copied with typed-array views on the wasm heap.
 *
 * The stock wasm kernel copies element by element with an index computation each, where an
 * Embedding lookup ([10000, 32] by 32,000 ids for the Keras example model at 500 tokens) is
 * whole rows (bench/PERFORMANCE.md has the measurements). It also honours `batchDims` (TF.js 4.22's wasm kernel
 * returns wrong values for batchDims 1). Same out-of-range error as the cpu kernel.
 *
 * Like wasm-batch-mat-mul.ts, registered by `initBackend` once the wasm package is loaded.
 */
import * as tf from '@tensorflow/tfjs';
import { wrapKernel } from './registry.js';
import type { WasmBackendLike } from './wasm-module.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

const HEAP_DTYPES = new Set<tf.DataType>(['float32', 'int32', 'bool']);

/** Wraps the stock wasm `GatherV2`, which still handles dtypes off the heap (string, complex). */
export function heapGather(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const indices = args.inputs.indices as tf.TensorInfo;
    if (!HEAP_DTYPES.has(x.dtype)) return stock.kernelFunc(args);
    const { axis, batchDims } = args.attrs as { axis: number; batchDims?: number };
    const wasm = args.backend as unknown as WasmBackendLike;
    const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const axisDim = x.shape[parsedAxis]!;
    const ids = wasm.typedArrayFromHeap(indices);
    for (const index of ids) {
      if (!(index >= 0 && index <= axisDim - 1)) {
        throw new Error(`GatherV2: the index value ${index} is not in [0, ${axisDim - 1}]`);
      }
    }
    // x as [batch, outer, dim, slice], indices as [batch, n], out as [batch, outer, n, slice].
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(
      x as tf.TensorInfo as tf.Tensor,
      indices as tf.TensorInfo as tf.Tensor,
      parsedAxis,
      batchDims ?? 0,
    );
    const { batchSize, outerSize, dimSize, sliceSize } = info;
    const n = ids.length / batchSize;
    const output = wasm.makeOutput(info.outputShape, x.dtype);
    // Views are taken after the allocation: a malloc may grow the heap and detach older views.
    const out = wasm.typedArrayFromHeap(output);
    const from = wasm.typedArrayFromHeap(x);
    const idsNow = wasm.typedArrayFromHeap(indices);
    // Rows are moved within the heap by copyWithin on one view of all of it: no view per row.
    const heap = new (out.constructor as Float32ArrayConstructor)(out.buffer);
    const fromAt = from.byteOffset / from.BYTES_PER_ELEMENT;
    let at = out.byteOffset / out.BYTES_PER_ELEMENT;
    for (let b = 0; b < batchSize; b++) {
      for (let o = 0; o < outerSize; o++) {
        const base = (b * outerSize + o) * dimSize;
        for (let i = 0; i < n; i++) {
          const start = fromAt + (base + idsNow[b * n + i]!) * sliceSize;
          if (sliceSize < 16) {
            for (let k = 0; k < sliceSize; k++) heap[at + k] = heap[start + k]!;
          } else {
            heap.copyWithin(at, start, start + sliceSize);
          }
          at += sliceSize;
        }
      }
    }
    return output;
  };
  return { ...stock, kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * Replaces wasm's `GatherV2` with {@link heapGather}; call after importing
 * `@tensorflow/tfjs-backend-wasm`. Idempotent. Returns the stock kernel, or undefined when wasm's
 * kernels are not registered.
 */
export function speedUpWasmGather(): tf.KernelConfig | undefined {
  return wrapKernel('GatherV2', 'wasm', heapGather);
}
