/**
 * PositionalEncodingLayer: adds row p of its table to position p, sinusoidal (the fixed table of
 * sinusoidalPositions) or learned (a trained weight); the table() accessor, a Keras mask passed
 * through, config and save/load round trips, leaks and the errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PositionalEncodingLayer, sinusoidalPositions } from '@encdec/core';
import { fileHandler } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'encdec-positional-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const [batchSize, len, dModel, maxLength] = [2, 5, 6, 12];

function positionalModel(kind: 'sinusoidal' | 'learned') {
  const x = tf.input({ shape: [null, dModel] });
  const layer = new PositionalEncodingLayer({ kind, maxLength, seed: 3, name: 'positions' });
  const model = tf.model({ inputs: x, outputs: layer.apply(x) as tf.SymbolicTensor });
  return { model, layer };
}

describe('PositionalEncodingLayer', () => {
  for (const kind of ['sinusoidal', 'learned'] as const) {
    it(`${kind}: adds row p of table() to position p, leaks nothing`, () => {
      const { model, layer } = positionalModel(kind);
      const x = tf.randomUniform([batchSize, len, dModel], -1, 1, 'float32', 1);
      const before = tf.memory().numTensors;
      const y = model.predict(x) as tf.Tensor;
      const table = layer.table();
      expect(table.shape).toEqual([maxLength, dModel]);
      const xs = x.arraySync() as number[][][];
      const [ys, rows] = [y.arraySync() as number[][][], table.arraySync()];
      for (let b = 0; b < batchSize; b++)
        for (let p = 0; p < len; p++)
          for (let d = 0; d < dModel; d++)
            expect(ys[b]![p]![d]).toBeCloseTo(xs[b]![p]![d]! + rows[p]![d]!, 6);
      tf.dispose([y, table]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    });
  }

  it('sinusoidal has no weights and its table is sinusoidalPositions; learned has one weight', () => {
    const sin = positionalModel('sinusoidal');
    expect(sin.layer.weights).toEqual([]);
    const [a, b] = [sin.layer.table(), sinusoidalPositions(maxLength, dModel)];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const learned = positionalModel('learned');
    expect(learned.layer.trainableWeights.map((w) => w.shape)).toEqual([[maxLength, dModel]]);
    const values = learned.layer.getWeights()[0]!.dataSync();
    expect(values.every((v) => Math.abs(v) <= 0.05)).toBe(true);
    tf.dispose([a, b]);
    sin.model.dispose();
    learned.model.dispose();
  });

  it('passes an Embedding mask through', () => {
    const tokens = tf.input({ shape: [4] });
    const embedded = tf.layers
      .embedding({ inputDim: 10, outputDim: dModel, maskZero: true })
      .apply(tokens) as tf.SymbolicTensor;
    const layer = new PositionalEncodingLayer({ maxLength });
    layer.apply(embedded);
    const ids = tf.tensor2d([[3, 4, 0, 0]]);
    const x = tf.zeros([1, 4, dModel]);
    const mask = tf.notEqual(ids, 0);
    const out = layer.computeMask(x, mask);
    expect(out).toBe(mask);
    expect(out.arraySync()).toEqual([[1, 1, 0, 0]]);
    tf.dispose([ids, x, mask]);
  });

  it('round-trips its config and saves and loads', async () => {
    const layer = new PositionalEncodingLayer({ kind: 'learned', maxLength: 9, seed: 2 });
    const config = layer.getConfig();
    expect(config).toMatchObject({ kind: 'learned', maxLength: 9, seed: 2 });
    const copy = PositionalEncodingLayer.fromConfig(PositionalEncodingLayer, config);
    expect(copy.getConfig()).toEqual(config);
    expect(new PositionalEncodingLayer({ maxLength: 4 }).kind).toBe('sinusoidal');
    for (const kind of ['sinusoidal', 'learned'] as const) {
      const { model } = positionalModel(kind);
      const dir = join(tmp, kind);
      await model.save(fileHandler(dir));
      const loaded = await tf.loadLayersModel(fileHandler(dir));
      const restored = loaded.getLayer('positions') as PositionalEncodingLayer;
      expect([restored.kind, restored.maxLength]).toEqual([kind, maxLength]);
      const x = tf.randomUniform([1, 3, dModel], -1, 1, 'float32', 4);
      const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([x, a, b]);
      model.dispose();
      loaded.dispose();
    }
  });

  it('names an input longer than maxLength, and bad arguments', () => {
    const { model } = positionalModel('sinusoidal');
    const x = tf.zeros([1, 13, dModel]);
    expect(() => model.predict(x)).toThrow(
      'inputs must have shape [batch, len <= maxLength (12), dModel], got shape [1,13,6].',
    );
    expect(() =>
      new PositionalEncodingLayer({ maxLength: 4 }).apply(tf.input({ shape: [5, 2] })),
    ).toThrow(
      'inputs must have shape [batch, len <= maxLength (4), dModel], got shape [null,5,2].',
    );
    expect(() => new PositionalEncodingLayer({ maxLength: 0 })).toThrow(
      'maxLength must be a positive integer, got 0.',
    );
    expect(
      () => new PositionalEncodingLayer({ maxLength: 4, kind: 'rotary' as 'learned' }),
    ).toThrow('kind must be one of "sinusoidal", "learned", got "rotary".');
    expect(() => new PositionalEncodingLayer({ maxLength: 4 }).table()).toThrow(
      'table() must be called once the layer is built (apply it first), got "an unbuilt layer".',
    );
    x.dispose();
    model.dispose();
  });
});
