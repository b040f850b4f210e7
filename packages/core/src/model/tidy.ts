/**
 * `tf.tidy` for functions returning an object or array of tensors typed by an interface (TF.js
 * types its result as a `TensorContainer`, which interfaces do not satisfy): tensors in the
 * result are kept, every other tensor created inside is disposed.
 */
import * as tf from '@tensorflow/tfjs';

export function tidyResult<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
