/**
 * MultiHeadAttentionLayer: symbolic shapes, weights and their defaults, equality with the
 * functional `multiHeadAttention` (itself tested against a float64 reference and PyTorch), a
 * training step, config and save/load round trips, leaks and errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMultiHeadAttentionLayer,
  MultiHeadAttentionLayer,
  type MultiHeadAttentionLayerArgs,
  multiHeadAttention,
} from '@encdec/core';
import { fileHandler } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { tidyScalar } from '../../helpers/read-tensor.js';

const [batchSize, tgtLen, srcLen, dQuery, dKey] = [2, 3, 4, 8, 6];
const tmp = mkdtempSync(join(tmpdir(), 'encdec-mha-layer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function inputs(seed: number) {
  return {
    query: tf.randomUniform([batchSize, tgtLen, dQuery], -1, 1, 'float32', seed),
    keyValue: tf.randomUniform([batchSize, srcLen, dKey], -1, 1, 'float32', seed + 1),
    // Row 0: last position padded.
    keyMask: tf.tensor2d([
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ]),
  };
}

/** A functional model [query, keyValue, keyMask] -> [output, weights]. */
function mhaModel(args: Partial<MultiHeadAttentionLayerArgs> = {}) {
  const query = tf.input({ shape: [tgtLen, dQuery], name: 'query' });
  const keyValue = tf.input({ shape: [srcLen, dKey], name: 'keyValue' });
  const keyMask = tf.input({ shape: [srcLen], name: 'keyMask' });
  const layer = createMultiHeadAttentionLayer({ numHeads: 2, seed: 1, name: 'mha', ...args });
  const outputs = layer.apply([query, keyValue, keyMask]) as tf.SymbolicTensor[];
  return { model: tf.model({ inputs: [query, keyValue, keyMask], outputs }), layer };
}

const shapesOf = (layer: tf.layers.Layer) =>
  layer.weights.map((w) => `${w.originalName.split('/').pop()}${JSON.stringify(w.shape)}`);

