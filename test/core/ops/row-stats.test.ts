/**
 * The row ops' fast path (wasm: encdec's kernels) and their plain TF.js form give the same values,
 * both on wasm; the plain form (what cpu and tfjs-node run) against a float64 computation here.
 */
import { initBackend } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  crossEntropyGrad,
  crossEntropyGradTfjs,
  rowStats,
  rowStatsTfjs,
  rowTopK,
  rowTopKTfjs,
} from '../../../packages/core/src/ops/row-stats.js';

const random = seedrandom('ops-row-stats');
const rows = 7;
const n = 1003; // not a multiple of the kernels' 4-, 8- and 16-wide steps
const logits = () =>
  Float32Array.from({ length: rows * n }, (_, i) => (i % n === 17 ? 9 : 6 * random() - 3));

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  // Else both sides below would be the plain ops and agree trivially.
  expect(tf.getBackend()).toBe('wasm');
  for (const kernel of ['EncdecRowStats', 'EncdecRowTopK', 'EncdecCrossEntropyGrad']) {
    expect(tf.getKernel(kernel, 'wasm'), kernel).toBeDefined();
  }
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Each tensor of `a` and `b` read back: equal shapes and values within `tol`. */
function expectSame(a: Record<string, tf.Tensor>, b: Record<string, tf.Tensor>, tol: number) {
  for (const key of Object.keys(a)) {
    expect(a[key]!.shape, key).toEqual(b[key]!.shape);
    const x = a[key]!.dataSync();
    const y = b[key]!.dataSync();
    for (let i = 0; i < x.length; i++)
      expect(Math.abs(x[i]! - y[i]!), `${key}[${i}]`).toBeLessThan(tol);
  }
}

describe('row ops: fast path and plain TF.js agree', () => {
  it('rowStats', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(logits(), [rows, n]);
    const fast = rowStats(x);
    const plain = rowStatsTfjs(x);
    expectSame({ ...fast }, { ...plain }, 1e-5);
    tf.dispose([x, fast.best, fast.logSumExp, fast.bestLogProb]);
    tf.dispose([plain.best, plain.logSumExp, plain.bestLogProb]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rowTopK, also above the kernel's largest k", () => {
    const x = tf.tensor2d(logits(), [rows, n]);
    for (const k of [1, 10, 65]) {
      const fast = rowTopK(x, k);
      const plain = rowTopKTfjs(x, k);
      expectSame({ ...fast }, { ...plain }, 1e-5);
      tf.dispose([fast.values, fast.indices, fast.logSumExp, plain.values, plain.indices]);
      tf.dispose(plain.logSumExp);
    }
    x.dispose();
  });

  it('crossEntropyGrad', () => {
    tf.tidy(() => {
      const x = tf.tensor2d(logits(), [rows, n]);
      const { logSumExp } = rowStatsTfjs(x);
      const scale = tf.tensor1d([1, 0, 0.5, 2, 1, 1, 0.25]);
      const target = tf.tensor1d([0, 5, 17, 1002, 3, 17, 999], 'int32');
      expectSame(
        { grad: crossEntropyGrad(x, logSumExp, scale, target) },
        { grad: crossEntropyGradTfjs(x, logSumExp, scale, target) },
        1e-6,
      );
    });
  });
});

describe('row ops in plain TF.js against float64', () => {
  it('log-sum-exp, argmax, its log-probability, and the gradient', () => {
    const values = logits();
    tf.tidy(() => {
      const x = tf.tensor2d(values, [rows, n]);
      const stats = rowStatsTfjs(x);
      const grad = crossEntropyGradTfjs(
        x,
        stats.logSumExp,
        tf.fill([rows], 2) as tf.Tensor1D,
        tf.fill([rows], 17, 'int32') as tf.Tensor1D,
      ).dataSync();
      for (let r = 0; r < rows; r++) {
        const row = Array.from(values.subarray(r * n, (r + 1) * n));
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
        expect(stats.logSumExp.dataSync()[r]).toBeCloseTo(lse, 5);
        expect(stats.best.dataSync()[r]).toBe(row.indexOf(max));
        expect(stats.bestLogProb.dataSync()[r]).toBeCloseTo(max - lse, 5);
        for (const j of [0, 17, n - 1]) {
          const expected = 2 * (Math.exp(row[j]! - lse) - (j === 17 ? 1 : 0));
          expect(grad[r * n + j]).toBeCloseTo(expected, 5);
        }
      }
    });
  });
});
