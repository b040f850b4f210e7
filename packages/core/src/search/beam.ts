/**
 * Beam search, batched over the input rows and their beams at once: ONE step call per time step
 * for batchSize x beamWidth rows (row i * beamWidth + k is beam k of the i-th unfinished input).
 *
 *   1. the first step runs on the initial state as it is, one row per input: all beams of an
 *      input would start alike (its first step costs 1/beamWidth of a full one)
 *   2. step(tokens, state) -> logits or logProbs [rows, vocabSize] (normalized in scores.ts)
 *   3. on the backend: ban the end token before minLength and repeated n-grams, take each row's
 *      top 2 x beamWidth tokens, add the beam's running logProb, and take the top 2 x beamWidth
 *      of each input's beamWidth x 2 x beamWidth candidates (= its best of beamWidth x vocabSize)
 *   4. read the candidates (score, step logProb, beam, token) and attention back in ONE dataSync
 *   5. per input, in rank order: a candidate ending with endId and ranked within the top beamWidth
 *      joins the finished list; the others fill the beamWidth live beams (the rule of Hugging Face
 *      transformers' BeamSearchScorer, so a finished candidate never costs a live slot)
 *   6. an input is done when no live beam can still beat its nBest-th finished hypothesis (or, with
 *      earlyStopping, once beamWidth are finished); at maxLength the live beams count as finished
 *   7. gather the state rows of the new beams' parents, dropping inputs that are done; go to 2
 */
import * as tf from '@tensorflow/tfjs';
import { rowTopK } from '../backend/kernels/wasm-row-stats.js';
import { invalidArgument } from '../errors.js';
import {
  bestReachable,
  checkLengthPenalty,
  type LengthNormalization,
  type LengthPenalty,
  scoreOf,
} from './length-penalty.js';
import { bannedNextTokens } from './ngram-block.js';
import { stepScores } from './scores.js';
import { batchSizeOf, gatherRows, release, tensorsOf } from './state.js';
import { takeAlongRows } from './take-along-rows.js';
import type { ScoredHypothesis, SearchOptions, StepFn, StepOutput } from './types.js';
import {
  checkFlag,
  checkInteger,
  checkSearchOptions,
  checkStepOutput,
  type StepSizes,
} from './validate.js';

/** Options of `beamSearch`. */
export interface BeamOptions extends SearchOptions {
  /** Hypotheses kept per input at every step; 1 is greedy search (without a length penalty). */
  beamWidth: number;
  /** Fewest tokens (end token included) a finished hypothesis may have. Default 0 (no limit). */
  minLength?: number;
  /** alpha of the length penalty; default 0 (rank by the plain sum of log-probabilities). */
  lengthPenalty?: number;
  /** Which length penalty: 'gnmt' (default, Wu et al. 2016) or 'average'. See length-penalty.ts. */
  lengthNormalization?: LengthNormalization;
  /** Hypotheses returned per input, best first, in [1, beamWidth]. Default 1. */
  nBest?: number;
  /** Ban any n-gram of this size from occurring twice in a hypothesis. Default 0 (off). */
  noRepeatNgramSize?: number;
  /** Stop an input once beamWidth hypotheses are finished, even if a live one could still win.
   *  Default false: stop only when no live hypothesis can beat the nBest-th finished one. */
  earlyStopping?: boolean;
}

/** Mask value for banned or dead candidates: large and negative, never -Infinity (no NaN). */
const NEG = -1e9;
/** Any candidate scoring below this was masked. */
const INVALID = NEG / 2;

interface Beam {
  tokens: number[];
  logProb: number;
  attention?: number[][];
  /** The state row (in the current step's rows) this beam continues; -1 for a dead beam. */
  parentRow: number;
}

interface InputSearch {
  /** One entry at the first step, then beamWidth while the input is searched; dead beams have
   *  logProb -Infinity. */
  beams: Beam[];
  /** Finished hypotheses, best first, at most beamWidth. */
  finished: ScoredHypothesis[];
}

/**
 * Beam search for every row of `initialState` (tensors [batchSize, ...]). Returns, per input row
 * and in batch order, up to `nBest` hypotheses, best score first.
 */
