/**
 * The Keras example (createKerasExampleModel: Embedding -> LSTM encoder, its final [h, c] starting Embedding
 * -> LSTM decoder -> Dense) computes what the same model computes in PyTorch (nn.LSTM, whose gates
 * are the logistic sigmoid, as Keras 2+'s LSTM), given the same weights: the logits, the masked
 * cross-entropy loss and its gradient w.r.t. every weight (as a projection on a fixed direction,
 * its L1 norm and largest entry, to keep the fixture small), on cpu and wasm. Golden values:
 * test/fixtures/pytorch/make-fixtures.py; the weights are a formula both sides compute.
 */
import { readFileSync } from 'node:fs';
import { createKerasExampleModel, initBackend } from '@encdec/core';
import { maskedTokenSums } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAllClose } from '../backend/expect-close.js';

interface GradSummary {
  probe: number;
  l1: number;
  maxAbs: number;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/pytorch/keras-example.json', import.meta.url), 'utf8'),
) as {
  vocabSize: number;
  weights: Array<{ name: string; shape: number[]; scale: number; phase: number }>;
  src: number[][];
  tgtIn: number[][];
  tgtOut: number[][];
  logits: number[];
  loss: number;
  grads: Record<string, GradSummary>;
};

/** w[i] = scale sin(0.7 i + phase), rounded to float32, as the generator computes them. */
function formulaWeights(count: number, scale: number, phase: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => scale * Math.sin(0.7 * i + phase));
}

/** The generator's direction: p[i] = sin(0.37 i + 0.5). */
function summarize(values: Float32Array): GradSummary {
  let [probe, l1, maxAbs] = [0, 0, 0];
  values.forEach((v, i) => {
    probe += v * Math.sin(0.37 * i + 0.5);
    l1 += Math.abs(v);
    maxAbs = Math.max(maxAbs, Math.abs(v));
  });
  return { probe, l1, maxAbs };
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['cpu', 'wasm'] as const)('the Keras example on %s', (backend) => {
  it('gives PyTorch’s logits, loss and gradients from the same weights', async () => {
    await initBackend({ backend, log: null });
    const before = tf.memory().numTensors;
    const seq2seq = createKerasExampleModel({ vocabSize: fixture.vocabSize });
    const byName = new Map(seq2seq.model.weights.map((w) => [w.originalName, w]));
    expect([...byName.keys()].sort()).toEqual(fixture.weights.map((w) => w.name).sort());
    const values = fixture.weights.map(({ name, shape, scale, phase }) => {
      expect(byName.get(name)!.shape).toEqual(shape);
      const count = shape.reduce((a, b) => a * b, 1);
      return tf.tensor(formulaWeights(count, scale, phase), shape);
    });
    const order = seq2seq.model.weights.map((w) =>
      fixture.weights.findIndex((f) => f.name === w.originalName),
    );
    seq2seq.model.setWeights(order.map((i) => values[i]!));
    tf.dispose(values);

    const src = tf.tensor2d(fixture.src, undefined, 'int32');
    const tgtIn = tf.tensor2d(fixture.tgtIn, undefined, 'int32');
    const tgtOut = tf.tensor2d(fixture.tgtOut, undefined, 'int32');
    const { logits } = seq2seq.forward([src, tgtIn]);
    expectAllClose(logits.dataSync(), fixture.logits, 1e-5);
    logits.dispose();
    const logs = await seq2seq.evaluate([src, tgtIn], tgtOut);
    expect(Math.abs(logs.loss! - fixture.loss)).toBeLessThan(1e-5);

    const weights = seq2seq.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => {
      const { logits: out } = seq2seq.forward([src, tgtIn]);
      const { lossSum, tokens, correct } = maskedTokenSums(out, tgtOut);
      correct.dispose();
      return tf.div(lossSum, tokens) as tf.Scalar;
    }, weights);
    expect(Math.abs(value.dataSync()[0]! - fixture.loss)).toBeLessThan(1e-5);
    for (const w of seq2seq.model.trainableWeights) {
      const expected = fixture.grads[w.originalName]!;
      const actual = summarize(grads[w.name]!.dataSync() as Float32Array); // w.name: its variable's name
      const scale = Math.max(1, expected.l1);
      expect(Math.abs(actual.probe - expected.probe), w.originalName).toBeLessThan(1e-5 * scale);
      expect(Math.abs(actual.l1 - expected.l1), w.originalName).toBeLessThan(1e-5 * scale);
      expect(Math.abs(actual.maxAbs - expected.maxAbs), w.originalName).toBeLessThan(1e-5);
    }
    tf.dispose([value, ...Object.values(grads), src, tgtIn, tgtOut]);
    seq2seq.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

it("saves the Keras example's LSTMs with sigmoid gates, as Keras 2+ has them", () => {
  const seq2seq = createKerasExampleModel({ vocabSize: 12 });
  const json = JSON.stringify(seq2seq.model.toJSON(null, false));
  expect(json.match(/"recurrent_activation":"sigmoid"/g)).toHaveLength(2);
  expect(json).not.toContain('hard_sigmoid');
  seq2seq.dispose();
});
