/**
 * Two wasm kernels over rows of logits, by a small module compiled from
 * packages/core/assembly/row-stats.ts that runs on the backend's own memory with SIMD:
 *
 * `EncdecRowStats`, logits [rows, n] -> what search and the loss need of a step (ops/row-stats.ts),
 * in two passes over each row (the maximum; the sum of exp(x - max)) and a scan to the maximum's
 * index, where stock ops take a softmax (three passes, one written back), an argmax and gathers.
 *
 *   best [rows] int32                lowest index among equal maxima, as tf.argMax
 *   logSumExp [rows, 1] float32      m + log(sum_j exp(x_j - m)), m the row's maximum
 *   bestLogProb [rows, 1] float32    x_best - logSumExp = -log(sum_j exp(x_j - m))
 *
 * `EncdecRowTopK` (attribute k <= 64), logits [rows, n] -> what beam search needs of a step: each
 * row's k largest logits and their indices (as tf.topk: largest first, equal values by ascending
 * index) and the row's logSumExp [rows, 1], exactly as `EncdecRowStats` computes it (the top
 * value is the maximum). One pass over a row for the top k, then the exp pass while the row is
 * still in the cache, where `TopK` and `EncdecRowStats` apart would each read the logits
 * ([320, 10000] at beam width 5 and the Keras example model's vocabulary) from memory.
 *
 * `EncdecCrossEntropyGrad`, the backward pass of the masked cross-entropy (train/loss.ts):
 * (softmax(x) - onehot(target)) * scale per row, as one pass that writes the result, where the
 * stock ops take a softmax, a scatter, a multiply and an add over [tokens, vocabSize].
 *
 * Other backends have none of these kernels; ops/row-stats.ts then uses stock ops.
 */
import * as tf from '@tensorflow/tfjs';
import { ROW_STATS_WASM } from './modules/row-stats-bytes.js';
import {
  addressOn,
  freeOnError,
  heapAddress,
  moduleOn,
  type WasmBackendWithMemory,
} from './wasm-module.js';

export const ROW_STATS = 'EncdecRowStats';
export const CROSS_ENTROPY_GRAD = 'EncdecCrossEntropyGrad';
export const ROW_TOP_K = 'EncdecRowTopK';
/** Largest k of `EncdecRowTopK` (its insertion buffer costs more than a sort above it). */
export const ROW_TOP_K_MAX_K = 64;

/** The module's exports: pointers into the backend's memory, sizes as numbers. */
interface Kernels {
  rowStats(x: number, rows: number, n: number, best: number, max: number, sum: number): void;
  rowTopK(
    x: number,
    rows: number,
    n: number,
    k: number,
    values: number,
    indices: number,
    sum: number,
  ): void;
  crossEntropyGrad(
    x: number,
    rows: number,
    n: number,
    lse: number,
    scale: number,
    target: number,
    out: number,
  ): void;
}

function rowStatsKernel(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.shape.length !== 2 || x.dtype !== 'float32') {
    throw new Error(`${ROW_STATS} takes float32 logits [rows, n], got ${x.dtype} ${x.shape}`);
  }
  const [rows, n] = x.shape as [number, number];
  const backend = args.backend as unknown as WasmBackendWithMemory;
  const best = backend.makeOutput([rows], 'int32');
  const logSumExp = backend.makeOutput([rows, 1], 'float32');
  const bestLogProb = backend.makeOutput([rows, 1], 'float32');
  // Views are taken after the allocations: a malloc may grow the heap and detach older views.
  const view = (info: tf.TensorInfo) => backend.typedArrayFromHeap(info);
  const lse = view(logSumExp) as Float32Array; // max first, then m + log(sum)
  const logp = view(bestLogProb) as Float32Array; // sum first, then -log(sum)
  freeOnError(backend, [best, logSumExp, bestLogProb], () =>
    moduleOn<Kernels>(backend, ROW_STATS_WASM).rowStats(
      heapAddress(backend, x),
      rows,
      n,
      heapAddress(backend, best),
      lse.byteOffset,
      logp.byteOffset,
    ),
  );
  for (let r = 0; r < rows; r++) {
    const logSum = Math.log(logp[r]!);
    lse[r] = lse[r]! + logSum;
    logp[r] = -logSum;
  }
  return [best, logSumExp, bestLogProb];
}

