/**
 * Evaluation: a `Trainable`'s mean loss and accuracy over every row of a `Dataset`, batch by
 * batch, without dropout or updates (the training loop's validation, fit.ts step 4, and the
 * models' `evaluate`).
 */
import * as tf from '@tensorflow/tfjs';
import { positiveInt } from '../checks.js';
import type { Logs } from './callbacks.js';
import { checkDataset, type Dataset, sliceRows } from './dataset.js';
import { batchSums, type Trainable } from './trainable.js';

/** Mean loss and accuracy over every real target token of `data`, no dropout, no updates. */
export async function evaluateLoop(
  trainable: Trainable,
  data: Dataset,
  batchSize = 32,
): Promise<Logs> {
  positiveInt('batchSize', batchSize);
  const rows = checkDataset('data', data);
  let lossSum = 0;
  let correct = 0;
  let tokens = 0;
  for (let start = 0; start < rows; start += batchSize) {
    const size = Math.min(batchSize, rows - start);
    const sums = tf.tidy(() => {
      const batch = sliceRows(data, start, size);
      const logits = trainable.logits(batch.inputs, false);
      const sums = batchSums(trainable, logits, batch.targets, false);
      return [sums.lossSum, sums.correct, sums.count];
    });
    const [loss, hits, count] = await Promise.all(sums.map(readScalar));
    lossSum += loss!;
    correct += hits!;
    tokens += count!;
  }
  return { loss: lossSum / Math.max(tokens, 1), accuracy: correct / Math.max(tokens, 1) };
}

/** The value of a scalar tensor, which it disposes. */
export async function readScalar(t: tf.Tensor): Promise<number> {
  try {
    return (await t.data())[0]!;
  } finally {
    t.dispose();
  }
}
