/**
 * What the training loop (fit.ts) trains: a `Trainable` turns a batch of inputs into logits and
 * names its variables and optimizer; its objective sums a batch's loss and accuracy so that
 * batches combine exactly into epoch means (by default `tokenObjective`, the masked token
 * cross-entropy of seq2seq).
 */
import type * as tf from '@tensorflow/tfjs';
import { maskedTokenSums } from './loss.js';

/** What the loop trains: anything that turns a batch of inputs into logits. */
export interface Trainable {
  readonly optimizer: tf.Optimizer;
  /** The variables the optimizer updates. */
  variables(): tf.Variable[];
  /** logits for a batch ([batch, tgtLen, vocabSize] for seq2seq); `training` turns dropout on. */
  logits(inputs: tf.Tensor[], training: boolean): tf.Tensor;
  /** Saves the model into a directory (for checkpoints). */
  save?(dir: string): Promise<void>;
  /**
   * Loss and accuracy sums of a batch, from its logits and targets; `training` is true for the
   * batches the optimizer trains on (regularizers such as label smoothing apply there only) and
   * false for validation and evaluation. Default `tokenObjective`: the masked token cross-entropy
   * of seq2seq (padding targets, id 0, do not count). A classifier gives its own (e.g. binary
   * cross-entropy, one count per row).
   */
  objective?(logits: tf.Tensor, targets: tf.Tensor, training: boolean): BatchSums;
  /**
   * The learning rate of optimizer update number `step` (1, 2, ...: the optimizer's `iterations`
   * before the update, plus 1); the loop sets it on the optimizer before each update. Absent: the
   * optimizer keeps its rate.
   */
  learningRate?(step: number): number;
}

/** Sums over one batch (scalars), so that batches combine exactly into epoch means. */
export interface BatchSums {
  /** Sum of the per-item losses. */
  lossSum: tf.Scalar;
  /** Items predicted right. */
  correct: tf.Scalar;
  /** Items counted (real target tokens, or rows). */
  count: tf.Scalar;
}

/**
 * The default objective: masked token cross-entropy and accuracy over real target tokens, with
 * `labelSmoothing` (default 0) as in `maskedTokenSums`.
 */
export function tokenObjective(
  logits: tf.Tensor,
  targets: tf.Tensor,
  labelSmoothing = 0,
): BatchSums {
  const { lossSum, correct, tokens } = maskedTokenSums(logits, targets, labelSmoothing);
  return { lossSum, correct, count: tokens };
}

/** A batch's sums under the trainable's objective, `tokenObjective` when it has none. */
export function batchSums(
  trainable: Trainable,
  logits: tf.Tensor,
  targets: tf.Tensor,
  training: boolean,
): BatchSums {
  return trainable.objective
    ? trainable.objective(logits, targets, training)
    : tokenObjective(logits, targets);
}
