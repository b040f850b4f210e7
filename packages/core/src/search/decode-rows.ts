/**
 * The loop greedy search and sampling share: one hypothesis per batch row, one token chosen per
 * row per step. Finished rows leave the batch, so the step function only ever sees live rows.
 *
 *   1. step(tokens, state) -> logits or logProbs [rows, vocabSize], next state, attention
 *   2. `choose` picks a token per row on the backend; look up its log-probability (step-scores.ts)
 *   3. read ids, log-probabilities (and attention) back in ONE dataSync
 *   4. append to each row's hypothesis; a row that produced endId is finished
 *   5. drop finished rows from the state (one gather per tensor); feed the chosen tokens back
 */
import * as tf from '@tensorflow/tfjs';
import { batchSizeOf, gatherRows, release, tensorsOf } from './state.js';
import { logProbsAt, stepScores } from './step-scores.js';
import type { Hypothesis, SearchOptions, StepFn } from './types.js';
import { checkStepOutput, type StepSizes } from './validate.js';

/**
 * Picks one token per row: int32 [rows]. `scores` [rows, vocabSize] are log-probabilities or
 * logits, so only what a per-row shift leaves alone may be used (order, softmax); `best` is each
 * row's argmax. Runs inside `tidy`.
 */
export type ChooseFn = (scores: tf.Tensor2D, best: tf.Tensor1D) => tf.Tensor1D;

/** Decodes every row of `initialState` with `choose`; one hypothesis per row, in batch order. */
export function decodeRows<S extends tf.TensorContainer>(
  step: StepFn<S>,
  initialState: S,
  options: Required<SearchOptions>,
  choose: ChooseFn,
): Hypothesis[] {
  const { startId, endId, maxLength, collectAttention } = options;
  const batchSize = batchSizeOf(initialState);
  const results: Hypothesis[] = Array.from({ length: batchSize }, () =>
    collectAttention ? { tokens: [], logProb: 0, attention: [] } : { tokens: [], logProb: 0 },
  );
  // The caller owns the initial state; search owns (and disposes) every state the step returns.
  const callerOwned = new Set(tensorsOf(initialState).map((t) => t.tensor));
  let state = initialState;
  let active = results.map((_, i) => i); // the batch row each decoded row belongs to
  let tokens = new Int32Array(batchSize).fill(startId);
  let sizes: StepSizes = {};
  try {
    for (let t = 0; t < maxLength && active.length > 0; t++) {
      const rows = active.length;
      // 1-2. One step and the choice, all on the backend.
      const tokensT = tf.tensor1d(tokens, 'int32');
      let result: { next: S; packed: tf.Tensor };
      try {
        result = tf.tidy(() => {
          const out = step(tokensT, state);
          sizes = checkStepOutput(out, rows, sizes, endId, collectAttention);
          const scores = stepScores(out);
          const ids = choose(scores.scores, scores.best); // [rows] int32
          const chosen =
            ids === scores.best
              ? scores.bestLogProbs() // greedy: log p_best, no normalizer needed
              : logProbsAt(scores, tf.reshape(ids, [rows, 1])); // [rows, 1]
          const parts = [tf.cast(ids, 'float32'), chosen.reshape([rows])];
          if (collectAttention) parts.push(out.attention!.reshape([-1])); // [rows * srcLen]
          return { next: out.state, packed: tf.concat(parts) };
        });
      } catch (error) {
        tokensT.dispose();
        throw error;
      }
      // 3. The one read-back of this step: [ids (rows), logProbs (rows), attention (rows*srcLen)].
      const data = result.packed.dataSync();
      result.packed.dispose();
      release([state, tokensT], result.next, callerOwned);
      state = result.next;

      // 4. Grow each row's hypothesis.
      const keep: number[] = [];
      for (let r = 0; r < rows; r++) {
        const id = data[r]!;
        const hypothesis = results[active[r]!]!;
        hypothesis.tokens.push(id);
        hypothesis.logProb += data[rows + r]!;
        if (collectAttention) {
          const from = 2 * rows + r * sizes.srcLen!;
          hypothesis.attention!.push(Array.from(data.subarray(from, from + sizes.srcLen!)));
        }
        if (id !== endId) keep.push(r);
      }

      // 5. Finished rows leave the batch.
      if (keep.length < rows && keep.length > 0 && t + 1 < maxLength) {
        const gathered = gatherRows(state, Int32Array.from(keep));
        release(state, gathered, callerOwned);
        state = gathered;
      }
      tokens = Int32Array.from(keep, (r) => data[r]!);
      active = keep.map((r) => active[r]!);
    }
  } finally {
    release(state, [], callerOwned);
  }
  return results;
}
