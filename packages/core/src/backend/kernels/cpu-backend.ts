/**
 * What encdec's `cpu` kernels use of TF.js's cpu backend, whose class the public types do not
 * export: a tensor's values by data id, and a new tensor from values.
 */
import type * as tf from '@tensorflow/tfjs';

export interface CpuBackendLike {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(
    shape: number[],
    dtype: tf.DataType,
    values: Float32Array | Int32Array,
  ): tf.TensorInfo;
}
