import * as tf from '@tensorflow/tfjs';

/** What a test compares of a tensor: its values (bools as 0/1), shape and dtype. */
export interface TensorRead {
  values: number[];
  shape: number[];
  dtype: tf.DataType;
}

/**
 * Runs `f` in `tf.tidy`, reads the tensor it returns and disposes it: nothing `f` makes is left.
 * (`tf.tidy` keeps tensors only; the values are read outside it.)
 */
export function tidyRead(f: () => tf.Tensor): TensorRead {
  const out = tf.tidy(f);
  try {
    return { values: Array.from(out.dataSync()), shape: out.shape, dtype: out.dtype };
  } finally {
    out.dispose();
  }
}

/** The value of the scalar `f` returns, read outside `tf.tidy`; nothing `f` makes is left. */
export function tidyScalar(f: () => tf.Scalar): number {
  const out = tf.tidy(f);
  try {
    return out.arraySync();
  } finally {
    out.dispose();
  }
}
