/**
 * AttentionLayer: symbolic shapes, equality with the functional `attention` (itself tested against
 * a plain-array reference), gradients against central finite differences, training, config and
 * save/load round trips, leaks and errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ATTENTION_KINDS,
  type AttentionKind,
  AttentionLayer,
  attention,
  createAttentionLayer,
} from '@encdec/core';
import { fileHandler } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

const [batchSize, tgtLen, srcLen, d] = [2, 3, 4, 3];
const tmp = mkdtempSync(join(tmpdir(), 'encdec-attention-layer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Inputs of a fixed seed, small values so that float32 finite differences stay accurate. */
function inputs(seed: number) {
  return {
    query: tf.randomUniform([batchSize, tgtLen, d], -0.5, 0.5, 'float32', seed),
    values: tf.randomUniform([batchSize, srcLen, d], -0.5, 0.5, 'float32', seed + 1),
    // Row 0: last position padded.
    mask: tf.tensor2d([
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ]),
  };
}

/** A functional model [query, values, mask] -> [context, weights]. */
function attentionModel(kind: AttentionKind, units?: number, tgt: number | null = tgtLen) {
  const query = tf.input({ shape: [tgt, d], name: 'query' });
  const values = tf.input({ shape: [srcLen, d], name: 'values' });
  const mask = tf.input({ shape: [srcLen], name: 'mask' });
  const layer = createAttentionLayer({ kind, units, name: 'attention' });
  const outputs = layer.apply([query, values, mask]) as tf.SymbolicTensor[];
  return { model: tf.model({ inputs: [query, values, mask], outputs }), layer };
}

