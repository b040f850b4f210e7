/**
 * Greedy search: at every step each row takes its most probable token (the argmax of its scores).
 * Batched: all rows step together, and a row that produced the end token stops growing.
 */
import type * as tf from '@tensorflow/tfjs';
import { decodeRows } from './decode-rows.js';
import type { Hypothesis, SearchOptions, StepFn } from './types.js';
import { checkSearchOptions } from './validate.js';

/** Options of `greedySearch`: the shared ones (`startId`, `endId`, `maxLength`, ...). */
export type GreedyOptions = SearchOptions;

/**
 * Decodes each row of `initialState` (tensors [batchSize, ...]) greedily; returns one hypothesis
 * per row, in batch order. Ties go to the lowest token id (the `argMax` convention).
 */
export function greedySearch<S extends tf.TensorContainer>(
  step: StepFn<S>,
  initialState: S,
  options: GreedyOptions,
): Hypothesis[] {
  const checked = checkSearchOptions(options, step.vocabSize);
  return decodeRows(step, initialState, checked, (_scores, best) => best);
}