export function beamSearch<S extends tf.TensorContainer>(
  step: StepFn<S>,
  initialState: S,
  options: BeamOptions,
): ScoredHypothesis[][] {
  const { startId, endId, maxLength, collectAttention } = checkSearchOptions(
    options,
    step.vocabSize,
  );
  const beamWidth = checkInteger('beamWidth', options.beamWidth, 1);
  const nBest = checkInteger('nBest', options.nBest ?? 1, 1);
  if (nBest > beamWidth) throw invalidArgument('nBest', nBest, `at most beamWidth (${beamWidth})`);
  const minLength = checkInteger('minLength', options.minLength ?? 0, 0);
  if (minLength > maxLength) {
    throw invalidArgument('minLength', minLength, `at most maxLength (${maxLength})`);
  }
  const ngramSize = checkInteger('noRepeatNgramSize', options.noRepeatNgramSize ?? 0, 0);
  const earlyStopping = checkFlag('earlyStopping', options.earlyStopping);
  const penalty = checkLengthPenalty(options.lengthPenalty, options.lengthNormalization);
  const batchSize = batchSizeOf(initialState);

  // 1. One beam per input on the initial state's rows; beamWidth of them from the first step on.
  const dead = (): Beam => ({ tokens: [], logProb: Number.NEGATIVE_INFINITY, parentRow: -1 });
  const searches: InputSearch[] = Array.from({ length: batchSize }, () => ({
    beams: [
      { tokens: [], logProb: 0, parentRow: 0, ...(collectAttention ? { attention: [] } : {}) },
    ],
    finished: [],
  }));
  const callerOwned = new Set(tensorsOf(initialState).map((t) => t.tensor));
  let state = initialState;
  let active = searches.map((_, b) => b); // the input row of each searched block of beams
  let sizes: StepSizes = {};
  try {
    for (let t = 0; t < maxLength && active.length > 0; t++) {
      const inputs = active.length;
      const width = t === 0 ? 1 : beamWidth; // beams (state rows) per input at this step
      const rows = inputs * width;
      const beams = active.flatMap((b) => searches[b]!.beams);
      const tokens = Int32Array.from(beams, (beam) => beam.tokens.at(-1) ?? startId);
      const running = Float32Array.from(beams, (beam) => Math.max(beam.logProb, NEG));
      const banned = ngramSize > 0 ? bannedPairs(beams, ngramSize) : [];

      // 2-3. One step for all beams of all inputs, and the candidates, on the backend.
      const tokensT = tf.tensor1d(tokens, 'int32');
      let result: { next: S; packed: tf.Tensor; count: number };
      try {
        result = tf.tidy(() => {
          const out = step(tokensT, state);
          sizes = checkStepOutput(out, rows, sizes, endId, collectAttention);
          const vocabSize = sizes.vocabSize!;
          // Bans (end token before minLength, repeated n-grams) as NEG on the step's scores.
          let masked = out.logits ?? out.logProbs!; // [rows, vocabSize]
          const bans = t + 1 < minLength || banned.length > 0;
          if (t + 1 < minLength) masked = tf.add(masked, tf.oneHot([endId], vocabSize).mul(NEG));
          if (banned.length > 0) {
            const where = tf.tensor2d(banned, [banned.length / 2, 2], 'int32');
            const mask = tf.scatterND(where, tf.fill([banned.length / 2], NEG), [rows, vocabSize]);
            masked = tf.add(masked, mask);
          }
          // Each row's best `perRow` tokens: an input's best `count` candidates are among its
          // beams' best `perRow` each.
          const perRow = Math.min(2 * beamWidth, vocabSize);
          const { tokens: rowTokens, logProbs: rowLogProbs } = rowCandidates(
            out,
            bans ? masked : null,
            perRow,
          ); // [rows, perRow] each
          // running + log-probabilities of the candidates: [rows, perRow]
          const total = tf.add(rowLogProbs, tf.tensor2d(running, [rows, 1]));
          const count = Math.min(2 * beamWidth, width * perRow);
          const flat = tf.reshape(total, [inputs, width * perRow]); // [inputs, width*perRow]
          const { values, indices } = tf.topk(flat, count); // [inputs, count]
          const beam = tf.floorDiv(indices, perRow); // which beam of the input
          // The chosen candidates' tokens and step log-probabilities, from the per-row lists.
          const pick = (perRowValues: tf.Tensor) =>
            takeAlongRows(
              tf.reshape(perRowValues, [inputs, width * perRow]) as tf.Tensor2D,
              indices as tf.Tensor2D,
            ); // [inputs, count]
          const token = pick(rowTokens);
          const stepLogProbs = pick(rowLogProbs);
          const parts = [values, stepLogProbs, tf.cast(beam, 'float32'), tf.cast(token, 'float32')];
          const flatParts = parts.map((p) => tf.reshape(p, [-1])); // 4 x [inputs * count]
          if (collectAttention) flatParts.push(tf.reshape(out.attention!, [-1])); // [rows*srcLen]
          return { next: out.state, packed: tf.concat(flatParts), count };
        });
      } catch (error) {
        tokensT.dispose();
        throw error;
      }
      // 4. The one read-back of this step.
      const data = result.packed.dataSync();
      result.packed.dispose();
      release([state, tokensT], result.next, callerOwned);
      state = result.next;
      const count = result.count;
      const block = inputs * count;
      const attentionRow = (row: number) => {
        const from = 4 * block + row * sizes.srcLen!;
        return Array.from(data.subarray(from, from + sizes.srcLen!));
      };

      // 5-6. New beams and finished hypotheses of each input.
      const parents: number[] = [];
      const stillActive: number[] = [];
      for (let i = 0; i < inputs; i++) {
        const search = searches[active[i]!]!;
        const live: Beam[] = [];
        for (let c = 0; c < count && live.length < beamWidth; c++) {
          const at = i * count + c;
          if (!(data[at]! > INVALID)) break; // sorted: the rest is masked too
          const row = i * width + data[2 * block + at]!;
          const parent = search.beams[row - i * width]!;
          const token = data[3 * block + at]!;
          const beam: Beam = {
            tokens: [...parent.tokens, token],
            logProb: parent.logProb + data[block + at]!,
            parentRow: row,
          };
          if (collectAttention) beam.attention = [...parent.attention!, attentionRow(row)];
          if (token !== endId) live.push(beam);
          else if (c < beamWidth) addFinished(search, beam, penalty, beamWidth);
        }
        const length = t + 1;
        if (length === maxLength)
          for (const beam of live) addFinished(search, beam, penalty, beamWidth);
        if (length === maxLength || isDone(search, live, length)) {
          search.beams = [];
          continue;
        }
        while (live.length < beamWidth) live.push(dead());
        search.beams = live;
        stillActive.push(active[i]!);
        for (const beam of live) parents.push(beam.parentRow < 0 ? i * width : beam.parentRow);
      }

      // 7. Reorder (and shrink) the state to the new beams.
      if (stillActive.length > 0) {
        const gathered = gatherRows(state, Int32Array.from(parents));
        release(state, gathered, callerOwned);
        state = gathered;
      }
      active = stillActive;
    }
  } finally {
    release(state, [], callerOwned);
  }
  return searches.map((search) => search.finished.slice(0, nBest));

  function isDone(search: InputSearch, live: Beam[], length: number): boolean {
    if (live.length === 0) return true;
    if (earlyStopping) return search.finished.length >= beamWidth;
    if (search.finished.length < nBest) return false;
    const best = Math.max(...live.map((beam) => beam.logProb));
    return search.finished[nBest - 1]!.score >= bestReachable(penalty, best, length, maxLength);
  }
}

