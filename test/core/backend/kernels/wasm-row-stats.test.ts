/**
 * wasm's EncdecRowStats (argmax, log-sum-exp and log-probability of the argmax per row, SIMD on
 * the backend's memory) against a float64 computation here: row lengths around the kernel's
 * 4-, 8- and 16-wide steps and its 512-value blocks, ties (the first index wins, as tf.argMax),
 * rows whose other values underflow exp, large and small logits; EncdecCrossEntropyGrad the same
 * way; EncdecRowTopK's top k (as a sort gives them, ties by ascending index) and log-sum-exp
 * (bitwise EncdecRowStats') on rows that insert at every value, ties, banned values; search's
 * step scores the same as the stock ops' on the cpu backend; no leaked memory. (The loss's tests
 * check the loss and gradient on wasm; `npm run check:wasm`, a CI step, checks the modules against
 * their AssemblyScript sources.)
 */
import { initBackend } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CROSS_ENTROPY_GRAD,
  crossEntropyGrad,
  ROW_STATS,
  ROW_TOP_K,
  ROW_TOP_K_MAX_K,
  rowStats,
  rowTopK,
} from '../../../../packages/core/src/backend/kernels/wasm-row-stats.js';
import { stepScores } from '../../../../packages/core/src/search/step-scores.js';

const random = seedrandom('row-stats');

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Per row: the first index of the maximum, and lse in float64. */
function reference(x: Float32Array, rows: number, n: number) {
  const best: number[] = [];
  const lse: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * n, (r + 1) * n);
    let b = 0;
    for (let j = 1; j < n; j++) if (row[j]! > row[b]!) b = j;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(row[j]! - row[b]!);
    best.push(b);
    lse.push(row[b]! + Math.log(sum));
  }
  return { best, lse };
}

function statsOf(x: Float32Array, rows: number, n: number) {
  return tf.tidy(() => {
    const [best, lse, logp] = rowStats(tf.tensor2d(x, [rows, n]))!;
    return { best: best.arraySync(), lse: lse.dataSync(), logp: logp.dataSync() };
  });
}

