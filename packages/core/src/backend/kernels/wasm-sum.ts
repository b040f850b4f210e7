/**
 * A faster `Sum` for `wasm` over leading axes (a column sum), by encdec's SIMD module
 * (packages/core/assembly/sum-rows.ts, `sumRows`): one pass over x [outer, inner], in order.
 *
 * The stock wasm kernel reduces only the innermost axes; for any other it first transposes the
 * input. The bias gradient of a Dense layer is such a sum (over the batch rows of dY, [1280,
 * 10000] for the Keras example model's output layer), where the transpose costs more than the
 * sum; a product with a row of ones on XNNPACK is fast only when the weight gradient has just
 * packed the same dY. This pass reads dY once either way (bench/PERFORMANCE.md).
 * Other axes and non-float32 inputs go to the stock kernel; an empty input sums to zeros (the
 * stock kernel's output was left uninitialized).
 *
 * Like wasm-batch-mat-mul.ts, registered by `initBackend` once the wasm package is loaded.
 */
import * as tf from '@tensorflow/tfjs';
import { SUM_ROWS_WASM } from './modules/sum-rows-bytes.js';
import { wrapKernel } from './registry.js';
import { addressOn, freeOnError, moduleOn, type WasmBackendWithMemory } from './wasm-module.js';

/** The SIMD module's export (sum-rows.ts): c [inner] = the sum of x's `outer` rows. */
interface SumModule {
  sumRows(x: number, c: number, outer: number, inner: number): void;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The kernels a leading-axes sum is made of, as registered on wasm when it runs. */
function wasmKernel(name: string): tf.KernelConfig {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`wasm kernel ${name} is not registered`);
  return config;
}

/** Wraps the stock wasm `Sum`. */
export function leadingAxesSum(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    if (tf.util.sizeFromShape(x.shape) === 0 && (x.dtype === 'float32' || x.dtype === 'int32')) {
      return emptySum(args, x, axes, keepDims);
    }
    const leading = axes.length < rank && axes.every((a, i) => a === i);
    const outer = axes.reduce((n, a) => n * x.shape[a]!, 1);
    if (x.dtype !== 'float32' || !leading || outer < 2) return stock.kernelFunc(args);

    const backend = args.backend as unknown as WasmBackendWithMemory;
    const kept = x.shape.slice(axes.length);
    const inner = kept.reduce((n, d) => n * d, 1);
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    const at = addressOn(backend); // used after the allocation
    freeOnError(backend, [out], () =>
      moduleOn<SumModule>(backend, SUM_ROWS_WASM).sumRows(at(x), at(out), outer, inner),
    );
    return out;
  };
  return { ...stock, kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * The sum of an empty tensor: zeros (the stock wasm kernel returns uninitialized memory for
 * `tf.sum(tf.zeros([0, 3]), 0)`).
 */
function emptySum(
  args: KernelArgs,
  x: tf.TensorInfo,
  axes: number[],
  keepDims: boolean,
): tf.TensorInfo {
  const shape = x.shape.flatMap((d, i) => (axes.includes(i) ? (keepDims ? [1] : []) : [d]));
  return wasmKernel('Fill').kernelFunc({
    inputs: {},
    attrs: { shape, value: 0, dtype: x.dtype },
    backend: args.backend,
  }) as tf.TensorInfo;
}

/**
 * Replaces wasm's `Sum` with {@link leadingAxesSum}; call after importing
 * `@tensorflow/tfjs-backend-wasm`. Idempotent. Returns the stock kernel (tests compare with it),
 * or undefined when wasm's kernels are not registered.
 */
export function speedUpWasmSum(): tf.KernelConfig | undefined {
  return wrapKernel('Sum', 'wasm', leadingAxesSum);
}
