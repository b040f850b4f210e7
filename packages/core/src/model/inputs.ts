/**
 * Token-id inputs as users give them (nested arrays, typed-array rows, int32 tensors), checked and
 * turned into one int32 tensor [batchSize, length]. Rows must already be padded to one length
 * (see `padSequences`); ids must lie in [0, vocabSize).
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, show, tokenOutOfRange } from '../errors.js';

/** Rows of token ids: number[][], Int32Array[] (equal lengths), or an int32 tf.Tensor2D. */
export type TokenInput = readonly (readonly number[] | Int32Array)[] | tf.Tensor;

/** `input` as an int32 [batchSize, length] tensor; `owned`: the caller must dispose it. */
export function toTokenTensor(
  name: string,
  input: TokenInput,
  vocabSize?: number,
): { tensor: tf.Tensor2D; owned: boolean } {
  if (input instanceof tf.Tensor) {
    if (input.rank !== 2) {
      throw invalidArgument(
        name,
        `a rank-${input.rank} tensor of shape ${show(input.shape)}`,
        'token ids of rank 2, [batchSize, length]',
      );
    }
    if (input.dtype !== 'int32') {
      throw invalidArgument(
        name,
        `a ${input.dtype} tensor`,
        "an int32 tensor (token ids; cast with tf.cast(x, 'int32'))",
      );
    }
    if (input.size === 0)
      throw invalidArgument(name, input.shape, 'at least one row and one column');
    if (vocabSize !== undefined) checkTensorRange(name, input, vocabSize);
    return { tensor: input as tf.Tensor2D, owned: false };
  }
  if (!Array.isArray(input) || input.length === 0) {
    throw invalidArgument(
      name,
      input,
      'a non-empty list of token-id rows [batchSize][length], or an int32 tensor',
    );
  }
  const length = rowLength(name, input[0], 0);
  if (length === 0) throw invalidArgument(`${name}[0]`, input[0], 'a non-empty row of token ids');
  const flat = new Int32Array(input.length * length);
  input.forEach((row, r) => {
    if (rowLength(name, row, r) !== length) {
      throw invalidArgument(
        `${name}[${r}]`,
        `a row of length ${row.length}`,
        `a row of length ${length} like ${name}[0] (pad the rows to one length first)`,
      );
    }
    for (let t = 0; t < length; t++) {
      const id = row[t]!;
      if (!Number.isInteger(id))
        throw invalidArgument(`${name}[${r}][${t}]`, id, 'an integer token id');
      if (vocabSize !== undefined && (id < 0 || id >= vocabSize)) {
        throw tokenOutOfRange(`${name}[${r}][${t}]`, id, vocabSize);
      }
      flat[r * length + t] = id;
    }
  });
  return { tensor: tf.tensor2d(flat, [input.length, length], 'int32'), owned: true };
}

function rowLength(name: string, row: unknown, r: number): number {
  if (!(Array.isArray(row) || row instanceof Int32Array)) {
    throw invalidArgument(`${name}[${r}]`, row, 'a row of token ids (number[] or Int32Array)');
  }
  return row.length;
}

function checkTensorRange(name: string, ids: tf.Tensor, vocabSize: number): void {
  const [min, max] = tf
    .tidy(() => [tf.min(ids), tf.max(ids)])
    .map((t) => {
      const value = t.dataSync()[0]!;
      t.dispose();
      return value;
    });
  if (min! < 0) throw tokenOutOfRange(name, min!, vocabSize);
  if (max! >= vocabSize) throw tokenOutOfRange(name, max!, vocabSize);
}