describe('wasm EncdecRowStats', () => {
  it('is registered for wasm only', () => {
    for (const name of [ROW_STATS, ROW_TOP_K, CROSS_ENTROPY_GRAD]) {
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
      expect(tf.getKernel(name, 'cpu')).toBeUndefined();
    }
  });

  const lengths = [1, 3, 4, 7, 8, 15, 16, 17, 31, 511, 512, 513, 1030, 10_000];
  for (const n of lengths) {
    it(`rows of ${n}: argmax, lse and log p(argmax) as float64 gives them`, () => {
      const rows = 5;
      const x = Float32Array.from({ length: rows * n }, () => (random() - 0.5) * 20);
      // Row 1: its maximum twice (the first must win); row 2: one value far above the rest,
      // whose exps underflow float32; row 3: all equal; row 4 in the thousands.
      if (n > 2) {
        x[n + n - 1] = 30;
        x[n + 1] = 30;
      }
      x[2 * n + (n >> 1)] = 200;
      x.fill(-3.25, 3 * n, 4 * n);
      for (let j = 4 * n; j < 5 * n; j++) x[j] = x[j]! * 300;
      const want = reference(x, rows, n);
      const got = statsOf(x, rows, n);
      expect(got.best).toEqual(want.best);
      for (let r = 0; r < rows; r++) {
        const m = x[r * n + want.best[r]!]!;
        // float32 outputs: within a few ulps of the float64 values.
        expect(Math.abs(got.lse[r]! - want.lse[r]!)).toBeLessThanOrEqual(
          4e-7 * Math.max(1, Math.abs(want.lse[r]!)),
        );
        expect(got.logp[r]!).toBeCloseTo(m - want.lse[r]!, 6);
        expect(got.logp[r]!).toBeLessThanOrEqual(0);
      }
    });
  }

  for (const n of [5, 16, 1001]) {
    it(`gives (softmax - onehot(target)) * scale of rows of ${n} as float64 does`, () => {
      const rows = 4;
      const x = Float32Array.from({ length: rows * n }, () => (random() - 0.5) * 16);
      const { lse } = reference(x, rows, n);
      const scale = [0.5, 0, 2, 1]; // row 1: a padding target, scale 0
      const target = [n - 1, 0, 2 % n, 0];
      const got = tf.tidy(() =>
        crossEntropyGrad(
          tf.tensor2d(x, [rows, n]),
          tf.tensor2d(lse, [rows, 1]),
          tf.tensor1d(scale),
          tf.tensor1d(target, 'int32'),
        )!.dataSync(),
      );
      for (let r = 0; r < rows; r++) {
        const l = Math.fround(lse[r]!); // the kernel gets lse in float32
        for (let j = 0; j < n; j++) {
          const p = Math.exp(x[r * n + j]! - l);
          const hit = j === target[r] ? 1 : 0;
          const want = (p - hit) * scale[r]!;
          // exp to ~2 float32 ulps, x - lse rounded to float32 (|x - lse| < 20 here): 2e-6 of p.
          const tolerance = 2e-6 * Math.max(p, hit) * scale[r]!;
          expect(Math.abs(got[r * n + j]! - want)).toBeLessThanOrEqual(tolerance);
        }
      }
    });
  }

  // Row lengths around the top-k scan's 16- and 4-wide steps; k from 1 to the kernel's largest.
  const topKCases: [number, number][] = [
    [1, 1],
    [7, 7],
    [20, 3],
    [37, 10],
    [50, 16],
    [513, 10],
    [1030, 64],
    [10_000, 10],
  ];
  for (const [n, k] of topKCases) {
    it(`rows of ${n}, k ${k}: the k largest and lse as a sort and float64 give them`, () => {
      const rows = 6;
      const x = Float32Array.from({ length: rows * n }, () => (random() - 0.5) * 20);
      // Row 1: ascending (every value enters the top k); row 2: integer ties; row 3: all equal;
      // row 4: banned values (-1e9) and a maximum far above the rest; row 5 in the thousands.
      for (let j = 0; j < n; j++) x[n + j] = j * 0.01;
      for (let j = 0; j < n; j++) x[2 * n + j] = Math.floor(random() * 6);
      x.fill(-3.25, 3 * n, 4 * n);
      for (let j = 4 * n; j < 5 * n; j += 3) x[j] = -1e9;
      x[4 * n + (n >> 1)] = 200;
      for (let j = 5 * n; j < 6 * n; j++) x[j] = x[j]! * 300;
      const [values, indices, lse] = tf.tidy(() => {
        const out = rowTopK(tf.tensor2d(x, [rows, n]), k)!;
        expect(out.map((t) => t.shape)).toEqual([
          [rows, k],
          [rows, k],
          [rows, 1],
        ]);
        return out.map((t) => t.dataSync());
      });
      const stats = statsOf(x, rows, n);
      const want = reference(x, rows, n);
      for (let r = 0; r < rows; r++) {
        const row = x.subarray(r * n, (r + 1) * n);
        const order = Array.from(row.keys()).sort((a, b) => row[b]! - row[a]! || a - b);
        expect(Array.from(indices!.subarray(r * k, (r + 1) * k))).toEqual(order.slice(0, k));
        expect(Array.from(values!.subarray(r * k, (r + 1) * k))).toEqual(
          order.slice(0, k).map((j) => row[j]!),
        );
        expect(lse![r]).toBe(stats.lse[r]); // the same passes as EncdecRowStats
        expect(Math.abs(lse![r]! - want.lse[r]!)).toBeLessThanOrEqual(
          4e-7 * Math.max(1, Math.abs(want.lse[r]!)),
        );
      }
    });
  }

  it('gives the top k of tf.topk on cpu and the lse of the stock ops', async () => {
    const [rows, n, k] = [5, 333, 10];
    const x = Float32Array.from({ length: rows * n }, () => Math.floor((random() - 0.5) * 30));
    const onCpu = async () => {
      await tf.setBackend('cpu');
      return tf.tidy(() => {
        const logits = tf.tensor2d(x, [rows, n]);
        const { values, indices } = tf.topk(logits, k);
        const lse = tf.logSumExp(logits, 1, true);
        return [values, indices, lse].map((t) => Array.from(t.dataSync()));
      });
    };
    const cpu = await onCpu();
    await tf.setBackend('wasm');
    const wasm = tf.tidy(() =>
      rowTopK(tf.tensor2d(x, [rows, n]), k)!.map((t) => Array.from(t.dataSync())),
    );
    expect(wasm[0]).toEqual(cpu[0]);
    expect(wasm[1]).toEqual(cpu[1]);
    wasm[2]!.forEach((v, r) => {
      expect(v).toBeCloseTo(cpu[2]![r]!, 5);
    });
  });

  it('leaves k above its largest to the caller, and rejects a k outside [1, n]', () => {
    const x = tf.randomNormal([2, 100]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    expect(rowTopK(x, ROW_TOP_K_MAX_K + 1)).toBeNull();
    for (const k of [0, 1.5, 101]) {
      expect(() => tf.engine().runKernel(ROW_TOP_K, { x }, { k })).toThrow(
        `EncdecRowTopK takes k in [1, min(n, 64)] = [1, 64], got ${k}`,
      );
    }
    const small = tf.randomNormal([2, 5]) as tf.Tensor2D;
    expect(() => rowTopK(small, 6)).toThrow(
      'EncdecRowTopK takes k in [1, min(n, 64)] = [1, 5], got 6',
    );
    const ids = tf.tensor2d([[1, 2]], undefined, 'int32');
    expect(() => rowTopK(ids as tf.Tensor2D, 1)).toThrow(/EncdecRowTopK takes float32 logits/);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, small, ids]);
  });

  it('gives search the step scores the stock ops give on cpu', async () => {
    const [rows, n] = [6, 1001];
    const x = Float32Array.from({ length: rows * n }, () => (random() - 0.5) * 12);
    const scored = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const logits = tf.tensor2d(x, [rows, n]);
        const s = stepScores({ logits, state: [] });
        return {
          best: Array.from(s.best.dataSync()),
          lse: Array.from(s.logSumExp!.dataSync()),
          bestLogProbs: Array.from(s.bestLogProbs().dataSync()),
        };
      });
    };
    const cpu = await scored('cpu');
    const wasm = await scored('wasm');
    expect(wasm.best).toEqual(cpu.best);
    wasm.lse.forEach((v, r) => {
      expect(v).toBeCloseTo(cpu.lse[r]!, 5);
    });
    wasm.bestLogProbs.forEach((v, r) => {
      expect(v).toBeCloseTo(cpu.bestLogProbs[r]!, 5);
    });
  });

  it('leaves no tensor or heap data behind', () => {
    const x = tf.randomNormal([8, 300]) as tf.Tensor2D;
    const before = tf.memory();
    tf.dispose(rowStats(x)!); // on wasm, with float32 rows: never null
    tf.dispose(rowTopK(x, 10)!);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    x.dispose();
  });

  it('rejects what it cannot take, naming the kernel', () => {
    const ids = tf.tensor2d([[1, 2]], undefined, 'int32');
    expect(() => rowStats(ids as tf.Tensor2D)).toThrow(/EncdecRowStats takes float32 logits/);
    ids.dispose();
  });
});
