/**
 * Greedy search against a greedy decoder written by hand over the same Markov-chain tables
 * (markov.ts), plus the contract: finished rows stop, maxLength, attention, errors, no leaks.
 */
import { EncdecError, greedySearch, type StepFn } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { chainState, chainStep, disposeState, greedyByHand, randomChain } from './markov.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('greedySearch', () => {
  it('equals greedy decoding by hand, per row, with rows finishing at different steps', () => {
    const chain = randomChain('greedy', 5, 6, { spread: 3 });
    const state = chainState(chain);
    const before = tf.memory().numTensors;
    const got = greedySearch(chainStep, state, { startId: 6, endId: 0, maxLength: 8 });
    expect(tf.memory().numTensors).toBe(before);
    const lengths = new Set<number>();
    got.forEach((hypothesis, b) => {
      const want = greedyByHand(chain, b, 8);
      expect(hypothesis.tokens).toEqual(want.tokens);
      expect(hypothesis.logProb).toBeCloseTo(want.logProb, 5);
      expect(hypothesis.attention).toBeUndefined();
      lengths.add(want.tokens.length);
    });
    expect(lengths.size).toBeGreaterThan(1); // the fixture really mixes early and late finishers
    // The caller's initial state is left alone.
    expect(state.table.isDisposed).toBe(false);
    disposeState(state);
  });

  it('counts the end token in maxLength and stops at maxLength without one', () => {
    // logProbs favour token 1 forever, except that token 0 (end) wins once the state says so.
    const step: StepFn<tf.Tensor1D> = (tokens, count) => {
      const rows = tokens.shape[0];
      const endNow = tf.greaterEqual(count, 2).reshape([rows, 1]); // [rows, 1]
      const logits = tf.where(endNow, tf.tensor2d([[0, -5, -5]]), tf.tensor2d([[-5, 0, -5]]));
      return { logProbs: tf.logSoftmax(logits) as tf.Tensor2D, state: tf.add(count, 1) };
    };
    const count = tf.tensor1d([0, -10]);
    const got = greedySearch(step, count, { startId: 2, endId: 0, maxLength: 3 });
    expect(got.map((h) => h.tokens)).toEqual([
      [1, 1, 0],
      [1, 1, 1],
    ]);
    count.dispose();
  });

  it('collects the attention row of every step', () => {
    const chain = randomChain('greedy-attention', 3, 5);
    const state = chainState(chain);
    const got = greedySearch(chainStep, state, {
      startId: 5,
      endId: 0,
      maxLength: 6,
      collectAttention: true,
    });
    got.forEach((hypothesis, b) => {
      const want = greedyByHand(chain, b, 6);
      expect(hypothesis.attention).toHaveLength(hypothesis.tokens.length);
      hypothesis.attention!.forEach((row, i) => {
        row.forEach((weight, j) => {
          expect(weight).toBeCloseTo(want.attention[i]![j]!, 6);
        });
      });
    });
    disposeState(state);
  });

  it('runs 1,000 steps without leaking a tensor', () => {
    const encoded = tf.randomNormal([4, 7, 3]); // passed through unchanged, owned by the caller
    const step: StepFn<{ h: tf.Tensor2D; encoded: tf.Tensor }> = (tokens, state) => {
      const h = tf.tanh(
        tf.add<tf.Tensor2D>(state.h, tf.mean(state.encoded, [1, 2]).reshape([-1, 1])),
      );
      const logits = tf.concat([tf.fill([tokens.shape[0], 1], -30), h], 1); // end never wins
      return { logProbs: tf.logSoftmax(logits) as tf.Tensor2D, state: { ...state, h } };
    };
    const h = tf.zeros([4, 3]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const got = greedySearch(step, { h, encoded }, { startId: 1, endId: 0, maxLength: 1000 });
    expect(got.every((hypothesis) => hypothesis.tokens.length === 1000)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(encoded.isDisposed || h.isDisposed).toBe(false);
    tf.dispose([h, encoded]);
  });

  describe('rejects', () => {
    const chain = randomChain('greedy-errors', 2, 4);
    const options = { startId: 4, endId: 0, maxLength: 5 };
    const cases: [string, object, RegExp][] = [
      ['maxLength', { maxLength: 0 }, /^maxLength must be an integer >= 1, got 0\.$/],
      ['maxLength', { maxLength: 2.5 }, /^maxLength must be an integer >= 1, got 2\.5\.$/],
      ['startId', { startId: -1 }, /^startId must be a non-negative integer, got -1\.$/],
      ['endId', { endId: 4 }, /^endId must be an integer in \[0, vocabSize\) = \[0, 4\), got 4\.$/],
      ['collectAttention', { collectAttention: 'yes' }, /^collectAttention must be true or false/],
    ];
    for (const [name, patch, message] of cases) {
      it(`${name} ${JSON.stringify(patch)}`, () => {
        const state = chainState(chain);
        const before = tf.memory().numTensors;
        const call = () => greedySearch(chainStep, state, { ...options, ...patch });
        expect(call).toThrow(EncdecError);
        expect(call).toThrow(message);
        expect(tf.memory().numTensors).toBe(before);
        disposeState(state);
      });
    }

    it('a step returning logProbs of the wrong shape, naming the step and the shape', () => {
      const state = chainState(chain);
      const before = tf.memory().numTensors;
      const bad: StepFn<typeof state> = (tokens, s) => {
        const out = chainStep(tokens, s);
        return { ...out, logProbs: out.logProbs.reshape([-1, 2, 2]) as unknown as tf.Tensor2D };
      };
      expect(() => greedySearch(bad, state, options)).toThrow(
        'step() must return logProbs of shape [rows, vocabSize] = [2, vocabSize], got [2,2,2].',
      );
      expect(tf.memory().numTensors).toBe(before);
      disposeState(state);
    });

    it('a step returning a state with the wrong number of rows', () => {
      const state = chainState(chain);
      const bad: StepFn<typeof state> = (tokens, s) => {
        const out = chainStep(tokens, s);
        return { ...out, state: { ...out.state, prev: tf.concat([tokens, tokens]) } };
      };
      expect(() => greedySearch(bad, state, options)).toThrow(
        'step().state.prev must have one row per hypothesis on axis 0 (2 rows), got shape [4].',
      );
      disposeState(state);
    });

    it('collectAttention with a step that returns no attention', () => {
      const state = chainState(chain);
      const bare: StepFn<typeof state> = (tokens, s) => {
        const { logProbs, state: next } = chainStep(tokens, s);
        return { logProbs, state: next };
      };
      expect(() => greedySearch(bare, state, { ...options, collectAttention: true })).toThrow(
        /^step\(\) must return attention as a tf\.Tensor2D \[rows, srcLen\], got undefined\.$/,
      );
      disposeState(state);
    });

    it('an initial state without tensors', () => {
      expect(() => greedySearch(chainStep, {} as never, options)).toThrow(
        /^initialState must be a state holding at least one tensor \[batchSize, \.\.\.\], got \{\}\.$/,
      );
    });
  });
});