describe('MultiHeadAttentionLayer', () => {
  it('has symbolic output shapes with fixed and null dimensions', () => {
    for (const tgt of [1, null]) {
      const q = tf.input({ shape: [tgt, 8] });
      const kv = tf.input({ shape: [null, 6] });
      const [output, weights] = new MultiHeadAttentionLayer({ numHeads: 4, outputDim: 5 }).apply([
        q,
        kv,
      ]) as tf.SymbolicTensor[];
      expect(output!.shape).toEqual([null, tgt, 5]);
      expect(weights!.shape).toEqual([null, 4, tgt, null]);
    }
  });

  it('creates Wq, bq, Wk, bk, Wv, bv, Wo, bo with the documented defaults', () => {
    // keyDim = 8 / 2 = 4, valueDim = keyDim, outputDim = the query's 8.
    expect(shapesOf(mhaModel().layer)).toEqual([
      'Wq[8,8]',
      'bq[8]',
      'Wk[6,8]',
      'bk[8]',
      'Wv[6,8]',
      'bv[8]',
      'Wo[8,8]',
      'bo[8]',
    ]);
    const { layer } = mhaModel({ keyDim: 3, valueDim: 5, outputDim: 7, useBias: false });
    expect(shapesOf(layer)).toEqual(['Wq[8,6]', 'Wk[6,6]', 'Wv[6,10]', 'Wo[10,7]']);
    // Biases start at zero; the kernels do not.
    const { layer: withBias } = mhaModel();
    const values = withBias.getWeights().map((w) => Array.from(w.dataSync()));
    expect(values[1]!.every((x) => x === 0)).toBe(true);
    expect(values[0]!.some((x) => x !== 0)).toBe(true);
  });

  for (const causal of [false, true]) {
    it(`equals the functional multiHeadAttention with params() (causal ${causal}), leaks nothing`, () => {
      const { model, layer } = mhaModel({ causal, keyDim: 3, valueDim: 2 });
      const x = inputs(1);
      const before = tf.memory().numTensors;
      const [output, weights] = model.predict([x.query, x.keyValue, x.keyMask]) as tf.Tensor[];
      const ref = multiHeadAttention(x.query, x.keyValue, layer.params(), {
        numHeads: 2,
        keyMask: x.keyMask,
        causal,
      });
      expect(Array.from(output!.dataSync())).toEqual(Array.from(ref.output.dataSync()));
      expect(Array.from(weights!.dataSync())).toEqual(Array.from(ref.weights.dataSync()));
      // The causal mask is applied: query 0 of 3 over 4 keys (offset 1) sees keys 0 and 1 only.
      const w0 = (weights!.arraySync() as number[][][][])[1]![0]![0]!;
      expect(w0[3] === 0).toBe(causal);
      tf.dispose([output!, weights!, ref.output, ref.weights]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(Object.values(x));
      model.dispose();
    });
  }

  it('one training step (optimizer.minimize) changes every weight and lowers the loss', () => {
    const { model, layer } = mhaModel();
    const x = inputs(11);
    const target = tf.randomUniform([batchSize, tgtLen, dQuery], -0.5, 0.5, 'float32', 12);
    const loss = () =>
      tf.tidy(() => {
        const [output] = model.apply([x.query, x.keyValue, x.keyMask]) as tf.Tensor[];
        return tf.losses.meanSquaredError(target, output!) as tf.Scalar;
      });
    const before = layer.getWeights().map((w) => Array.from(w.dataSync()));
    const optimizer = tf.train.sgd(0.1);
    const first = tidyScalar(loss);
    for (let step = 0; step < 3; step++) optimizer.minimize(loss, true)?.dispose();
    expect(tidyScalar(loss)).toBeLessThan(first);
    for (const [i, w] of layer.getWeights().entries()) {
      expect(Array.from(w.dataSync())).not.toEqual(before[i]);
    }
    tf.dispose([target, ...Object.values(x)]);
    optimizer.dispose();
    model.dispose();
  });

  it('round-trips its config through fromConfig', () => {
    const args = {
      numHeads: 4,
      keyDim: 3,
      valueDim: 5,
      outputDim: 7,
      useBias: false,
      causal: true,
    };
    const layer = new MultiHeadAttentionLayer({ ...args, seed: 9, name: 'mha' });
    const config = layer.getConfig();
    expect(config).toMatchObject({ ...args, seed: 9, name: 'mha' });
    const copy = MultiHeadAttentionLayer.fromConfig(
      MultiHeadAttentionLayer,
      config,
    ) as MultiHeadAttentionLayer;
    expect(copy.getConfig()).toEqual(config);
    const defaults = new MultiHeadAttentionLayer({ numHeads: 2 }).getConfig();
    expect(defaults).toMatchObject({ numHeads: 2, useBias: true, causal: false });
    expect(defaults.keyDim).toBeUndefined();
  });

  it('seeds its initializers: the same seed gives the same weights, another seed others', () => {
    const weightsOf = (seed: number) => {
      const { model } = mhaModel({ seed });
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    const a = weightsOf(7);
    expect(weightsOf(7)).toEqual(a);
    expect(weightsOf(8)[0]).not.toEqual(a[0]);
    // Wk and Wv have the same shape but each takes its own seed.
    expect(a[2]).not.toEqual(a[4]);
  });

  it('save -> load with fileHandler keeps the config and the outputs', async () => {
    const { model } = mhaModel({ numHeads: 4, causal: true, valueDim: 3 });
    const x = inputs(21);
    const dir = join(tmp, 'mha');
    await model.save(fileHandler(dir));
    const loaded = await tf.loadLayersModel(fileHandler(dir));
    const layer = loaded.getLayer('mha') as MultiHeadAttentionLayer;
    expect(layer).toBeInstanceOf(MultiHeadAttentionLayer);
    expect([layer.numHeads, layer.causal, layer.valueDim, layer.useBias]).toEqual([
      4,
      true,
      3,
      true,
    ]);
    const a = model.predict([x.query, x.keyValue, x.keyMask]) as tf.Tensor[];
    const b = loaded.predict([x.query, x.keyValue, x.keyMask]) as tf.Tensor[];
    for (let i = 0; i < 2; i++) {
      expect(Array.from(b[i]!.dataSync())).toEqual(Array.from(a[i]!.dataSync()));
    }
    tf.dispose([...a, ...b, ...Object.values(x)]);
    model.dispose();
    loaded.dispose();
  });
});

describe('MultiHeadAttentionLayer errors', () => {
  it('names bad arguments', () => {
    expect(() => new MultiHeadAttentionLayer({ numHeads: 0 })).toThrow(
      'numHeads must be a positive integer, got 0.',
    );
    expect(() => new MultiHeadAttentionLayer({ numHeads: 2, keyDim: 1.5 })).toThrow(
      'keyDim must be a positive integer, got 1.5.',
    );
    expect(
      () => new MultiHeadAttentionLayer({ numHeads: 2, causal: 'yes' as unknown as boolean }),
    ).toThrow('causal must be true or false, got "yes".');
    expect(() => new MultiHeadAttentionLayer({ numHeads: 2, seed: 0.5 })).toThrow(
      'seed must be an integer, got 0.5.',
    );
    expect(() => mhaModel({ numHeads: 3 })).toThrow(
      "numHeads must be a divisor of the query's last dimension 8 (keyDim defaults to it / numHeads; or pass keyDim), got 3.",
    );
    // With keyDim given, 3 heads of an 8-wide query are fine.
    expect(shapesOf(mhaModel({ numHeads: 3, keyDim: 2 }).layer)[0]).toBe('Wq[8,6]');
    expect(() => new MultiHeadAttentionLayer({ numHeads: 2 }).params()).toThrow(
      'params() must be called once the layer is built (apply it first), got "an unbuilt layer".',
    );
  });

  it('names inputs of the wrong rank or number', () => {
    const layer = () => new MultiHeadAttentionLayer({ numHeads: 2 });
    const q2 = tf.input({ shape: [4] });
    const kv = tf.input({ shape: [5, 4] });
    expect(() => layer().apply([q2, kv])).toThrow(
      'query must have shape [batch, tgtLen, dQuery], got shape [null,4].',
    );
    expect(() => layer().apply([kv, q2])).toThrow(
      'keyValue must have shape [batch, srcLen, dKey], got shape [null,4].',
    );
    expect(() => layer().apply([kv, kv, kv])).toThrow(
      'keyMask must have shape [batch, srcLen], got shape [null,5,4].',
    );
    expect(() => layer().apply(kv)).toThrow(
      'inputs must be a list [query, keyValue] or [query, keyValue, keyMask] (one shape per tensor), got [null,5,4].',
    );
  });
});