/**
 * Each row's best `perRow` tokens [rows, perRow] and their log-probabilities under the model,
 * ranked by the step's scores, or by `bannedScores` (the scores with bans added) when given. A
 * row's scores and its log-probabilities differ by a constant, so they rank alike. Without bans,
 * on wasm, one kernel gives the top tokens and the log-sum-exp (`EncdecRowTopK`, one read of the
 * logits where tf.topk and the log-sum-exp read them apart); with bans a row's first token need
 * not be its argmax, and the log-sum-exp stays that of the unmasked scores.
 */
function rowCandidates(
  out: StepOutput<tf.TensorContainer>,
  bannedScores: tf.Tensor2D | null,
  perRow: number,
): { tokens: tf.Tensor2D; logProbs: tf.Tensor2D } {
  const fused = bannedScores === null && out.logits ? rowTopK(out.logits, perRow) : null;
  if (fused !== null) {
    const [values, tokens, logSumExp] = fused;
    return { tokens, logProbs: tf.sub(values, logSumExp) };
  }
  const unbanned = (out.logits ?? out.logProbs)!; // the step's scores [rows, vocabSize]
  const rows = unbanned.shape[0];
  const rowTop = tf.topk(bannedScores ?? unbanned, perRow); // [rows, perRow]
  // Without bans a row's first token is its argmax, which stepScores would otherwise compute.
  const first =
    bannedScores === null
      ? (tf.reshape(tf.slice(rowTop.indices, [0, 0], [rows, 1]), [rows]) as tf.Tensor1D)
      : undefined;
  const scores = stepScores(out, first);
  const logProbs = scores.logSumExp ? tf.sub(rowTop.values, scores.logSumExp) : rowTop.values;
  return { tokens: rowTop.indices as tf.Tensor2D, logProbs: logProbs as tf.Tensor2D };
}

/** Adds `beam` to the finished list (kept best first, at most `limit` long). */
function addFinished(search: InputSearch, beam: Beam, penalty: LengthPenalty, limit: number): void {
  const { tokens, logProb, attention } = beam;
  const score = scoreOf(penalty, logProb, tokens.length);
  search.finished.push(
    attention ? { tokens, logProb, score, attention } : { tokens, logProb, score },
  );
  search.finished.sort((a, b) => b.score - a.score);
  if (search.finished.length > limit) search.finished.length = limit;
}

/** [row, token] pairs (flattened) that would repeat an n-gram, for the live beams. */
function bannedPairs(beams: readonly Beam[], ngramSize: number): number[] {
  const pairs: number[] = [];
  beams.forEach((beam, row) => {
    if (beam.parentRow < 0) return;
    for (const token of bannedNextTokens(beam.tokens, ngramSize)) pairs.push(row, token);
  });
  return pairs;
}
