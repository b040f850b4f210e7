/**
 * One step of beam search on the backend: run the step for every live beam of every searched
 * input, and return each input's best candidates (the expansion of its beams by one token),
 * best first, read back in one `dataSync`.
 *
 *   1. step(tokens, state) -> logits or logProbs [rows, vocabSize]
 *   2. ban the end token before minLength and repeated n-grams (a large negative score)
 *   3. each row's top 2 x beamWidth tokens and their log-probabilities; plus the beam's running
 *      logProb they are the candidates' scores
 *   4. each input's top 2 x beamWidth of its width x 2 x beamWidth candidates (= its best of
 *      width x vocabSize): an input needs at most beamWidth live ones, and at most beamWidth
 *      of those may end
 */
import * as tf from '@tensorflow/tfjs';
import { MASK_VALUE } from '../attention/masked-softmax.js';
import { rowStats, rowTopK } from '../ops/row-stats.js';
import { takeAlongRows } from '../ops/take-along-rows.js';
import { release } from './state.js';
import type { StepFn, StepOutput } from './types.js';
import { checkStepOutput, type StepSizes } from './validate.js';

/** Any candidate scoring below this was banned or continues a dead beam. */
export const BANNED = MASK_VALUE / 2;

/** What `expand` needs of the beams being continued, one entry per state row. */
export interface Expansion {
  /** Each row's last token (the start token at the first step). */
  tokens: Int32Array;
  /** Each row's running log-probability (MASK_VALUE for a dead beam). */
  running: Float32Array;
  /** Searched inputs, and state rows per input (1 at the first step, then beamWidth). */
  inputs: number;
  width: number;
  beamWidth: number;
  endId: number;
  /** Ban the end token (the hypothesis would be shorter than minLength). */
  banEnd: boolean;
  /** [row, token] pairs (flattened) that would repeat an n-gram. */
  banned: number[];
  collectAttention: boolean;
}

/** Each input's best `count` candidates, best first, as read back. */
export interface Candidates<S> {
  /** The step's new state (rows as the step's input rows). */
  next: S;
  /** Candidates per input. */
  count: number;
  /** Candidate c of input i: running + step log-probability, the step's log-probability, the
   *  beam (0 .. width-1) it continues and its token. Below BANNED: banned or dead. */
  score(i: number, c: number): number;
  stepLogProb(i: number, c: number): number;
  beam(i: number, c: number): number;
  token(i: number, c: number): number;
  /** The attention weights [srcLen] of state row `row` at this step. */
  attention(row: number): number[];
  sizes: StepSizes;
}

/** Runs one step for all beams and returns each input's best candidates. */
export function expand<S extends tf.TensorContainer>(
  step: StepFn<S>,
  state: S,
  e: Expansion,
  sizes: StepSizes,
): Candidates<S> {
  const rows = e.inputs * e.width;
  const tokens = tf.tensor1d(e.tokens, 'int32');
  let checked = sizes;
  let result: { next: S; packed: tf.Tensor; count: number };
  try {
    result = tf.tidy(() => {
      const out = step(tokens, state);
      checked = checkStepOutput(out, rows, sizes, e.endId, e.collectAttention);
      const vocabSize = checked.vocabSize!;
      const perRow = Math.min(2 * e.beamWidth, vocabSize);
      const { tokens: rowTokens, logProbs: rowLogProbs } = rowCandidates(
        out,
        bannedScores(out, e, vocabSize),
        perRow,
      ); // [rows, perRow] each
      const total = tf.add(rowLogProbs, tf.tensor2d(e.running, [rows, 1])); // [rows, perRow]
      const count = Math.min(2 * e.beamWidth, e.width * perRow);
      const flat = tf.reshape(total, [e.inputs, e.width * perRow]); // [inputs, width * perRow]
      const { values, indices } = tf.topk(flat, count); // [inputs, count]
      const beam = tf.floorDiv(indices, perRow); // which beam of the input
      // The chosen candidates' tokens and step log-probabilities, from the per-row lists.
      const pick = (perRowValues: tf.Tensor) =>
        takeAlongRows(
          tf.reshape(perRowValues, [e.inputs, e.width * perRow]) as tf.Tensor2D,
          indices as tf.Tensor2D,
        ); // [inputs, count]
      const token = tf.cast(pick(rowTokens), 'float32');
      const parts = [values, pick(rowLogProbs), tf.cast(beam, 'float32'), token];
      const flatParts = parts.map((p) => tf.reshape(p, [-1])); // 4 x [inputs * count]
      if (e.collectAttention) flatParts.push(tf.reshape(out.attention!, [-1])); // [rows * srcLen]
      return { next: out.state, packed: tf.concat(flatParts), count };
    });
  } catch (error) {
    tokens.dispose();
    throw error;
  }
  release(tokens, result.next, new Set()); // the step may keep the tokens in its state
  const data = result.packed.dataSync();
  result.packed.dispose();
  const { count } = result;
  const block = e.inputs * count;
  const srcLen = checked.srcLen ?? 0;
  return {
    next: result.next,
    count,
    score: (i, c) => data[i * count + c]!,
    stepLogProb: (i, c) => data[block + i * count + c]!,
    beam: (i, c) => data[2 * block + i * count + c]!,
    token: (i, c) => data[3 * block + i * count + c]!,
    attention: (row) =>
      Array.from(data.subarray(4 * block + row * srcLen, 4 * block + (row + 1) * srcLen)),
    sizes: checked,
  };
}

/** The step's scores with bans added, or null when nothing is banned. */
function bannedScores(
  out: StepOutput<tf.TensorContainer>,
  e: Expansion,
  vocabSize: number,
): tf.Tensor2D | null {
  if (!e.banEnd && e.banned.length === 0) return null;
  const rows = e.inputs * e.width;
  let masked = (out.logits ?? out.logProbs)!; // [rows, vocabSize]
  if (e.banEnd) masked = tf.add(masked, tf.oneHot([e.endId], vocabSize).mul(MASK_VALUE));
  if (e.banned.length > 0) {
    const pairs = e.banned.length / 2;
    const where = tf.tensor2d(e.banned, [pairs, 2], 'int32'); // [pairs, 2]
    masked = tf.add(masked, tf.scatterND(where, tf.fill([pairs], MASK_VALUE), [rows, vocabSize]));
  }
  return masked;
}

/**
 * Each row's best `perRow` tokens [rows, perRow] and their log-probabilities under the model,
 * ranked by the step's scores, or by `banned` (the scores with bans added) when given. A row's
 * scores and its log-probabilities differ by a constant (its log-sum-exp), so they rank alike;
 * the log-sum-exp stays that of the scores without bans.
 */
function rowCandidates(
  out: StepOutput<tf.TensorContainer>,
  banned: tf.Tensor2D | null,
  perRow: number,
): { tokens: tf.Tensor2D; logProbs: tf.Tensor2D } {
  if (out.logits === undefined) {
    const { values, indices } = tf.topk(banned ?? out.logProbs!, perRow);
    return { tokens: indices as tf.Tensor2D, logProbs: values as tf.Tensor2D };
  }
  if (banned === null) {
    const { values, indices, logSumExp } = rowTopK(out.logits, perRow);
    return { tokens: indices, logProbs: tf.sub(values, logSumExp) };
  }
  const { values, indices } = tf.topk(banned, perRow);
  const { logSumExp } = rowStats(out.logits);
  return { tokens: indices as tf.Tensor2D, logProbs: tf.sub(values, logSumExp) };
}
