/**
 * A faster `TopK` for `wasm` at small k: one pass over each row on the wasm heap, keeping the k
 * largest so far in a sorted buffer (an element below the buffer's smallest costs one compare).
 * float32 rows go to the same pass compiled to SIMD wasm (packages/core/assembly/top-k-row.ts:
 * sixteen values tested at once), int32 rows to `topKRows` here.
 *
 * Beam search takes the top 2 x beamWidth of beamWidth x vocabSize candidates per input every
 * step ([64, 50000] with k = 10 for the Keras example model), where the stock kernel sorts more
 * than it needs (bench/PERFORMANCE.md). Same results as tf.topk: values in descending order, equal values by
 * ascending index. Large k (> 64), where the buffer's insertions would cost more than a sort,
 * goes to the stock kernel.
 *
 * Like wasm-batch-mat-mul.ts, registered by `initBackend` once the wasm package is loaded.
 */
import * as tf from '@tensorflow/tfjs';
import { TOP_K_WASM } from './modules/top-k-bytes.js';
import { wrapKernel } from './registry.js';
import { freeOnError, heapAddress, moduleOn, type WasmBackendWithMemory } from './wasm-module.js';

/** The SIMD module's export (top-k.ts): pointers into the backend's memory. */
interface TopKModule {
  topK(x: number, rows: number, n: number, k: number, values: number, indices: number): void;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Values = Float32Array | Int32Array;

/** Largest k handled here; above it the stock kernel's sort wins. */
const MAX_K = 64;

/**
 * The k largest of each of `rows` rows of x (row length n) into values/indices [rows, k], largest
 * first. Each row's buffer holds the k largest seen so far; a new element goes in after every
 * element >= it, so equal values keep their index order.
 */
export function topKRows(
  x: Values,
  rows: number,
  n: number,
  k: number,
  values: Values,
  indices: Int32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    const o = r * k;
    // The first k elements, insertion-sorted.
    for (let j = 0; j < k; j++) insert(values, indices, o, j, x[base + j]!, j);
    // The rest: most fail the one compare with the smallest kept, four at a time.
    let smallest = values[o + k - 1]!;
    let j = k;
    for (; j + 4 <= n; j += 4) {
      const a = x[base + j]!;
      const b = x[base + j + 1]!;
      const c = x[base + j + 2]!;
      const d = x[base + j + 3]!;
      if (a > smallest || b > smallest || c > smallest || d > smallest) {
        for (let q = 0; q < 4; q++) {
          const v = x[base + j + q]!;
          if (v > smallest) {
            insert(values, indices, o, k - 1, v, j + q);
            smallest = values[o + k - 1]!;
          }
        }
      }
    }
    for (; j < n; j++) {
      const v = x[base + j]!;
      if (v > smallest) {
        insert(values, indices, o, k - 1, v, j);
        smallest = values[o + k - 1]!;
      }
    }
  }
}

/** Puts (v, j) at position p of the row's buffer at o, or before it past every smaller value. */
function insert(values: Values, indices: Int32Array, o: number, p: number, v: number, j: number) {
  while (p > 0 && values[o + p - 1]! < v) {
    values[o + p] = values[o + p - 1]!;
    indices[o + p] = indices[o + p - 1]!;
    p--;
  }
  values[o + p] = v;
  indices[o + p] = j;
}

/** Wraps the stock wasm `TopK`. */
export function heapTopK(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { k } = args.attrs as { k: number };
    const n = x.shape.at(-1) ?? 1;
    if (k > MAX_K || k < 1 || k > n || (x.dtype !== 'float32' && x.dtype !== 'int32')) {
      return stock.kernelFunc(args);
    }
    const wasm = args.backend as unknown as WasmBackendWithMemory;
    const shape = [...x.shape.slice(0, -1), k];
    const outValues = wasm.makeOutput(shape, x.dtype);
    const outIndices = wasm.makeOutput(shape, 'int32');
    // Views are taken after the allocations: a malloc may grow the heap and detach older views.
    const rows = tf.util.sizeFromShape(x.shape) / n;
    const view = (info: tf.TensorInfo) => wasm.typedArrayFromHeap(info);
    if (x.dtype === 'float32') {
      freeOnError(wasm, [outValues, outIndices], () =>
        moduleOn<TopKModule>(wasm, TOP_K_WASM).topK(
          heapAddress(wasm, x),
          rows,
          n,
          k,
          heapAddress(wasm, outValues),
          heapAddress(wasm, outIndices),
        ),
      );
    } else {
      topKRows(
        view(x) as Values,
        rows,
        n,
        k,
        view(outValues) as Values,
        view(outIndices) as Int32Array,
      );
    }
    return [outValues, outIndices];
  };
  return { ...stock, kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * Replaces wasm's `TopK` with {@link heapTopK}; call after importing
 * `@tensorflow/tfjs-backend-wasm`. Idempotent. Returns the stock kernel, or undefined when wasm's
 * kernels are not registered.
 */
export function speedUpWasmTopK(): tf.KernelConfig | undefined {
  return wrapKernel('TopK', 'wasm', heapTopK);
}
