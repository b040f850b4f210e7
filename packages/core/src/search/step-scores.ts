/**
 * A step's scores of the next token: log-probabilities as they are, or logits, normalized only
 * where search needs log-probabilities (ranking across beams, the log-probability of a chosen
 * token): log softmax(x) = x - lse per row, with lse the row's log-sum-exp (ops/row-stats.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { rowStats } from '../ops/row-stats.js';
import { takeAlongRows } from '../ops/take-along-rows.js';
import type { StepOutput } from './types.js';

export interface StepScores {
  /** [rows, vocabSize]: log-probabilities, or logits when `logSumExp` is set. */
  scores: tf.Tensor2D;
  /** [rows, 1] such that scores - logSumExp are the log-probabilities; null: they already are. */
  readonly logSumExp: tf.Tensor2D | null;
  /** [rows] int32: the most likely token of each row. */
  best: tf.Tensor1D;
  /** [rows, 1]: the log-probability of `best` in each row. */
  bestLogProbs(): tf.Tensor2D;
}

/**
 * The scores of a (checked) step output; runs inside the caller's `tidy`. `best`, each row's
 * argmax, when the caller already has it (beam search's per-row top-k); else computed here.
 */
export function stepScores(out: StepOutput<tf.TensorContainer>, best?: tf.Tensor1D): StepScores {
  const column = (ids: tf.Tensor1D) => tf.reshape(ids, [ids.shape[0], 1]) as tf.Tensor2D; // [rows, 1]
  if (out.logits === undefined) {
    const scores = out.logProbs!;
    const bestIds = best ?? (tf.argMax(scores, 1) as tf.Tensor1D); // [rows]
    return {
      scores,
      logSumExp: null,
      best: bestIds,
      bestLogProbs: () => takeAlongRows(scores, column(bestIds)),
    };
  }
  const stats = rowStats(out.logits);
  const scored: StepScores = {
    scores: out.logits,
    logSumExp: stats.logSumExp,
    best: best ?? stats.best,
    bestLogProbs: () => (best === undefined ? stats.bestLogProb : logProbsAt(scored, column(best))),
  };
  return scored;
}

/** Log-probabilities of the tokens `columns` [rows, m] of each row: [rows, m]. */
export function logProbsAt(s: StepScores, columns: tf.Tensor2D): tf.Tensor2D {
  const picked = takeAlongRows(s.scores, columns);
  return s.logSumExp === null ? picked : (tf.sub(picked, s.logSumExp) as tf.Tensor2D);
}
