/**
 * A faster `BatchMatMul` for `wasm` when an input is transposed: transpose it explicitly, then
 * multiply without transposes.
 *
 * The wasm kernel takes XNNPACK's fast path only when neither input is transposed; otherwise it
 * falls to a scalar loop (~2 GFLOP/s here, ~400 ms for one product of the seed model's output
 * layer). Every backward pass of a matMul needs the transposed products (dA = dY Bᵀ, dB = Aᵀ dY),
 * so training spends most of its time there. An explicit Transpose plus the fast path took
 * 28-64 ms for the same products, equal within 3e-6 (bench/PERFORMANCE.md).
 *
 * The stock kernel only exists once `@tensorflow/tfjs-backend-wasm` is imported, so this one is
 * not registered on import of `@encdec/core`: `initBackend` does it when it loads wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { replaceWasmKernel, type WasmBackendLike } from './wasm-kernel-swap.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The permutation that swaps the last two axes of a rank-`rank` tensor. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
  return perm;
}

/** Wraps the stock wasm `BatchMatMul` (and reuses its `setupFunc`, which binds the C function). */
export function fastTransposeBatchMatMul(
  stock: tf.KernelConfig,
  transpose: tf.KernelConfig,
): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return stock.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const intermediates: tf.TensorInfo[] = [];
    const upright = (x: tf.TensorInfo, transposed: boolean): tf.TensorInfo => {
      if (!transposed) return x;
      const perm = swapLastTwo(x.shape.length);
      const t = transpose.kernelFunc({ ...args, inputs: { x }, attrs: { perm } }) as tf.TensorInfo;
      intermediates.push(t);
      return t;
    };
    const a = upright(args.inputs.a as tf.TensorInfo, transposeA);
    const b = upright(args.inputs.b as tf.TensorInfo, transposeB);
    try {
      return stock.kernelFunc({
        ...args,
        inputs: { a, b },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of intermediates) backend.disposeData(t.dataId);
    }
  };
  return { ...stock, kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * Replaces wasm's `BatchMatMul` with {@link fastTransposeBatchMatMul}; call after importing
 * `@tensorflow/tfjs-backend-wasm`. Idempotent. Returns the stock kernel (tests compare with it),
 * or undefined when wasm's kernels are not registered.
 */
export function speedUpWasmMatMul(): tf.KernelConfig | undefined {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (transpose === undefined) return undefined;
  return replaceWasmKernel('BatchMatMul', (stock) => fastTransposeBatchMatMul(stock, transpose));
}
