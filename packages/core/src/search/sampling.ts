/**
 * Ancestral sampling: each row draws its next token from the model's distribution, reshaped by a
 * temperature, then cut to the `topK` most probable tokens (Fan et al. 2018) and/or to the
 * smallest set whose probability reaches `topP` (nucleus sampling, Holtzman et al. 2020), in that
 * order. Draws are reproducible: one uniform number per row per step comes from a seeded
 * `seedrandom` generator, and the inverse-CDF lookup runs on the backend, so only the chosen ids
 * are read back.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { checkInteger } from '../checks.js';
import { invalidArgument } from '../errors.js';
import { takeAlongRows } from '../ops/take-along-rows.js';
import { decodeRows } from './decode-rows.js';
import type { Hypothesis, SearchOptions, StepFn } from './types.js';
import { checkSearchOptions } from './validate.js';

/** Options of `sampleSearch`. */
export interface SampleOptions extends SearchOptions {
  /** Divides the log-probabilities before sampling: < 1 sharpens, > 1 flattens. Default 1 (the
   *  model's own distribution). Must be > 0; near 0 it approaches greedy search. */
  temperature?: number;
  /** Sample only among the `topK` most probable tokens. Default: no cut. */
  topK?: number;
  /** Sample only among the most probable tokens whose total probability first reaches `topP`,
   *  in (0, 1]. Default 1 (no cut). */
  topP?: number;
  /** Seed of the generator; the same seed, model and backend give the same sequences. Default: a
   *  fresh random seed, so runs differ. */
  seed?: number | string;
}

/** The largest float32 below 1: a uniform draw is clamped to it so the CDF lookup stays in range. */
const BELOW_ONE = 1 - 2 ** -24;

/**
 * Samples one sequence per row of `initialState` (tensors [batchSize, ...]), in batch order.
 * `logProb` is the sum of the model's own log-probabilities of the drawn tokens (before any
 * temperature or cut).
 */
export function sampleSearch<S extends tf.TensorContainer>(
  step: StepFn<S>,
  initialState: S,
  options: SampleOptions,
): Hypothesis[] {
  const checked = checkSearchOptions(options, step.vocabSize);
  const { temperature = 1, topK, topP = 1, seed } = options;
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
    throw invalidArgument('temperature', temperature, 'a finite number > 0');
  }
  if (topK !== undefined) checkInteger('topK', topK, 1);
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1)) {
    throw invalidArgument('topP', topP, 'a number in (0, 1]');
  }
  if (seed !== undefined && typeof seed !== 'number' && typeof seed !== 'string') {
    throw invalidArgument('seed', seed, 'a number or a string');
  }
  const random = seed === undefined ? seedrandom() : seedrandom(String(seed));

  // Logits or log-probabilities alike: a row's shift cancels in the softmax and leaves the order.
  return decodeRows(step, initialState, checked, (scores) => {
    const [rows, vocabSize] = scores.shape;
    const scaled: tf.Tensor2D = temperature === 1 ? scores : tf.div(scores, temperature);
    // 1. The candidates, most probable first when a cut needs the order.
    const cut = topK !== undefined || topP < 1;
    const top = cut ? tf.topk(scaled, Math.min(topK ?? vocabSize, vocabSize)) : undefined;
    const logits: tf.Tensor2D = top ? (top.values as tf.Tensor2D) : scaled; // [rows, candidates]
    let probs: tf.Tensor2D = tf.softmax(logits);
    // 2. Nucleus: keep a candidate while the mass before it is below topP (the first always stays).
    let kept: tf.Tensor | undefined;
    if (topP < 1) {
      const keep = tf.less(tf.cumsum(probs, 1, true), topP); // [rows, candidates]
      probs = tf.where(keep, probs, tf.zerosLike(probs)) as tf.Tensor2D;
      kept = tf.sum(tf.cast(keep, 'int32'), 1, true); // [rows, 1]
    }
    // 3. Inverse CDF: the drawn candidate is the number of CDF entries <= u * total mass.
    const cdf = tf.cumsum(probs, 1); // [rows, candidates]
    const total = tf.slice(cdf, [0, logits.shape[1]! - 1], [rows, 1]); // [rows, 1]
    const uniforms = Float32Array.from({ length: rows }, () => Math.min(random(), BELOW_ONE));
    const target = tf.mul(tf.tensor2d(uniforms, [rows, 1]), total); // [rows, 1]
    const last = kept
      ? tf.sub(kept, tf.scalar(1, 'int32'))
      : tf.scalar(logits.shape[1]! - 1, 'int32');
    const position = tf.minimum(tf.searchSorted(cdf, target, 'right'), last); // [rows, 1]
    const ids = top ? takeAlongRows(top.indices as tf.Tensor2D, position as tf.Tensor2D) : position; // [rows, 1]
    return tf.reshape(ids, [rows]) as tf.Tensor1D;
  });
}