function rowTopKKernel(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  const k = (args.attrs as { k: number }).k;
  if (x.shape.length !== 2 || x.dtype !== 'float32') {
    throw new Error(`${ROW_TOP_K} takes float32 logits [rows, n], got ${x.dtype} ${x.shape}`);
  }
  const [rows, n] = x.shape as [number, number];
  if (!Number.isInteger(k) || k < 1 || k > Math.min(n, ROW_TOP_K_MAX_K)) {
    throw new Error(
      `${ROW_TOP_K} takes k in [1, min(n, ${ROW_TOP_K_MAX_K})] = [1, ${Math.min(n, ROW_TOP_K_MAX_K)}], got ${k}`,
    );
  }
  const backend = args.backend as unknown as WasmBackendWithMemory;
  const values = backend.makeOutput([rows, k], 'float32');
  const indices = backend.makeOutput([rows, k], 'int32');
  const logSumExp = backend.makeOutput([rows, 1], 'float32');
  const at = addressOn(backend); // used after the allocations
  freeOnError(backend, [values, indices, logSumExp], () =>
    moduleOn<Kernels>(backend, ROW_STATS_WASM).rowTopK(
      at(x),
      rows,
      n,
      k,
      at(values),
      at(indices),
      at(logSumExp),
    ),
  );
  // The module leaves sum_j exp(x_j - m) there; lse = m + log(sum), m the row's top value.
  const top = backend.typedArrayFromHeap(values) as Float32Array;
  const lse = backend.typedArrayFromHeap(logSumExp) as Float32Array;
  for (let r = 0; r < rows; r++) lse[r] = top[r * k]! + Math.log(lse[r]!);
  return [values, indices, logSumExp];
}

function crossEntropyGradKernel(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, lse, scale, target } = args.inputs as Record<string, tf.TensorInfo>;
  const [rows, n] = x!.shape as [number, number];
  const backend = args.backend as unknown as WasmBackendWithMemory;
  const out = backend.makeOutput([rows, n], 'float32');
  const at = addressOn(backend); // used after the allocation
  freeOnError(backend, [out], () =>
    moduleOn<Kernels>(backend, ROW_STATS_WASM).crossEntropyGrad(
      at(x!),
      rows,
      n,
      at(lse!),
      at(scale!),
      at(target!),
      at(out),
    ),
  );
  return out;
}

export const wasmRowStatsConfig: tf.KernelConfig = {
  kernelName: ROW_STATS,
  backendName: 'wasm',
  kernelFunc: rowStatsKernel as unknown as tf.KernelFunc,
};

export const wasmRowTopKConfig: tf.KernelConfig = {
  kernelName: ROW_TOP_K,
  backendName: 'wasm',
  kernelFunc: rowTopKKernel as unknown as tf.KernelFunc,
};

export const wasmCrossEntropyGradConfig: tf.KernelConfig = {
  kernelName: CROSS_ENTROPY_GRAD,
  backendName: 'wasm',
  kernelFunc: crossEntropyGradKernel as unknown as tf.KernelFunc,
};

/**
 * [best, logSumExp, bestLogProb] of logits [rows, n] (see the top of this file), or null when the
 * current backend has no `EncdecRowStats` kernel.
 */
export function rowStats(logits: tf.Tensor2D): [tf.Tensor1D, tf.Tensor2D, tf.Tensor2D] | null {
  if (tf.getKernel(ROW_STATS, tf.getBackend()) === undefined) return null;
  return tf.engine().runKernel(ROW_STATS, { x: logits }) as unknown as [
    tf.Tensor1D,
    tf.Tensor2D,
    tf.Tensor2D,
  ];
}

/**
 * [values, indices, logSumExp] of logits [rows, n]: each row's k largest (as tf.topk) and its
 * log-sum-exp (see the top of this file); null when the current backend has no `EncdecRowTopK`
 * kernel or k is above ROW_TOP_K_MAX_K.
 */
export function rowTopK(
  logits: tf.Tensor2D,
  k: number,
): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] | null {
  if (k > ROW_TOP_K_MAX_K || tf.getKernel(ROW_TOP_K, tf.getBackend()) === undefined) return null;
  return tf.engine().runKernel(ROW_TOP_K, { x: logits }, { k }) as unknown as [
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor2D,
  ];
}

/**
 * (softmax(x) - onehot(target)) * scale of logits x [rows, n], given their log-sum-exp lse
 * [rows, 1], scale float32 [rows] and target int32 [rows]; null when the current backend has no
 * `EncdecCrossEntropyGrad` kernel.
 */
export function crossEntropyGrad(
  x: tf.Tensor2D,
  lse: tf.Tensor2D,
  scale: tf.Tensor1D,
  target: tf.Tensor1D,
): tf.Tensor2D | null {
  if (tf.getKernel(CROSS_ENTROPY_GRAD, tf.getBackend()) === undefined) return null;
  return tf.engine().runKernel(CROSS_ENTROPY_GRAD, { x, lse, scale, target }) as tf.Tensor2D;
}
