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
 * One more case, A^T B with a large B (a dense layer's weight gradient h^T dY over a 10,000-word
 * output: B [1280, 10000]), goes to encdec's own SIMD product (packages/core/assembly/
 * mat-mul-ta.ts), which reads B once instead of packing and streaming it: ~20 ms against ~30-60.
 *
 * The stock kernel only exists once `@tensorflow/tfjs-backend-wasm` is imported, so this one is
 * not registered on import of `@encdec/core`: `initBackend` does it when it loads wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { MAT_MUL_TA_WASM } from './mat-mul-ta-wasm.js';
import { replaceWasmKernel, type WasmBackendLike } from './wasm-kernel-swap.js';
import { heapAddress, moduleOn, type WasmBackendWithMemory } from './wasm-module.js';

/** The SIMD module's export (mat-mul-ta.ts): C [I, J] = A^T B, pointers into the memory. */
interface MatMulModule {
  matMulTransposedA(a: number, b: number, c: number, rows: number, cI: number, cJ: number): void;
}

/** B's size (floats) from which A^T B goes to the SIMD product: beyond what caches hold. */
const MIN_B_SIZE = 2 ** 20;

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
    if (transposeA && !transposeB) {
      const product = transposedAOnSimd(
        args.inputs.a as tf.TensorInfo,
        args.inputs.b as tf.TensorInfo,
        backend as WasmBackendWithMemory,
      );
      if (product !== null) return product;
    }
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
 * A^T B for a [R, I] or [1, R, I] and b [R, J] or [1, R, J] float32, with I % 4 = 0, J % 8 = 0
 * and b large, on the SIMD module: [I, J] or [1, I, J]; else null (the caller takes the
 * Transpose + XNNPACK path).
 */
function transposedAOnSimd(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  backend: WasmBackendWithMemory,
): tf.TensorInfo | null {
  const rank = a.shape.length;
  const single = (x: tf.TensorInfo) =>
    x.shape.length === rank && (rank === 2 || (rank === 3 && x.shape[0] === 1));
  if (!single(a) || !single(b)) return null;
  const [rows, cI] = a.shape.slice(-2) as [number, number];
  const cJ = b.shape[rank - 1]!;
  const fits =
    b.shape[rank - 2] === rows && cI % 4 === 0 && cJ % 8 === 0 && rows * cJ >= MIN_B_SIZE;
  if (!fits || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const out = backend.makeOutput(rank === 2 ? [cI, cJ] : [1, cI, cJ], 'float32');
  const at = (info: tf.TensorInfo) => heapAddress(backend, info); // after the allocation
  moduleOn<MatMulModule>(backend, MAT_MUL_TA_WASM).matMulTransposedA(
    at(a),
    at(b),
    at(out),
    rows,
    cI,
    cJ,
  );
  return out;
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
