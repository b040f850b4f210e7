/**
 * Sampling: reproducible with a seed, greedy in the limits (topK 1, temperature -> 0, tiny topP),
 * and drawing tokens with the frequencies the temperature / top-k / nucleus formulas give (a
 * chi-square test over 4,000 draws, expected counts computed here by hand).
 */
import { EncdecError, greedySearch, type StepFn, sampleSearch } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { chainState, chainStep, disposeState, logProbOf, randomChain } from './markov.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const chain = randomChain('sampling', 6, 7, { spread: 3 });
const options = { startId: 7, endId: 0, maxLength: 12 };

describe('sampleSearch', () => {
  it('repeats exactly with the same seed, differs with another, and logProb is the model sum', () => {
    const state = chainState(chain);
    const before = tf.memory().numTensors;
    const first = sampleSearch(chainStep, state, { ...options, seed: 7 });
    const again = sampleSearch(chainStep, state, { ...options, seed: 7 });
    const other = sampleSearch(chainStep, state, { ...options, seed: 'another' });
    expect(tf.memory().numTensors).toBe(before);
    expect(again).toEqual(first);
    expect(other.map((h) => h.tokens)).not.toEqual(first.map((h) => h.tokens));
    first.forEach((h, b) => {
      expect(h.logProb).toBeCloseTo(logProbOf(chain, b, h.tokens), 5);
    });
    disposeState(state);
  });

  it('equals greedy search with topK 1, temperature near 0, or a tiny topP', () => {
    const state = chainState(chain);
    const greedy = greedySearch(chainStep, state, options).map((h) => h.tokens);
    const limits = [{ topK: 1 }, { temperature: 1e-4 }, { topP: 1e-6 }, { topK: 3, topP: 1e-6 }];
    for (const limit of limits) {
      const got = sampleSearch(chainStep, state, { ...options, ...limit, seed: 1 });
      expect(got.map((h) => h.tokens)).toEqual(greedy);
    }
    disposeState(state);
  });

  describe('draws tokens with the right frequencies (chi-square, 4 degrees of freedom)', () => {
    // One step from a fixed distribution over 5 tokens, for 4,000 rows at once.
    const probs = [0.05, 0.4, 0.1, 0.3, 0.15];
    const draws = 4000;
    const step: StepFn<tf.Tensor1D> = (tokens, rows) => ({
      logProbs: tf.log(tf.tensor2d([probs]).tile([tokens.shape[0], 1])) as tf.Tensor2D,
      state: rows,
    });
    const normalize = (p: number[]) => p.map((x) => x / p.reduce((s, y) => s + y, 0));
    const cases: [string, object, number[]][] = [
      ['plain', {}, probs],
      // Temperature T: p_i^(1/T) renormalized.
      ['temperature 2', { temperature: 2 }, normalize(probs.map((p) => p ** 0.5))],
      // topK 2: only 0.4 and 0.3 remain: 4/7, 3/7.
      ['topK 2', { topK: 2 }, normalize([0, 0.4, 0, 0.3, 0])],
      // topP 0.75: sorted 0.4, 0.3, 0.15 (mass before 0.15 is 0.7 < 0.75; before 0.1 it is 0.85).
      ['topP 0.75', { topP: 0.75 }, normalize([0, 0.4, 0, 0.3, 0.15])],
    ];
    for (const [name, extra, expected] of cases) {
      it(name, () => {
        const rows = tf.zeros([draws], 'int32') as tf.Tensor1D;
        const got = sampleSearch(step, rows, {
          startId: 0,
          endId: 4,
          maxLength: 1,
          seed: 'freq',
          ...extra,
        });
        rows.dispose();
        const counts = [0, 0, 0, 0, 0];
        for (const h of got) counts[h.tokens[0]!]! += 1;
        let chi2 = 0;
        expected.forEach((p, i) => {
          if (p === 0) expect(counts[i]).toBe(0);
          else chi2 += (counts[i]! - draws * p) ** 2 / (draws * p);
        });
        expect(chi2).toBeLessThan(18.47); // the 0.999 quantile of chi-square with 4 dof
      });
    }
  });

  it('runs 1,000 steps without leaking a tensor', () => {
    const step: StepFn<{ h: tf.Tensor2D }> = (tokens, state) => {
      const h = tf.tanh(tf.add<tf.Tensor2D>(state.h, 0.1));
      const logits = tf.tensor2d([[-100, 0, 0.5, -1]]).tile([tokens.shape[0], 1]);
      return { logProbs: tf.logSoftmax(logits) as tf.Tensor2D, state: { h } };
    };
    const h = tf.zeros([3, 2]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const got = sampleSearch(
      step,
      { h },
      { startId: 1, endId: 0, maxLength: 1000, topP: 0.9, seed: 3 },
    );
    expect(got.every((hypothesis) => hypothesis.tokens.length === 1000)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    h.dispose();
  });

  describe('rejects', () => {
    const cases: [object, string][] = [
      [{ topP: 0 }, 'topP must be a number in (0, 1], got 0.'],
      [{ topP: 1.5 }, 'topP must be a number in (0, 1], got 1.5.'],
      [{ temperature: 0 }, 'temperature must be a finite number > 0, got 0.'],
      [{ topK: 0 }, 'topK must be an integer >= 1, got 0.'],
      [{ seed: { n: 1 } }, 'seed must be a number or a string, got {"n":1}.'],
      [{ maxLength: -2 }, 'maxLength must be an integer >= 1, got -2.'],
      [{ endId: 7 }, 'endId must be an integer in [0, vocabSize) = [0, 7), got 7.'],
    ];
    for (const [patch, message] of cases) {
      it(JSON.stringify(patch), () => {
        const state = chainState(chain);
        const before = tf.memory().numTensors;
        const call = () => sampleSearch(chainStep, state, { ...options, ...patch } as never);
        expect(call).toThrow(EncdecError);
        expect(call).toThrow(message);
        expect(tf.memory().numTensors).toBe(before);
        disposeState(state);
      });
    }
  });
});
