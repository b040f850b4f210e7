/**
 * A step may return logits instead of log-probabilities: every search then gives the same
 * sequences, log-probabilities and scores as with the log-softmax of those logits, on cpu and
 * wasm, including rows whose probabilities underflow float32; a step must return exactly one.
 */
import { beamSearch, greedySearch, initBackend, type StepFn, sampleSearch } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChainState, chainState, chainStep, randomChain } from './markov.js';

afterAll(async () => {
  await initBackend({ backend: 'cpu', log: null });
});

/** The chain's step with its log-probabilities shifted per row (logits of the same softmax). */
const logitStep: StepFn<ChainState> = (tokens, state) => {
  const out = chainStep(tokens, state);
  const rows = tokens.shape[0];
  const shift = tf
    .mul(tf.range(0, rows, 1, 'float32'), 37)
    .sub(5)
    .reshape([rows, 1]); // [rows, 1]
  const logits = tf.add(out.logProbs!, shift) as tf.Tensor2D;
  tf.dispose([out.logProbs!, shift]);
  return { ...out, logProbs: undefined, logits };
};

const options = { startId: 6, endId: 0, maxLength: 5 };

describe('searches over logits', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`give what the log-probabilities give: greedy, beam, sampling (${backend})`, async () => {
      await initBackend({ backend: backend as 'cpu' | 'wasm', log: null }); // with encdec's kernels
      const chain = randomChain('logits', 3, 6, { spread: 3 });
      const state = chainState(chain);
      const before = tf.memory().numTensors;
      const close = (a: { tokens: number[]; logProb: number }, b: typeof a) => {
        expect(a.tokens).toEqual(b.tokens);
        expect(a.logProb).toBeCloseTo(b.logProb, 4);
      };
      const greedy = greedySearch(chainStep, state, options);
      for (const [i, h] of greedySearch(logitStep, state, options).entries()) close(h, greedy[i]!);
      // Plain, and with bans (end token before minLength, repeated bigrams) and a length penalty.
      for (const beam of [
        { ...options, beamWidth: 3, nBest: 3 },
        {
          ...options,
          beamWidth: 2,
          nBest: 2,
          minLength: 3,
          noRepeatNgramSize: 2,
          lengthPenalty: 1,
        },
      ]) {
        const viaLogits = beamSearch(logitStep, state, beam);
        const viaLogProbs = beamSearch(chainStep, state, beam);
        viaLogits.forEach((list, i) => {
          expect(list.length).toBe(viaLogProbs[i]!.length);
          list.forEach((h, k) => {
            close(h, viaLogProbs[i]![k]!);
            expect(h.score).toBeCloseTo(viaLogProbs[i]![k]!.score, 4);
          });
        });
      }
      const sample = { ...options, seed: 7, temperature: 0.8, topK: 4, topP: 0.9 };
      const sampled = sampleSearch(chainStep, state, sample);
      for (const [i, h] of sampleSearch(logitStep, state, sample).entries()) close(h, sampled[i]!);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(state);
    });

    it(`keeps exact log-probabilities where softmax underflows (${backend})`, async () => {
      await initBackend({ backend: backend as 'cpu' | 'wasm', log: null }); // with encdec's kernels
      // Token 1 is 200 nats below token 2: p = e^-200 is 0 in float32, its log is not.
      const row = [-1e3, -200, 0, -1e3];
      const step: StepFn<{ h: tf.Tensor2D }> = (tokens, state) => ({
        logits: tf.tile(tf.tensor2d([row]), [tokens.shape[0], 1]) as tf.Tensor2D,
        state: { h: tf.clone(state.h) },
      });
      const h = tf.zeros([1, 1]) as tf.Tensor2D;
      const [best, second] = beamSearch(
        step,
        { h },
        {
          startId: 3,
          endId: 0,
          maxLength: 1,
          beamWidth: 2,
          nBest: 2,
        },
      )[0]!;
      const lse = Math.log(1 + Math.exp(-200) + 2 * Math.exp(-1e3)); // ~ 0
      expect(best!.tokens).toEqual([2]);
      expect(best!.logProb).toBeCloseTo(-lse, 5);
      expect(second!.tokens).toEqual([1]);
      expect(second!.logProb).toBeCloseTo(-200 - lse, 3);
      h.dispose();
    });
  }

  it('on wasm, beam search takes top tokens and log-sum-exp in one kernel unless it bans some', async () => {
    await initBackend({ backend: 'wasm', log: null });
    const chain = randomChain('one-kernel', 2, 6, { spread: 3 });
    const state = chainState(chain);
    const kernelsOf = async (extra: object) => {
      const profile = await tf.profile(() => {
        beamSearch(logitStep, state, { ...options, beamWidth: 2, ...extra });
      });
      return new Set(profile.kernels.map((k) => k.name));
    };
    const plain = await kernelsOf({});
    expect(plain.has('EncdecRowTopK')).toBe(true);
    expect(plain.has('EncdecRowStats')).toBe(false);
    // With bans the top tokens are those of the masked scores, the lse that of the step's own.
    const banned = await kernelsOf({ minLength: 3 });
    expect(banned.has('EncdecRowStats')).toBe(true);
    tf.dispose(state);
  });

  it('beam search over 150 tokens: the same hypotheses on wasm (EncdecRowTopK) as on cpu', async () => {
    // A small recurrent step with random weights (the same numbers on both backends): h' =
    // tanh(h A + E[token]), logits = h' B, attention = softmax(h' C) over 4 source positions.
    const random = seedrandom('beam-150');
    const [vocab, units] = [150, 8];
    const numbers = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
    const weights = {
      E: numbers(vocab * units),
      A: numbers(units * units),
      B: numbers(units * vocab),
      C: numbers(units * 4),
      h: numbers(6 * units),
    };
    const decode = async (backend: 'cpu' | 'wasm') => {
      await initBackend({ backend, log: null });
      const E = tf.tensor2d(weights.E, [vocab, units]);
      const A = tf.tensor2d(weights.A, [units, units]);
      const B = tf.tensor2d(weights.B, [units, vocab]).mul(3) as tf.Tensor2D;
      const C = tf.tensor2d(weights.C, [units, 4]);
      const step: StepFn<{ h: tf.Tensor2D }> = (tokens, state) => {
        const h = tf.tanh(tf.add(tf.matMul(state.h, A), tf.gather(E, tokens))) as tf.Tensor2D;
        const attention = tf.softmax(tf.matMul(h, C)) as tf.Tensor2D; // [rows, 4]
        return { logits: tf.matMul<tf.Tensor2D>(h, B), attention, state: { h } };
      };
      const h = tf.tensor2d(weights.h, [6, units]);
      const before = tf.memory().numTensors;
      const found = beamSearch(
        step,
        { h },
        {
          startId: 1,
          endId: 0,
          maxLength: 8,
          beamWidth: 5,
          nBest: 3,
          collectAttention: true,
        },
      );
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([E, A, B, C, h]);
      return found;
    };
    const cpu = await decode('cpu');
    const wasm = await decode('wasm');
    wasm.forEach((list, i) => {
      expect(list.map((h) => h.tokens)).toEqual(cpu[i]!.map((h) => h.tokens));
      list.forEach((h, k) => {
        const want = cpu[i]![k]!;
        expect(h.logProb).toBeCloseTo(want.logProb, 4);
        h.attention!.forEach((row, t) => {
          row.forEach((w, j) => {
            expect(w).toBeCloseTo(want.attention![t]![j]!, 5);
          });
        });
      });
    });
  });

  it('rejects a step that returns both or neither', () => {
    const chain = randomChain('both', 1, 4);
    const state = chainState(chain);
    const both: StepFn<ChainState> = (tokens, s) => {
      const out = chainStep(tokens, s);
      return { ...out, logits: tf.clone(out.logProbs!) };
    };
    const neither: StepFn<ChainState> = (tokens, s) => ({
      ...chainStep(tokens, s),
      logProbs: undefined,
    });
    const opts = { startId: 4, endId: 0, maxLength: 3 };
    expect(() => greedySearch(both, state, opts)).toThrow(
      'step() must return logits or logProbs (exactly one of them) as a tf.Tensor2D [rows, vocabSize], got "(both logits and logProbs)".',
    );
    expect(() => greedySearch(neither, state, opts)).toThrow(
      'step() must return logits or logProbs (exactly one of them)',
    );
    tf.dispose(state);
  });
});
