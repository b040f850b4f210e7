/**
 * A step's scores of the next token: log-probabilities as they are, or logits, normalized only
 * where search needs log-probabilities (ranking across beams, the log-probability of a chosen
 * token). log softmax(x) = x - lse per row, and
 *
 *   p = softmax(x),  m = argmax(x),  lse = x_m - log p_m
 *
 * since p_m = exp(x_m - lse) is at least 1/vocabSize and its log never underflows. That is one
 * softmax (a vectorized XNNPACK kernel on wasm) and one argmax over [rows, vocabSize]; a full
 * log-softmax adds two more passes (max, subtract), `tf.logSoftmax` five (its Exp alone ~10x the
 * softmax on wasm). Greedy search needs the argmax anyway, and then only log p_m (no lse).
 */
import * as tf from '@tensorflow/tfjs';
import { rowStats } from '../backend/kernels/wasm-row-stats.js';
import { takeAlongRows } from './take-along-rows.js';
import type { StepOutput } from './types.js';

export interface StepScores {
  /** [rows, vocabSize]: log-probabilities, or logits when `logSumExp` is set. */
  scores: tf.Tensor2D;
  /**
   * [rows, 1] such that scores - logSumExp are the log-probabilities; null: they already are.
   * Computed on first read (greedy search never needs it).
   */
  readonly logSumExp: tf.Tensor2D | null;
  /** [rows] int32: the most likely token of each row. */
  best: tf.Tensor1D;
  /** [rows, 1]: the log-probability of `best` in each row (log p_best: one gather, one log). */
  bestLogProbs(): tf.Tensor2D;
}

/**
 * The scores of a (checked) step output; runs inside the caller's `tidy`. `best`, each row's
 * argmax, when the caller already has it (beam search's per-row top-k); else computed here.
 */
export function stepScores(out: StepOutput<tf.TensorContainer>, best?: tf.Tensor1D): StepScores {
  const scores = (out.logits ?? out.logProbs)!;
  const rows = scores.shape[0];
  const column = (ids: tf.Tensor1D) => tf.reshape(ids, [rows, 1]) as tf.Tensor2D; // [rows, 1]
  if (out.logits === undefined) {
    const bestIds = best ?? (tf.argMax(scores, 1) as tf.Tensor1D); // [rows]
    return {
      scores,
      logSumExp: null,
      best: bestIds,
      bestLogProbs: () => takeAlongRows(scores, column(bestIds)),
    };
  }
  // On wasm one kernel gives all of it (backend/kernels/wasm-row-stats.ts).
  const stats = rowStats(scores);
  if (stats !== null) {
    const [argMax, logSumExp, argMaxLogProb] = stats;
    const bestIds = best ?? argMax;
    const scored: StepScores = {
      scores,
      logSumExp,
      best: bestIds,
      bestLogProbs: () =>
        best === undefined ? argMaxLogProb : logProbsAt(scored, column(bestIds)),
    };
    return scored;
  }
  const bestIds = best ?? (tf.argMax(scores, 1) as tf.Tensor1D); // [rows]
  const probs = tf.softmax(scores);
  let logSumExp: tf.Tensor2D | undefined;
  return {
    scores,
    get logSumExp() {
      logSumExp ??= logSumExpAt(scores, probs, bestIds);
      return logSumExp;
    },
    best: bestIds,
    bestLogProbs: () => tf.log(takeAlongRows(probs, column(bestIds))) as tf.Tensor2D,
  };
}

/**
 * lse [rows, 1] of logits [rows, vocabSize], from their softmax `probs` and each row's argmax
 * `best` [rows]: x_best - log p_best (see the top of this file). The training loss uses it too.
 */
export function logSumExpAt(
  logits: tf.Tensor2D,
  probs: tf.Tensor2D,
  best: tf.Tensor1D,
): tf.Tensor2D {
  const at = tf.reshape(best, [best.shape[0], 1]) as tf.Tensor2D; // [rows, 1]
  return tf.sub(takeAlongRows(logits, at), tf.log(takeAlongRows(probs, at))) as tf.Tensor2D;
}

/** Log-probabilities of the tokens `columns` [rows, m] of each row: [rows, m]. */
export function logProbsAt(s: StepScores, columns: tf.Tensor2D): tf.Tensor2D {
  const picked = takeAlongRows(s.scores, columns);
  return s.logSumExp === null ? picked : tf.sub(picked, s.logSumExp);
}
