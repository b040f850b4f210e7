/**
 * `Identity` and a `Cast` to the same dtype on `wasm` without copying: the output shares the
 * input's data (its reference count goes up), as wasm's own `Reshape` and the cpu backend's
 * `Identity` do. Tensors are immutable, so sharing is safe. (And a right cast to bool.)
 *
 * The stock wasm kernels copy. TF.js clones every tensor a gradient needs (the tape's
 * `saveTensorsForBackwardMode`) and casts both operands of a binary op to a common dtype, so a
 * training step of the Keras example model copied its [1280, 10000] logits, probabilities and
 * gradients about seven times (bench/PERFORMANCE.md has the measurements).
 *
 * Like wasm-batch-mat-mul.ts, registered by `initBackend` once the wasm package is loaded.
 */
import type * as tf from '@tensorflow/tfjs';
import { wrapKernel } from './registry.js';
import type { WasmBackendLike } from './wasm-module.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** A new handle on x's data. */
function share(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Wraps the stock wasm `Identity` (strings still go to it). */
export function sharingIdentity(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) =>
    (args.inputs.x as tf.TensorInfo).dtype === 'string' ? stock.kernelFunc(args) : share(args);
  return { ...stock, kernelFunc: kernelFunc as tf.KernelFunc };
}

/**
 * Wraps the stock wasm `Cast`: a cast to the input's own dtype shares. A cast to bool is x != 0
 * (the stock kernel copies the numbers into bytes, so -2 became 254); any other converts as the
 * stock kernel does (float to int32 truncates toward zero).
 */
export function sharingCast(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { dtype } = args.attrs as { dtype: tf.DataType };
    if (dtype === x.dtype && dtype !== 'string') return share(args);
    if (dtype === 'bool' && (x.dtype === 'float32' || x.dtype === 'int32')) return toBool(args);
    return stock.kernelFunc(args);
  };
  return { ...stock, kernelFunc: kernelFunc as tf.KernelFunc };
}

function toBool(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const backend = args.backend as unknown as WasmBackendLike;
  const output = backend.makeOutput(x.shape, 'bool');
  // Views are taken after the allocation: a malloc may grow the heap and detach older views.
  const out = backend.typedArrayFromHeap(output);
  const values = backend.typedArrayFromHeap(x);
  for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  return output;
}

/**
 * Replaces wasm's `Identity` and `Cast` with {@link sharingIdentity} and {@link sharingCast};
 * call after importing `@tensorflow/tfjs-backend-wasm`. Idempotent. Returns the stock kernels,
 * or undefined when wasm's kernels are not registered.
 */
export function shareWasmData(): { identity: tf.KernelConfig; cast: tf.KernelConfig } | undefined {
  const identity = wrapKernel('Identity', 'wasm', sharingIdentity);
  const cast = wrapKernel('Cast', 'wasm', sharingCast);
  return identity && cast ? { identity, cast } : undefined;
}
