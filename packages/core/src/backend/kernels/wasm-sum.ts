/**
 * A faster `Sum` for `wasm` over leading axes (a column sum): one matrix product with a row of
 * ones, ones[1, outer] x[outer, inner], on XNNPACK's fast path.
 *
 * The stock wasm kernel reduces only the innermost axes; for any other it first transposes the
 * input. The bias gradient of a Dense layer is such a sum (over the batch rows of dY): for the
 * seed model's output layer, [1280, 10000], the transpose plus reduce took ~50 ms a training
 * step, the product ~2 ms, equal results (bench/train-decode.bench.mjs, test/core/backend).
 * Other axes and non-float32 inputs go to the stock kernel; an empty input sums to zeros (the
 * stock kernel's output was left uninitialized).
 *
 * Like wasm-batch-mat-mul.ts, registered by `initBackend` once the wasm package is loaded.
 */
import * as tf from '@tensorflow/tfjs';
import { replaceWasmKernel, type WasmBackendLike } from './wasm-kernel-swap.js';

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

    const backend = args.backend as unknown as WasmBackendLike;
    const kept = x.shape.slice(axes.length);
    const inner = kept.reduce((n, d) => n * d, 1);
    const run = (name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) =>
      wasmKernel(name).kernelFunc({ inputs, attrs, backend: args.backend }) as tf.TensorInfo;
    const intermediates: tf.TensorInfo[] = [];
    try {
      const ones = run('Fill', {}, { shape: [1, 1, outer], value: 1, dtype: 'float32' }); // [1, 1, outer]
      const x3d = run('Reshape', { x }, { shape: [1, outer, inner] }); // [1, outer, inner]
      intermediates.push(ones, x3d);
      const product = run(
        'BatchMatMul',
        { a: ones, b: x3d },
        { transposeA: false, transposeB: false },
      ); // [1, 1, inner]
      intermediates.push(product);
      const shape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
      return run('Reshape', { x: product }, { shape }); // [...kept] or [1, ..., 1, ...kept]
    } finally {
      for (const t of intermediates) backend.disposeData(t.dataId);
    }
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
  return replaceWasmKernel('Sum', leadingAxesSum);
}
