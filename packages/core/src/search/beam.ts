/**
 * Beam search, batched over the input rows and their beams at once: ONE step call per time step
 * for batchSize x beamWidth rows (row i * beamWidth + k is beam k of the i-th unfinished input).
 *
 *   1. start: one beam per input on the initial state as it is (all beams of an input would
 *      start alike, so the first step runs on one row per input)
 *   2. expand: run the step for all beams and take each input's best candidates, the beams
 *      extended by one token (beam-candidates.ts)
 *   3. choose, per input in rank order: a candidate ending with endId and ranked within the top
 *      beamWidth joins the finished list; the others fill the beamWidth live beams (the rule of
 *      Hugging Face transformers' BeamSearchScorer, so a finished candidate never costs a live
 *      slot). An input is done when no live beam can still beat its nBest-th finished hypothesis
 *      (or, with earlyStopping, once beamWidth are finished); at maxLength the live beams count
 *      as finished
 *   4. reorder: gather the state rows of the new beams' parents, dropping inputs that are done;
 *      go to 2
 */
import type * as tf from '@tensorflow/tfjs';
import { MASK_VALUE } from '../attention/masked-softmax.js';
import { checkInteger } from '../checks.js';
import { invalidArgument } from '../errors.js';
import { BANNED, type Candidates, expand } from './beam-candidates.js';
import {
  bestReachable,
  checkLengthPenalty,
  type LengthNormalization,
  type LengthPenalty,
  scoreOf,
} from './length-penalty.js';
import { bannedNextTokens } from './ngram-block.js';
import { batchSizeOf, gatherRows, release, tensorsOf } from './state.js';
import type { ScoredHypothesis, SearchOptions, StepFn } from './types.js';
import { checkFlag, checkSearchOptions, type StepSizes } from './validate.js';

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

/** The checked options of one search. */
interface Settings {
  startId: number;
  endId: number;
  maxLength: number;
  collectAttention: boolean;
  beamWidth: number;
  nBest: number;
  minLength: number;
  ngramSize: number;
  earlyStopping: boolean;
  penalty: LengthPenalty;
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
  const o = checkBeamOptions(options, step.vocabSize);
  const batchSize = batchSizeOf(initialState);

  // 1. Start: one beam per input on the initial state's rows.
  const searches: InputSearch[] = Array.from({ length: batchSize }, () => ({
    beams: [
      { tokens: [], logProb: 0, parentRow: 0, ...(o.collectAttention ? { attention: [] } : {}) },
    ],
    finished: [],
  }));
  const callerOwned = new Set(tensorsOf(initialState).map((t) => t.tensor));
  let state = initialState;
  let active = searches.map((_, b) => b); // the input row of each searched block of beams
  let sizes: StepSizes = {};
  try {
    for (let t = 0; t < o.maxLength && active.length > 0; t++) {
      const width = t === 0 ? 1 : o.beamWidth; // beams (state rows) per input at this step
      const beams = active.flatMap((b) => searches[b]!.beams);

      // 2. Expand every live beam by one token.
      const candidates = expand(
        step,
        state,
        {
          tokens: Int32Array.from(beams, (beam) => beam.tokens.at(-1) ?? o.startId),
          running: Float32Array.from(beams, (beam) => Math.max(beam.logProb, MASK_VALUE)),
          inputs: active.length,
          width,
          beamWidth: o.beamWidth,
          endId: o.endId,
          banEnd: t + 1 < o.minLength,
          banned: o.ngramSize > 0 ? bannedPairs(beams, o.ngramSize) : [],
          collectAttention: o.collectAttention,
        },
        sizes,
      );
      sizes = candidates.sizes;
      release(state, candidates.next, callerOwned);
      state = candidates.next;

      // 3. Choose each input's new beams and finished hypotheses.
      const parents: number[] = [];
      const stillActive: number[] = [];
      active.forEach((input, i) => {
        const search = searches[input]!;
        const live = choose(search, candidates, i, width, t + 1, o);
        if (live === null) {
          search.beams = [];
          return;
        }
        search.beams = live;
        stillActive.push(input);
        for (const beam of live) parents.push(beam.parentRow < 0 ? i * width : beam.parentRow);
      });

      // 4. Reorder (and shrink) the state to the new beams.
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
  return searches.map((search) => search.finished.slice(0, o.nBest));
}

function checkBeamOptions(options: BeamOptions, vocabSize: number | undefined): Settings {
  const { startId, endId, maxLength, collectAttention } = checkSearchOptions(options, vocabSize);
  const beamWidth = checkInteger('beamWidth', options.beamWidth, 1);
  const nBest = checkInteger('nBest', options.nBest ?? 1, 1);
  if (nBest > beamWidth) throw invalidArgument('nBest', nBest, `at most beamWidth (${beamWidth})`);
  const minLength = checkInteger('minLength', options.minLength ?? 0, 0);
  if (minLength > maxLength) {
    throw invalidArgument('minLength', minLength, `at most maxLength (${maxLength})`);
  }
  return {
    startId,
    endId,
    maxLength,
    collectAttention,
    beamWidth,
    nBest,
    minLength,
    ngramSize: checkInteger('noRepeatNgramSize', options.noRepeatNgramSize ?? 0, 0),
    earlyStopping: checkFlag('earlyStopping', options.earlyStopping),
    penalty: checkLengthPenalty(options.lengthPenalty, options.lengthNormalization),
  };
}

/**
 * Input i's candidates of this step, in rank order, to its new live beams (beamWidth of them,
 * dead ones filling up) and finished hypotheses; null when the input is done. `length` is the
 * hypotheses' length after this step.
 */
function choose<S>(
  search: InputSearch,
  candidates: Candidates<S>,
  i: number,
  width: number,
  length: number,
  o: Settings,
): Beam[] | null {
  const live: Beam[] = [];
  for (let c = 0; c < candidates.count && live.length < o.beamWidth; c++) {
    if (!(candidates.score(i, c) > BANNED)) break; // sorted: the rest is banned too
    const row = i * width + candidates.beam(i, c);
    const parent = search.beams[row - i * width]!;
    const token = candidates.token(i, c);
    const beam: Beam = {
      tokens: [...parent.tokens, token],
      logProb: parent.logProb + candidates.stepLogProb(i, c),
      parentRow: row,
    };
    if (o.collectAttention) beam.attention = [...parent.attention!, candidates.attention(row)];
    if (token !== o.endId) live.push(beam);
    else if (c < o.beamWidth) addFinished(search, beam, o.penalty, o.beamWidth);
  }
  if (length === o.maxLength) {
    for (const beam of live) addFinished(search, beam, o.penalty, o.beamWidth);
    return null;
  }
  if (isDone(search, live, length, o)) return null;
  while (live.length < o.beamWidth) {
    live.push({ tokens: [], logProb: Number.NEGATIVE_INFINITY, parentRow: -1 });
  }
  return live;
}

/** No live beam of the input can still beat its nBest-th finished hypothesis. */
function isDone(search: InputSearch, live: Beam[], length: number, o: Settings): boolean {
  if (live.length === 0) return true;
  if (o.earlyStopping) return search.finished.length >= o.beamWidth;
  if (search.finished.length < o.nBest) return false;
  const best = Math.max(...live.map((beam) => beam.logProb));
  return search.finished[o.nBest - 1]!.score >= bestReachable(o.penalty, best, length, o.maxLength);
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
