/**
 * The contract between a model and the decoding algorithms: search knows nothing of the model but
 * a step function, and a model knows nothing of beams (d2l-ai's `Decoder.step(input, state)`).
 *
 * Dimension names: `rows` is the number of hypotheses decoded together (the batch for greedy and
 * sampling, batch x beamWidth for beam search); `vocabSize` and `srcLen` as in the glossary.
 */
import type * as tf from '@tensorflow/tfjs';

/**
 * What one decoding step returns for `rows` hypotheses: the next token's scores as exactly one of
 * `logits` or `logProbs`. Logits are cheaper (search normalizes only what it needs, see
 * step-scores.ts); `Seq2Seq.decodeStep` returns them.
 */
export interface StepOutput<S extends tf.TensorContainer> {
  /** [rows, vocabSize] unnormalized scores (the log-softmax of each row gives its distribution). */
  logits?: tf.Tensor2D;
  /** [rows, vocabSize] log-probabilities (a log-softmax) of the next token of each row. */
  logProbs?: tf.Tensor2D;
  /** The state after this step: every tensor has one row per hypothesis on axis 0. */
  state: S;
  /** [rows, srcLen] attention weights of this step, when the model has attention. */
  attention?: tf.Tensor2D;
}

/**
 * One decoding step. `tokens` is int32 [rows]: the last token of each row (the start token at the
 * first step). Search reorders, repeats and drops rows of `state` itself by gathering every tensor
 * along axis 0, so everything that has a row per batch item (encoder outputs, masks) belongs in
 * `state`, and the step function never needs to know about beams. Search disposes the tensors the
 * step returns once it no longer needs them, but never the tensors of the caller's initial state.
 */
export type StepFn<S extends tf.TensorContainer> = ((
  tokens: tf.Tensor1D,
  state: S,
) => StepOutput<S>) & {
  /**
   * The model's vocabulary size, when the step knows it (`Seq2Seq.decodeStep` does): every token
   * it is fed must be below it, so search checks `startId` and `endId` before the first step.
   * Without it, `startId` may be any id the step accepts (a start token outside the output
   * vocabulary, say), and `endId` is checked against the first step's scores.
   */
  readonly vocabSize?: number;
};

/** Options every search shares. */
export interface SearchOptions {
  /** The token fed at the first step; it is not part of any returned sequence. */
  startId: number;
  /** The token that ends a sequence; a returned sequence ends with it when one was produced. */
  endId: number;
  /** The most tokens a returned sequence has, the end token included. */
  maxLength: number;
  /**
   * Return, per sequence, the attention weights of each of its steps as number[][] [len, srcLen]
   * (for the attention heatmap). The step function must then return `attention`. Default false:
   * reading the weights back costs time and memory.
   */
  collectAttention?: boolean;
}

/** One decoded sequence. */
export interface Hypothesis {
  /** The tokens, without the start token, ending with the end token when one was produced. */
  tokens: number[];
  /** Sum of the step log-probabilities of `tokens` (natural log). */
  logProb: number;
  /** [tokens.length, srcLen] attention weights of each step, when `collectAttention` was set. */
  attention?: number[][];
}

/** One beam-search result: a hypothesis and the score it was ranked by. */
export interface ScoredHypothesis extends Hypothesis {
  /** `logProb` divided by the length penalty (equal to `logProb` without one); higher is better. */
  score: number;
}
