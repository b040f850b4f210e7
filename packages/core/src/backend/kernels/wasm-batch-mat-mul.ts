/**
 * A faster `BatchMatMul` for `wasm` when an input is transposed: transpose it explicitly, then
 * multiply without transposes.
 *
 * The wasm kernel takes XNNPACK's fast path only when neither input is transposed; otherwise it
 * falls to a scalar loop. Every backward pass of a matMul needs the transposed products (dA =
 * dY Bᵀ, dB = Aᵀ dY), so training spent most of its time there. An explicit Transpose plus the
 * fast path gives the same products (equal within 3e-6) an order of magnitude faster
 * (bench/PERFORMANCE.md has the measurements).
 *
 * Four cases go to encdec's own SIMD product (packages/core/assembly/batch-mat-mul.ts):
 * - batches of more than one product (attention's scores and context, [64, 20, 32] x
 *   [64, 500, 32]^T and the like, forward and backward), which the stock kernel runs as a scalar
 *   loop;
 * - A^T B (a weight gradient h^T dY: a dense layer's over a 10,000-word output, B
 *   [1280, 10000]; a recurrent layer's over 32,000 tokens), where the product reads B once
 *   instead of packing and streaming it, which is faster than Transpose + XNNPACK at every size
 *   measured (bench/PERFORMANCE.md); a B of at least WIDE_B columns is copied block by block
 *   into a scratch buffer first;
 * - A B^T (a layer's dX = dY W^T, attention's projections backward), where the product's copy of
 *   B upright replaces the Transpose kernel's, and XNNPACK's packing of that copy;
 * - A B with a small B (at most SMALL_B floats: the Transformer's projections and feed-forward
 *   layers, [6400, 64] x [64, 64] and the like), where XNNPACK's packing of B on every call costs
 *   more than the product's reading of B again per block of rows.
 * A B with a large B (an output layer's [1280, 32] x [32, 10000]) keeps XNNPACK, which is as fast
 * or faster there.
 *
 * The stock kernel only exists once `@tensorflow/tfjs-backend-wasm` is imported, so this one is
 * not registered on import of `@encdec/core`: `initBackend` does it when it loads wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_MAT_MUL_WASM } from './modules/batch-mat-mul-bytes.js';
import { wrapKernel } from './registry.js';
import type { WasmBackendLike } from './wasm-module.js';
import { addressOn, freeOnError, moduleOn, type WasmBackendWithMemory } from './wasm-module.js';

/** The batched module's export (batch-mat-mul.ts): C[t] = op(A[t]) op(B[t]). */
interface BatchMatMulModule {
  batchMatMul(...args: number[]): void;
}

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
    const backend = args.backend as unknown as WasmBackendLike;
    const onSimd = productOnSimd(
      args.inputs.a as tf.TensorInfo,
      args.inputs.b as tf.TensorInfo,
      transposeA,
      transposeB,
      backend as WasmBackendWithMemory,
    );
    if (onSimd !== null) return onSimd;
    if (!transposeA && !transposeB) return stock.kernelFunc(args);
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

/** The most floats of B in a single untransposed product that goes to the SIMD module. */
const SMALL_B = 65_536;
/** The fewest columns of B for which A^T B copies B in blocks (`panels` of batch-mat-mul.ts). */
const WIDE_B = 1024;
/** The floats of one such block: its PANEL columns x KBLOCK rows. */
const PANEL_FLOATS = 64 * 1024;

/**
 * op(A[t]) op(B[t]) for every t of a batch of more than one product, or of a single one of the
 * cases listed at the top (float32; the batch dims equal, or one side a single matrix), on the
 * SIMD module; else null (A B with a large B keeps XNNPACK; other broadcasts the stock kernel).
 */
function productOnSimd(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  backend: WasmBackendWithMemory,
): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const batch = Math.max(batchA, batchB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const [a0, a1] = a.shape.slice(-2) as [number, number];
  const [b0, b1] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [a1, a0] : [a0, a1];
  const [kB, n] = transposeB ? [b1, b0] : [b0, b1];
  const single = transposeA ? !transposeB : transposeB || kB * n <= SMALL_B;
  if (batch <= 1 && !single) return null;
  let outer: number[];
  try {
    outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null; // the stock kernel reports it
  }
  if (k !== kB || tf.util.sizeFromShape(outer) !== batch) return null;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const panels = transposeA && !transposeB && n >= WIDE_B;
  // A transposed B is copied upright into scratch, except where A has fewer than 4 rows (the
  // module's `dotRows` reads B's rows as they are).
  const uprightB = transposeB && (transposeA || m >= 4);
  const scratchFloats = uprightB ? k * n : panels ? PANEL_FLOATS : 0;
  const scratch = scratchFloats > 0 ? backend.makeOutput([scratchFloats], 'float32') : null;
  const at = addressOn(backend); // used after the allocations
  try {
    freeOnError(backend, [out], () =>
      moduleOn<BatchMatMulModule>(backend, BATCH_MAT_MUL_WASM).batchMatMul(
        at(a),
        at(b),
        at(out),
        batch,
        m,
        k,
        n,
        batchA === 1 ? 0 : m * k,
        batchB === 1 ? 0 : k * n,
        transposeA ? 1 : 0,
        transposeB ? 1 : 0,
        scratch === null ? 0 : at(scratch),
      ),
    );
  } finally {
    if (scratch !== null) backend.disposeData(scratch.dataId);
  }
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
  return wrapKernel('BatchMatMul', 'wasm', (stock) => fastTransposeBatchMatMul(stock, transpose));
}
