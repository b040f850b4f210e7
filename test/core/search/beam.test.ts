/**
 * Beam search against exhaustive enumeration of a random second-order Markov chain (markov.ts):
 * with a beam as wide as the number of hypotheses nothing is pruned, so the best nBest must be
 * exactly the enumerator's, under each length penalty, with minLength and n-gram blocking, for
 * several rows with different tables at once. The scores below are computed here from the
 * published formulas, not by the library.
 */
import { beamSearch, EncdecError, greedySearch, type StepFn } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ChainState,
  chainState,
  chainStep,
  disposeState,
  enumerate,
  logProbOf,
  type Path,
  randomChain,
} from './markov.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Wu et al. 2016 eq. 14: lp(Y) = ((5 + |Y|) / 6)^alpha. */
const gnmt = (alpha: number) => (p: Path) => p.logProb / ((5 + p.tokens.length) / 6) ** alpha;
/** The mean-style normalization: logProb / |Y|^alpha. */
const average = (alpha: number) => (p: Path) => p.logProb / p.tokens.length ** alpha;
const plain = (p: Path) => p.logProb;

/** True when `tokens` contains some n-gram twice. */
function repeatsNgram(tokens: number[], n: number): boolean {
  const seen = new Set<string>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(',');
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** Counts step calls and the rows of each. */
function counted<S extends tf.TensorContainer>(step: StepFn<S>) {
  const rows: number[] = [];
  const wrapped: StepFn<S> = (tokens, state) => {
    rows.push(tokens.shape[0]);
    return step(tokens, state);
  };
  return { rows, wrapped };
}

describe('beamSearch', () => {
  it('with beamWidth 1 equals greedy search', () => {
    const chain = randomChain('beam-greedy', 4, 8);
    const state = chainState(chain);
    const options = { startId: 8, endId: 0, maxLength: 10, collectAttention: true };
    const greedy = greedySearch(chainStep, state, options);
    const beam = beamSearch(chainStep, state, { ...options, beamWidth: 1 });
    beam.forEach(([best], b) => {
      expect(best!.tokens).toEqual(greedy[b]!.tokens);
      expect(best!.logProb).toBeCloseTo(greedy[b]!.logProb, 5);
      expect(best!.score).toBe(best!.logProb);
      expect(best!.attention).toEqual(greedy[b]!.attention);
    });
    disposeState(state);
  });

  // vocabSize 4 (3 tokens + end), maxLength 5: 1 + 3 + 9 + 27 + 81 sequences end with the end
  // token and 243 reach maxLength without it, 364 in all; a beam of 364 never prunes one.
  const chain = randomChain('beam-exhaustive', 3, 4, { spread: 2.5 });
  const base = { startId: 4, endId: 0, maxLength: 5, beamWidth: 364 };
  const cases: {
    name: string;
    options: object;
    score: (p: Path) => number;
    allowed?: (tokens: number[]) => boolean;
  }[] = [
    { name: 'no length penalty', options: {}, score: plain },
    { name: 'GNMT penalty, alpha 0.8', options: { lengthPenalty: 0.8 }, score: gnmt(0.8) },
    {
      name: 'average penalty, alpha 1',
      options: { lengthPenalty: 1, lengthNormalization: 'average' },
      score: average(1),
    },
    { name: 'nBest 6 under GNMT', options: { lengthPenalty: 0.6, nBest: 6 }, score: gnmt(0.6) },
    {
      name: 'minLength 3',
      options: { minLength: 3, nBest: 3 },
      score: plain,
      allowed: (t) => t.at(-1) !== 0 || t.length >= 3,
    },
    {
      name: 'noRepeatNgramSize 2',
      options: { noRepeatNgramSize: 2, nBest: 3, lengthPenalty: 1 },
      score: gnmt(1),
      allowed: (t) => !repeatsNgram(t, 2),
    },
  ];
  for (const { name, options, score, allowed } of cases) {
    it(`equals exhaustive enumeration: ${name}, 3 rows with their own tables`, () => {
      const state = chainState(chain);
      const before = tf.memory().numTensors;
      const { rows, wrapped } = counted(chainStep);
      const got = beamSearch(wrapped, state, { ...base, ...options, collectAttention: true });
      expect(tf.memory().numTensors).toBe(before);
      // The first step ran on the caller's own state, which is left alone.
      expect(state.table.isDisposed).toBe(false);
      expect(state.prev.isDisposed).toBe(false);
      // One step call per time step for all rows and beams; the first on one row per input
      // (its beams would all start alike), the next on beamWidth per unfinished input.
      expect(rows.length).toBeLessThanOrEqual(base.maxLength);
      expect(rows[0]).toBe(3);
      for (const n of rows.slice(1)) {
        expect(n % base.beamWidth).toBe(0);
        expect(n).toBeLessThanOrEqual(3 * base.beamWidth);
      }
      expect(rows[1]).toBeGreaterThan(0);
      const nBest = (options as { nBest?: number }).nBest ?? 1;
      got.forEach((hypotheses, b) => {
        const want = enumerate(chain, b, base.maxLength, allowed)
          .map((path) => ({ ...path, score: score(path) }))
          .sort((x, y) => y.score - x.score)
          .slice(0, nBest);
        expect(hypotheses.map((h) => h.tokens)).toEqual(want.map((w) => w.tokens));
        hypotheses.forEach((h, i) => {
          expect(h.score).toBeCloseTo(want[i]!.score, 5);
          expect(h.logProb).toBeCloseTo(logProbOf(chain, b, h.tokens), 5);
          // Attention follows the beam's own history through every reordering.
          h.attention!.forEach((row, s) => {
            row.forEach((weight, j) => {
              expect(weight).toBeCloseTo(want[i]!.attention[s]![j]!, 6);
            });
          });
        });
      });
      disposeState(state);
    });
  }

  it('at maxLength 1 takes the first step alone, on one row per input', () => {
    const state = chainState(chain);
    const before = tf.memory().numTensors;
    const { rows, wrapped } = counted(chainStep);
    const got = beamSearch(wrapped, state, { ...base, maxLength: 1, beamWidth: 3, nBest: 3 });
    expect(rows).toEqual([3]);
    got.forEach((hypotheses, b) => {
      const want = enumerate(chain, b, 1)
        .sort((x, y) => y.logProb - x.logProb)
        .slice(0, 3);
      expect(hypotheses.map((h) => h.tokens)).toEqual(want.map((w) => w.tokens));
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(state.table.isDisposed).toBe(false);
    disposeState(state);
  });

  it('ends every input at the first step when the end token is certain to win', () => {
    // The end token (0) is 20 nats above the rest: it finishes first, and no live beam can beat it.
    const step: StepFn<{ h: tf.Tensor2D }> = (tokens, s) => ({
      logits: tf.tile(tf.tensor2d([[20, 0, -1, -2]]), [tokens.shape[0], 1]) as tf.Tensor2D,
      state: { h: s.h }, // passed through: the caller's own tensor
    });
    const h = tf.zeros([3, 2]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const { rows, wrapped } = counted(step);
    const got = beamSearch(
      wrapped,
      { h },
      {
        startId: 4,
        endId: 0,
        maxLength: 5,
        beamWidth: 2,
      },
    );
    expect(rows).toEqual([3]);
    for (const [best] of got) expect(best!.tokens).toEqual([0]);
    expect(tf.memory().numTensors).toBe(before);
    expect(h.isDisposed).toBe(false);
    h.dispose();
  });

  it('with a narrow beam returns consistent hypotheses, best first, no better than exhaustive', () => {
    const state = chainState(chain);
    const got = beamSearch(chainStep, state, { ...base, beamWidth: 3, nBest: 3, lengthPenalty: 1 });
    got.forEach((hypotheses, b) => {
      const best = Math.max(...enumerate(chain, b, 5).map(gnmt(1)));
      expect(hypotheses).toHaveLength(3);
      for (const h of hypotheses) {
        expect(h.logProb).toBeCloseTo(logProbOf(chain, b, h.tokens), 5);
        expect(h.score).toBeCloseTo(gnmt(1)({ ...h, attention: [] }), 5);
        expect(h.score).toBeLessThanOrEqual(best + 1e-6);
        expect(h.tokens.indexOf(0)).toBe(h.tokens.includes(0) ? h.tokens.length - 1 : -1);
      }
      expect(hypotheses.map((h) => h.score)).toEqual(
        [...hypotheses.map((h) => h.score)].sort((x, y) => y - x),
      );
    });
    disposeState(state);
  });

  it('with earlyStopping stops no later than without, and still returns finished hypotheses', () => {
    const wide = randomChain('beam-early', 2, 6, { spread: 1 });
    const state = chainState(wide);
    const lazy = counted(chainStep);
    const eager = counted(chainStep);
    const options = { startId: 6, endId: 0, maxLength: 12, beamWidth: 2, lengthPenalty: 1 };
    beamSearch(lazy.wrapped, state, options);
    const got = beamSearch(eager.wrapped, state, { ...options, earlyStopping: true });
    expect(eager.rows.length).toBeLessThanOrEqual(lazy.rows.length);
    got.forEach(([best], b) => {
      expect(best!.logProb).toBeCloseTo(logProbOf(wide, b, best!.tokens), 5);
    });
    disposeState(state);
  });

  it('runs 1,000 steps without leaking a tensor', () => {
    // Token 1 is almost certain and the end token nearly impossible: no beam ever finishes.
    const step: StepFn<{ h: tf.Tensor2D }> = (tokens, state) => {
      const h = tf.tanh(tf.add<tf.Tensor2D>(state.h, 0.1)); // a new state tensor every step
      const logits = tf.tensor2d([[-100, 0, -20, -20]]).tile([tokens.shape[0], 1]);
      return { logProbs: tf.logSoftmax(logits) as tf.Tensor2D, state: { h } };
    };
    const h = tf.zeros([3, 2]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const got = beamSearch(step, { h }, { startId: 1, endId: 0, maxLength: 1000, beamWidth: 2 });
    expect(got.every(([best]) => best!.tokens.length === 1000)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    h.dispose();
  });

  describe('rejects', () => {
    const small = randomChain('beam-errors', 2, 4);
    const options = { startId: 4, endId: 0, maxLength: 5, beamWidth: 2 };
    const cases: [object, string][] = [
      [{ beamWidth: 0 }, 'beamWidth must be an integer >= 1, got 0.'],
      [{ maxLength: 0 }, 'maxLength must be an integer >= 1, got 0.'],
      [{ nBest: 3 }, 'nBest must be at most beamWidth (2), got 3.'],
      [{ minLength: 6 }, 'minLength must be at most maxLength (5), got 6.'],
      [{ noRepeatNgramSize: -1 }, 'noRepeatNgramSize must be a non-negative integer, got -1.'],
      [
        { lengthPenalty: Number.NaN },
        'lengthPenalty must be a finite number (alpha; 0 turns it off), got NaN.',
      ],
      [
        { lengthNormalization: 'mean' },
        'lengthNormalization must be one of "gnmt", "average", got "mean".',
      ],
      [{ endId: 9 }, 'endId must be an integer in [0, vocabSize) = [0, 4), got 9.'],
    ];
    for (const [patch, message] of cases) {
      it(
        JSON.stringify(patch, (_, v) => (Number.isNaN(v) ? 'NaN' : v)),
        () => {
          const state = chainState(small);
          const before = tf.memory().numTensors;
          const call = () => beamSearch(chainStep, state, { ...options, ...patch });
          expect(call).toThrow(EncdecError);
          expect(call).toThrow(message);
          expect(tf.memory().numTensors).toBe(before);
          disposeState(state);
        },
      );
    }

    it('a step returning logProbs with too few rows', () => {
      const state = chainState(small);
      const bad: StepFn<ChainState> = (tokens, s) => {
        const out = chainStep(tokens, s);
        return { ...out, logProbs: out.logProbs.slice([0, 0], [1, 4]) };
      };
      expect(() => beamSearch(bad, state, options)).toThrow(
        'step() must return logProbs of shape [rows, vocabSize] = [2, vocabSize], got [1,4].',
      );
      disposeState(state);
    });

    it('a step returning one row per input after the first step (which has one per input)', () => {
      const state = chainState(small);
      const before = tf.memory().numTensors;
      const bad: StepFn<ChainState> = (tokens, s) => {
        const out = chainStep(tokens, s);
        return { ...out, logProbs: out.logProbs.slice([0, 0], [2, 4]) };
      };
      expect(() => beamSearch(bad, state, options)).toThrow(
        'step() must return logProbs of shape [rows, vocabSize] = [4, 4], got [2,4].',
      );
      expect(tf.memory().numTensors).toBe(before);
      disposeState(state);
    });
  });
});