describe('AttentionLayer', () => {
  it('has symbolic output shapes with fixed and null dimensions', () => {
    for (const tgt of [1, null]) {
      const q = tf.input({ shape: [tgt, 4] });
      const v = tf.input({ shape: [7, 5] });
      const m = tf.input({ shape: [7] });
      const [context, weights] = new AttentionLayer({ kind: 'additive', units: 6 }).apply([
        q,
        v,
        m,
      ]) as tf.SymbolicTensor[];
      expect(context.shape).toEqual([null, tgt, 5]);
      expect(weights.shape).toEqual([null, tgt, 7]);
    }
    const q = tf.input({ shape: [null, 5] });
    const v = tf.input({ shape: [null, 5] });
    const [context, weights] = new AttentionLayer({ kind: 'dot' }).apply([
      q,
      v,
    ]) as tf.SymbolicTensor[];
    expect(context.shape).toEqual([null, null, 5]);
    expect(weights.shape).toEqual([null, null, null]);
  });

  it('creates the weights of each kind with addWeight', () => {
    const names = (kind: AttentionKind, units?: number) => {
      const { layer } = attentionModel(kind, units);
      return layer.trainableWeights.map(
        (w) => `${w.originalName.split('/').pop()}${JSON.stringify(w.shape)}`,
      );
    };
    expect(names('dot')).toEqual([]);
    expect(names('scaledDot')).toEqual([]);
    expect(names('general')).toEqual([`W[${d},${d}]`]);
    expect(names('additive', 5)).toEqual([`Wq[${d},5]`, `Wk[${d},5]`, 'v[5]']);
    // Default units: the values' last dimension.
    expect(names('additive')).toEqual([`Wq[${d},${d}]`, `Wk[${d},${d}]`, `v[${d}]`]);
  });

  for (const kind of ATTENTION_KINDS) {
    it(`${kind}: equals the functional attention with the layer's weights, leaks nothing`, () => {
      const { model, layer } = attentionModel(kind, 5);
      const x = inputs(1);
      const before = tf.memory().numTensors;
      const [context, weights] = model.predict([x.query, x.values, x.mask]) as tf.Tensor[];
      const w = Object.fromEntries(
        layer.getWeights().map((t, i) => [layer.weights[i].originalName.split('/').pop(), t]),
      );
      const ref = attention(x.query, x.values, x.values, { kind, mask: x.mask, params: w });
      expect(Array.from(context.dataSync())).toEqual(Array.from(ref.context.dataSync()));
      expect(Array.from(weights.dataSync())).toEqual(Array.from(ref.weights.dataSync()));
      tf.dispose([context, weights, ref.context, ref.weights]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(Object.values(x));
      model.dispose();
    });
  }

  for (const kind of ['general', 'additive'] as const) {
    it(`${kind}: gradients w.r.t. weights and inputs match central finite differences`, () => {
      const layer = new AttentionLayer({ kind, units: 4, seed: 11 }); // seeded: the same check every run
      const x = inputs(7);
      const r1 = tf.randomNormal([batchSize, tgtLen, d], 0, 1, 'float32', 3);
      const r2 = tf.randomNormal([batchSize, tgtLen, srcLen], 0, 1, 'float32', 4);
      // A loss that reaches both outputs with random weights, so no gradient cancels by symmetry.
      const loss = (q: tf.Tensor, v: tf.Tensor) =>
        tf.tidy(() => {
          const [context, weights] = layer.apply([q, v, x.mask]) as tf.Tensor[];
          return tf.add(tf.sum(tf.mul(context, r1)), tf.sum(tf.mul(weights, r2))) as tf.Scalar;
        });
      const lossValue = () => tf.tidy(() => loss(x.query, x.values).dataSync()[0]);
      lossValue(); // builds the layer

      const { grads } = tf.variableGrads(() => loss(x.query, x.values));
      const [gQuery, gValues] = tf.grads((q, v) => loss(q, v))([x.query, x.values]);

      const eps = 1e-2;
      const expectMatches = (analytic: tf.Tensor, numeric: number[]) => {
        const a = analytic.dataSync();
        for (const [i, n] of numeric.entries()) {
          expect(Math.abs(a[i] - n)).toBeLessThan(1e-3 + 1e-2 * Math.abs(n));
        }
        // Something is actually being tested: the gradient is not all zeros.
        expect(Math.max(...numeric.map(Math.abs))).toBeGreaterThan(1e-2);
      };
      // Weights: perturb each element in place with setWeights.
      layer.weights.forEach((variable, wi) => {
        const original = layer.getWeights()[wi].clone();
        const base = original.dataSync();
        const numeric = Array.from(base, (_, i) => {
          const at = (delta: number) => {
            const data = Float32Array.from(base);
            data[i] += delta;
            const weightsNow = layer
              .getWeights()
              .map((w, j) => (j === wi ? tf.tensor(data, original.shape) : w));
            layer.setWeights(weightsNow);
            tf.dispose(weightsNow[wi]);
            return lossValue();
          };
          return (at(eps) - at(-eps)) / (2 * eps);
        });
        const restored = layer.getWeights().map((w, j) => (j === wi ? original : w));
        layer.setWeights(restored);
        expectMatches(grads[variable.name], numeric);
        original.dispose();
      });
      // Inputs: perturb query and values.
      for (const [name, tensor, analytic] of [
        ['query', x.query, gQuery],
        ['values', x.values, gValues],
      ] as const) {
        const base = tensor.dataSync();
        const numeric = Array.from(base, (_, i) => {
          const at = (delta: number) => {
            const data = Float32Array.from(base);
            data[i] += delta;
            const moved = tf.tensor(data, tensor.shape);
            const value = tf.tidy(
              () => (name === 'query' ? loss(moved, x.values) : loss(x.query, moved)).dataSync()[0],
            );
            moved.dispose();
            return value;
          };
          return (at(eps) - at(-eps)) / (2 * eps);
        });
        expectMatches(analytic, numeric);
      }
      tf.dispose([...Object.values(grads), gQuery, gValues, r1, r2, ...Object.values(x)]);
      layer.dispose();
    });
  }

  it('one training step (optimizer.minimize) changes the weights and lowers the loss', () => {
    const { model, layer } = attentionModel('additive', 4);
    const x = inputs(11);
    const target = tf.randomUniform([batchSize, tgtLen, d], -0.5, 0.5, 'float32', 12);
    const loss = () =>
      tf.tidy(() => {
        const [context] = model.apply([x.query, x.values, x.mask]) as tf.Tensor[];
        return tf.losses.meanSquaredError(target, context) as tf.Scalar;
      });
    const before = layer.getWeights().map((w) => w.dataSync().slice());
    const optimizer = tf.train.sgd(0.5);
    const first = tf.tidy(() => loss().dataSync()[0]);
    for (let step = 0; step < 3; step++) optimizer.minimize(loss, true)?.dispose();
    const after = tf.tidy(() => loss().dataSync()[0]);
    expect(after).toBeLessThan(first);
    for (const [i, w] of layer.getWeights().entries()) {
      expect(Array.from(w.dataSync())).not.toEqual(Array.from(before[i]));
    }
    tf.dispose([target, ...Object.values(x)]);
    optimizer.dispose();
    model.dispose();
  });

  it('trains inside model.fit (context output only) and accepts an upstream Keras mask', async () => {
    const tokens = tf.input({ shape: [srcLen], name: 'tokens' });
    const embedded = tf.layers
      .embedding({ inputDim: 10, outputDim: d, maskZero: true })
      .apply(tokens);
    const encoded = tf.layers
      .simpleRNN({ units: d, returnSequences: true })
      .apply(embedded) as tf.SymbolicTensor;
    const query = tf.input({ shape: [1, d], name: 'query' });
    const [context] = createAttentionLayer({ kind: 'general' }).apply([
      query,
      encoded,
    ]) as tf.SymbolicTensor[];
    const output = tf.layers
      .dense({ units: 1 })
      .apply(tf.layers.flatten().apply(context)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [tokens, query], outputs: output });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const xs = [
      tf.tensor2d([
        [1, 2, 3, 0],
        [4, 5, 0, 0],
      ]),
      tf.randomUniform([2, 1, d], -1, 1, 'float32', 5),
    ];
    const ys = tf.tensor2d([[1], [-1]]);
    const history = await model.fit(xs, ys, { epochs: 5, batchSize: 2, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[4]).toBeLessThan(losses[0]);
    tf.dispose([...xs, ys]);
    model.dispose();
  });

  it('round-trips its config through fromConfig', () => {
    const layer = new AttentionLayer({ kind: 'additive', units: 7, name: 'att' });
    const config = layer.getConfig();
    expect(config).toMatchObject({ kind: 'additive', units: 7, name: 'att', trainable: true });
    const copy = AttentionLayer.fromConfig(AttentionLayer, config) as AttentionLayer;
    expect([copy.kind, copy.units, copy.name]).toEqual(['additive', 7, 'att']);
    const noUnits = new AttentionLayer({ kind: 'scaledDot' }).getConfig();
    expect(noUnits.units).toBeUndefined();
  });

  it('seeds its initializers: the same seed gives the same weights, another seed others', () => {
    const weightsOf = (seed: number | undefined) => {
      const layer = new AttentionLayer({ kind: 'additive', units: 4, seed });
      layer.apply([tf.input({ shape: [2, 3] }), tf.input({ shape: [5, 3] })]);
      const values = layer.getWeights().map((w) => Array.from(w.dataSync()));
      layer.dispose();
      return values;
    };
    const a = weightsOf(7);
    expect(weightsOf(7)).toEqual(a);
    expect(weightsOf(8)[0]).not.toEqual(a[0]);
    // Each weight takes its own seed: Wq and Wk have the same shape but differ.
    expect(a[1]).not.toEqual(a[0]);
    expect(new AttentionLayer({ kind: 'general', seed: 3 }).getConfig().seed).toBe(3);
    expect(() => new AttentionLayer({ kind: 'general', seed: 1.5 })).toThrow(
      'seed must be an integer, got 1.5.',
    );
  });

  for (const kind of ATTENTION_KINDS) {
    it(`${kind}: save -> load with fileHandler keeps kind, units and outputs`, async () => {
      const { model } = attentionModel(kind, 5);
      const x = inputs(21);
      const dir = join(tmp, kind);
      await model.save(fileHandler(dir));
      const loaded = await tf.loadLayersModel(fileHandler(dir));
      const layer = loaded.getLayer('attention') as AttentionLayer;
      expect(layer).toBeInstanceOf(AttentionLayer);
      expect(layer.kind).toBe(kind);
      expect(layer.units).toBe(5);
      const a = model.predict([x.query, x.values, x.mask]) as tf.Tensor[];
      const b = loaded.predict([x.query, x.values, x.mask]) as tf.Tensor[];
      for (let i = 0; i < 2; i++)
        expect(Array.from(b[i].dataSync())).toEqual(Array.from(a[i].dataSync()));
      tf.dispose([...a, ...b, ...Object.values(x)]);
      model.dispose();
      loaded.dispose();
    });
  }
});

describe('AttentionLayer errors', () => {
  it('names an unknown kind and bad units', () => {
    expect(() => new AttentionLayer({ kind: 'cosine' as AttentionKind })).toThrow(
      'kind must be one of "dot", "scaledDot", "general", "additive", got "cosine".',
    );
    for (const [units, shown] of [
      [0, '0'],
      [-3, '-3'],
      [2.5, '2.5'],
    ] as const) {
      expect(() => new AttentionLayer({ kind: 'additive', units })).toThrow(
        `units must be a positive integer, got ${shown}.`,
      );
    }
  });

  it('names inputs of the wrong rank or number', () => {
    const layer = () => new AttentionLayer({ kind: 'dot' });
    const q2 = tf.input({ shape: [4] });
    const v = tf.input({ shape: [5, 4] });
    expect(() => layer().apply([q2, v])).toThrow(
      'query must have shape [batch, tgtLen, dq], got shape [null,4].',
    );
    expect(() => layer().apply([v, q2])).toThrow(
      'values must have shape [batch, srcLen, dv], got shape [null,4].',
    );
    expect(() => layer().apply([v, v, v])).toThrow(
      'mask must have shape [batch, srcLen], got shape [null,5,4].',
    );
    expect(() => layer().apply(v)).toThrow(
      'inputs must be a list [query, values] or [query, values, mask] (one shape per tensor), got [null,5,4].',
    );
  });
});
