/**
 * out[r, j] = matrix[r, columns[r, j]] (numpy's take_along_axis on axis 1), as ONE 1-D gather on
 * flat indices r * n + columns[r, j]. Not `tf.gather(matrix, columns, 1, 1)`: with batchDims 1
 * the wasm backend of TF.js 4.22 returns wrong values ([[1, 2, 3], [4, 5, 6]] with [[2], [0]]
 * gives [[3], [0]], not [[3], [4]]).
 */
import * as tf from '@tensorflow/tfjs';

export function takeAlongRows(matrix: tf.Tensor2D, columns: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, n] = matrix.shape;
    const starts = tf.reshape(tf.range(0, rows * n, n, 'int32'), [rows, 1]); // [rows, 1]: r * n
    const ids = columns.dtype === 'int32' ? columns : tf.cast(columns, 'int32');
    const flat = tf.add(ids, starts); // [rows, m]
    const values: tf.Tensor1D = tf.reshape(matrix, [rows * n]); // [rows * n]
    return tf.gather(values, flat) as tf.Tensor as tf.Tensor2D; // [rows, m]
  });
}
