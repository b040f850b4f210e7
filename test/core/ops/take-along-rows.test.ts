/**
 * takeAlongRows on both backends, and beam search on wasm equal to cpu: TF.js 4.22's wasm
 * `gather` with batchDims 1 returns wrong values, so search must not rely on it.
 */
import { beamSearch, type StepFn, sampleSearch } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { takeAlongRows } from '../../../packages/core/src/ops/take-along-rows.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

// A first-order chain built from axis-0 gathers only: logits = table[token] + 0.1 * h.
const table = Array.from({ length: 7 }, (_, i) =>
  Array.from({ length: 6 }, (_, j) => Math.sin(3 * i + 7 * j) * 2),
);
const step: StepFn<{ h: tf.Tensor2D }> = (tokens, state) => {
  const logits = tf.add<tf.Tensor2D>(tf.gather(tf.tensor2d(table), tokens), tf.mul(state.h, 0.1)); // [rows, 6]
  return { logProbs: tf.logSoftmax(logits) as tf.Tensor2D, state: { h: tf.tanh(logits) } };
};

async function onBackend<T>(backend: string, fn: () => T): Promise<T> {
  await tf.setBackend(backend);
  return fn();
}

describe.each(['cpu', 'wasm'])('on the %s backend', (backend) => {
  it('takeAlongRows picks matrix[r, columns[r, j]]', async () => {
    const got = await onBackend(backend, () =>
      tf.tidy(() => {
        const matrix = tf.tensor2d([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        return takeAlongRows(matrix, tf.tensor2d([[2], [0]], undefined, 'int32')).arraySync();
      }),
    );
    expect(got).toEqual([[3], [4]]);
  });
});

describe('search on wasm', () => {
  it('gives the same beams and samples as on cpu', async () => {
    const run = () => {
      const h = tf.randomNormal([3, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
      const options = { startId: 6, endId: 0, maxLength: 8 };
      const beams = beamSearch(
        step,
        { h },
        { ...options, beamWidth: 3, nBest: 3, lengthPenalty: 0.7 },
      );
      const samples = sampleSearch(step, { h }, { ...options, seed: 5, topK: 4, topP: 0.9 });
      h.dispose();
      return { beams, samples };
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    expect(wasm.beams.map((row) => row.map((h) => h.tokens))).toEqual(
      cpu.beams.map((row) => row.map((h) => h.tokens)),
    );
    expect(wasm.samples.map((h) => h.tokens)).toEqual(cpu.samples.map((h) => h.tokens));
    const cpuScores = cpu.beams.flat().map((h) => h.score);
    wasm.beams.flat().forEach((h, i) => {
      expect(h.score).toBeCloseTo(cpuScores[i]!, 4);
    });
  });
});
