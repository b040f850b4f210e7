/**
 * The Transformer's blocks (model/transformer-blocks.ts) against float64 references written here
 * from the formulas: LayerNorm (Ba et al. 2016) and the position-wise feed-forward network
 * (Vaswani et al. 2017, eq. 2), their values and their gradients (tf.grad against central finite
 * differences of the reference); dropout acts only while training.
 */
import type { EncoderLayerParams } from '@encdec/core';
import { encoderLayer, feedForward, layerNorm } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { refLayerNorm } from '../../helpers/layer-norm-ref.js';
import { expectClose, numericGrads } from '../../helpers/numeric-grads.js';
import { float32Uniform, rng } from '../../helpers/rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rand = rng(7);
const randV = (n: number) => float32Uniform(rand, n);

// --- float64 references, on flat row-major arrays -------------------------------------------------

/** max(0, x W1 + b1) W2 + b2 for each row of x [rows, d]; W1 [d, f], W2 [f, d]. */
function refFeedForward(x: number[], d: number, f: number, p: number[][]): number[] {
  const [W1, b1, W2, b2] = p as [number[], number[], number[], number[]];
  const out: number[] = [];
  for (let r = 0; r < x.length / d; r++) {
    const hidden = b1.map((b, k) => {
      let s = b;
      for (let j = 0; j < d; j++) s += x[r * d + j]! * W1[j * f + k]!;
      return Math.max(0, s);
    });
    for (let j = 0; j < d; j++) {
      let s = b2[j]!;
      for (let k = 0; k < f; k++) s += hidden[k]! * W2[k * d + j]!;
      out.push(s);
    }
  }
  return out;
}

describe('Transformer blocks', () => {
  const [rows, d, f] = [3, 4, 6];

  it('layerNorm equals the float64 formula, and so do its gradients w.r.t. x, gamma, beta', () => {
    const x = randV(rows * d).map((v, i) => v * (1 + i)); // rows of different scales
    const gamma = randV(d);
    const beta = randV(d);
    const R = randV(rows * d);
    const ref = (xs: number[][]) => refLayerNorm(xs[0]!, d, xs[1]!, xs[2]!);
    const [tx, tg, tb, tR] = [
      tf.tensor3d(x, [1, rows, d]),
      tf.tensor1d(gamma),
      tf.tensor1d(beta),
      tf.tensor3d(R, [1, rows, d]),
    ];
    expectClose(layerNorm(tx, { gamma: tg, beta: tb }).dataSync(), ref([x, gamma, beta]), 1e-5);
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(layerNorm(a, { gamma: g, beta: b }), tR)),
    )([tx, tg, tb]);
    const expected = numericGrads(ref, [x, gamma, beta], R);
    for (const [i, g] of grads.entries()) expectClose(g.dataSync(), expected[i]!, 1e-4);
    tf.dispose([tx, tg, tb, tR, ...grads]);
  });

  it('feedForward equals max(0, x W1 + b1) W2 + b2, and so do its gradients w.r.t. every input', () => {
    const x = randV(rows * d);
    // b1 keeps every hidden unit away from relu's kink, where finite differences are undefined.
    const params = [randV(d * f), randV(f), randV(f * d), randV(d)];
    const ref = (xs: number[][]) => refFeedForward(xs[0]!, d, f, xs.slice(1));
    const pre = (xs: number[][]) => {
      const [W1, b1] = [xs[1]!, xs[2]!];
      return Array.from({ length: rows * f }, (_, n) => {
        const [r, k] = [Math.floor(n / f), n % f];
        let s = b1[k]!;
        for (let j = 0; j < d; j++) s += xs[0]![r * d + j]! * W1[j * f + k]!;
        return Math.abs(s);
      });
    };
    expect(Math.min(...pre([x, ...params]))).toBeGreaterThan(1e-3);
    const R = randV(rows * d);
    const tx = tf.tensor3d(x, [1, rows, d]);
    const [W1, b1, W2, b2] = [
      tf.tensor2d(params[0]!, [d, f]),
      tf.tensor1d(params[1]!),
      tf.tensor2d(params[2]!, [f, d]),
      tf.tensor1d(params[3]!),
    ];
    const tR = tf.tensor3d(R, [1, rows, d]);
    expectClose(feedForward(tx, { W1, b1, W2, b2 }).dataSync(), ref([x, ...params]), 1e-5);
    const grads = tf.grads(
      (a: tf.Tensor, w1: tf.Tensor, c1: tf.Tensor, w2: tf.Tensor, c2: tf.Tensor) =>
        tf.sum(tf.mul(feedForward(a as tf.Tensor3D, { W1: w1, b1: c1, W2: w2, b2: c2 }), tR)),
    )([tx, W1, b1, W2, b2]);
    const expected = numericGrads(ref, [x, ...params], R);
    for (const [i, g] of grads.entries()) expectClose(g.dataSync(), expected[i]!, 1e-4);
    tf.dispose([tx, W1, b1, W2, b2, tR, ...grads]);
  });

  it('an encoder layer drops out only while training', () => {
    const dModel = 4;
    const norm = () => ({ gamma: tf.ones([dModel]), beta: tf.zeros([dModel]) });
    const m = (r: number, c: number) => tf.tensor2d(randV(r * c), [r, c]);
    const params: EncoderLayerParams = {
      norm1: norm(),
      selfAttention: { Wq: m(4, 4), Wk: m(4, 4), Wv: m(4, 4), Wo: m(4, 4) },
      norm2: norm(),
      feedForward: { W1: m(4, 8), b1: tf.zeros([8]), W2: m(8, 4), b2: tf.zeros([4]) },
    };
    const x = tf.tensor3d(randV(2 * 3 * dModel), [2, 3, dModel]);
    const mask = tf.ones([2, 3]);
    const run = (dropout: number, training: boolean) => {
      const { output, weights } = encoderLayer(x, mask, params, {
        numHeads: 2,
        norm: 'pre',
        dropout,
        training,
      });
      weights.dispose();
      return output;
    };
    const plain = run(0, false);
    const inference = run(0.5, false);
    const trained = run(0.5, true);
    expect(Array.from(inference.dataSync())).toEqual(Array.from(plain.dataSync()));
    expect(Array.from(trained.dataSync())).not.toEqual(Array.from(plain.dataSync()));
    tf.dispose([plain, inference, trained, x, mask]);
    tf.dispose(params as unknown as tf.TensorContainer);
  });
});
