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
   * Loss and accuracy sums of a batch, from its logits and targets. Default `tokenObjective`: the
   * masked token cross-entropy of seq2seq (padding targets, id 0, do not count). A classifier
   * gives its own (e.g. binary cross-entropy, one count per row).
   */
  objective?(logits: tf.Tensor, targets: tf.Tensor): BatchSums;
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

/** The default objective: masked token cross-entropy and accuracy over real target tokens. */
export function tokenObjective(logits: tf.Tensor, targets: tf.Tensor): BatchSums {
  const { lossSum, correct, tokens } = maskedTokenSums(logits, targets);
  return { lossSum, correct, count: tokens };
}
