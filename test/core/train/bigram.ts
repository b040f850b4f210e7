/** A tiny model and data set for the training-loop tests: the loop knows nothing of either. */
import type { Dataset, Trainable } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';

/** Vocabulary size of the bigram model. */
export const V = 6;

/** logits = W[token] (a bigram table), [rows, T, V]; `saves` records the checkpoint paths. */
export function bigram(
  optimizer: tf.Optimizer = tf.train.sgd(0.5),
  saves: string[] = [],
): Trainable & { W: tf.Variable } {
  const W = tf.variable(tf.zeros([V, V]));
  return {
    W,
    optimizer,
    variables: () => [W],
    logits: (inputs) => tf.gather(W, inputs[0]!),
    save: async (dir) => {
      saves.push(dir);
    },
  };
}

/** 20 rows: target = (token + 1) mod V, with trailing padding (0) in some rows. */
export function data(): Dataset {
  const x: number[][] = [];
  const y: number[][] = [];
  for (let r = 0; r < 20; r++) {
    const row = [1 + (r % 5), 1 + ((r + 2) % 5), 1 + ((r + 4) % 5)];
    x.push(row);
    y.push(row.map((t, i) => (r % 3 === 0 && i === 2 ? 0 : (t % 5) + 1)));
  }
  return {
    inputs: [tf.tensor2d(x, undefined, 'int32')],
    targets: tf.tensor2d(y, undefined, 'int32'),
  };
}
