import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSeq2Seq,
  currentSave,
  loadSeq2Seq,
  maskedCrossEntropy,
  type Seq2Seq,
  type Seq2SeqConfig,
  shiftRight,
  type Trainable,
} from '@encdec/core';
import { SEQ2SEQ_FILE } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOlderLayout } from '../io/older-layout.js';

const root = mkdtempSync(join(tmpdir(), 'encdec-training-options-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const encoder = { vocabSize: 10, embeddingDim: 4, units: 5, cell: 'lstm', seed: 7 } as const;
const decoder = { vocabSize: 10, embeddingDim: 4, units: 5, cell: 'lstm' } as const;
const src = [
  [3, 4, 5, 6],
  [7, 8, 9, 0],
  [4, 4, 3, 0],
];
const tgtOut = [
  [6, 5, 4, 3],
  [9, 8, 7, 0],
  [3, 4, 4, 0],
];
const tgtIn = shiftRight(tgtOut, 1);

/** The private view `fit` trains through (train/fit.ts `Trainable`). */
function trainableOf(model: Seq2Seq): Trainable {
  return (model as unknown as { trainable(): Trainable }).trainable();
}

describe('training options in the seq2seq config', () => {
  it('default to a constant rate, Keras-default Adam and no label smoothing', () => {
    const model = createSeq2Seq({ encoder, decoder });
    expect(model.config.learningRateSchedule).toEqual({ kind: 'constant' });
    expect(model.config.adam).toEqual({ beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(model.config.labelSmoothing).toBe(0);
    model.dispose();
  });

  it("give Adam its betas and epsilon (the paper's 0.98 and 1e-9)", () => {
    const model = createSeq2Seq({ encoder, decoder, adam: { beta2: 0.98, epsilon: 1e-9 } });
    expect(model.config.adam).toEqual({ beta1: 0.9, beta2: 0.98, epsilon: 1e-9 });
    const adam = model.optimizer as unknown as Record<string, number>;
    expect([adam.beta1, adam.beta2, adam.epsilon]).toEqual([0.9, 0.98, 1e-9]);
    model.dispose();
  });

  it('reject bad values, naming the field', () => {
    const make = (patch: Partial<Seq2SeqConfig>) => () =>
      createSeq2Seq({ encoder, decoder, ...patch } as Seq2SeqConfig);
    expect(make({ labelSmoothing: 1 })).toThrow(
      'labelSmoothing must be a number in [0, 1), got 1.',
    );
    expect(make({ adam: { beta1: 1 } })).toThrow('adam.beta1 must be a number in [0, 1), got 1.');
    expect(make({ adam: { beta2: -0.5 } })).toThrow(
      'adam.beta2 must be a number in [0, 1), got -0.5.',
    );
    expect(make({ adam: { epsilon: 0 } })).toThrow(
      'adam.epsilon must be a positive number, got 0.',
    );
    expect(make({ adam: { beta: 0.9 } as never })).toThrow(
      'adam has unknown key "beta"; the allowed keys are "beta1", "beta2", "epsilon".',
    );
    expect(make({ learningRateSchedule: { kind: 'warmup', warmupSteps: 0, dModel: 4 } })).toThrow(
      'learningRateSchedule.warmupSteps must be a positive integer, got 0.',
    );
  });

  it('label smoothing is in the training loss, not in val_loss or evaluate (plain cross-entropy)', async () => {
    const eps = 0.2;
    const model = createSeq2Seq({ encoder, decoder, labelSmoothing: eps, learningRate: 0.05 });
    const options = {
      batchSize: 3,
      verbose: false,
      validationData: [[src, tgtIn], tgtOut],
    } as const;
    await model.fit([src, tgtIn], tgtOut, { ...options, epochs: 15 }); // peaked predictions
    const lossesNow = () => {
      const { logits } = model.forward([src, tgtIn]);
      const targets = tf.tensor2d(tgtOut, undefined, 'int32');
      const [plain, smoothed] = [0, eps].map((e) => maskedCrossEntropy(logits, targets, e));
      const values = [plain!.dataSync()[0]!, smoothed!.dataSync()[0]!];
      tf.dispose([logits, targets, plain!, smoothed!]);
      return values;
    };
    const [plainBefore, smoothedBefore] = lossesNow();
    expect(Math.abs(smoothedBefore! - plainBefore!)).toBeGreaterThan(0.05);
    // One batch an epoch: its loss is the objective on the weights before the update.
    const history = await model.fit([src, tgtIn], tgtOut, { ...options, epochs: 1 });
    expect(history.history.loss![0]).toBeCloseTo(smoothedBefore!, 5);
    const [plainAfter] = lossesNow();
    expect(history.history.val_loss![0]).toBeCloseTo(plainAfter!, 5);
    expect((await model.evaluate([src, tgtIn], tgtOut)).loss).toBeCloseTo(plainAfter!, 5);
    model.dispose();
  });

  it('save the resolved options with the model and load them back', async () => {
    const config: Seq2SeqConfig = {
      encoder,
      decoder,
      learningRateSchedule: { kind: 'warmup', warmupSteps: 10, dModel: 5 },
      adam: { beta2: 0.98, epsilon: 1e-9 },
      labelSmoothing: 0.1,
    };
    const model = createSeq2Seq(config);
    const dir = join(root, 'options');
    await model.save(dir);
    const loaded = await loadSeq2Seq(dir);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.config.learningRateSchedule).toEqual({
      ...config.learningRateSchedule,
      factor: 1,
    });
    model.dispose();
    loaded.dispose();
  });

  it('load a save from before these options with their defaults', async () => {
    const model = createSeq2Seq({ encoder, decoder, optimizer: 'rmsprop' });
    const dir = join(root, 'before-options');
    await model.save(dir);
    const path = join(await currentSave(dir), SEQ2SEQ_FILE);
    const sidecar = JSON.parse(readFileSync(path, 'utf8'));
    delete sidecar.config.learningRateSchedule;
    delete sidecar.config.adam;
    delete sidecar.config.labelSmoothing;
    writeFileSync(path, JSON.stringify(sidecar));
    // The save's manifest records each file's size and SHA-256: edited, it loads as an older layout.
    await toOlderLayout(dir);
    const loaded = await loadSeq2Seq(dir);
    expect(loaded.config).toEqual(model.config);
    model.dispose();
    loaded.dispose();
  });
});

describe('dropout acts only while training', () => {
  it('forward, evaluate and decodeStep give the same values twice; training logits differ', async () => {
    const model = createSeq2Seq({
      encoder: { ...encoder, dropout: 0.5 },
      decoder: { ...decoder, attention: 'dot' },
    });
    const logitsOf = () => {
      const { logits, attention } = model.forward([src, tgtIn]);
      const values = Array.from(logits.dataSync());
      tf.dispose([logits, attention]);
      return values;
    };
    const stepOf = () => {
      const state = model.initialState(src);
      const tokens = tf.tensor1d([1, 1, 1], 'int32');
      const out = model.decodeStep(tokens, state);
      const values = Array.from(out.logits!.dataSync());
      tf.dispose([state, tokens, out.state, out.logits, out.logProbs, out.attention]);
      return values;
    };
    const before = tf.memory().numTensors;
    expect(logitsOf()).toEqual(logitsOf());
    expect(stepOf()).toEqual(stepOf());
    const evaluated = await model.evaluate([src, tgtIn], tgtOut);
    expect(await model.evaluate([src, tgtIn], tgtOut)).toEqual(evaluated);

    const trainable = trainableOf(model);
    const inputs = [tf.tensor2d(src, undefined, 'int32'), tf.tensor2d(tgtIn, undefined, 'int32')];
    const run = (training: boolean) => {
      const logits = trainable.logits(inputs, training);
      const values = Array.from(logits.dataSync());
      logits.dispose();
      return values;
    };
    expect(run(false)).toEqual(logitsOf());
    expect(run(true)).not.toEqual(run(true));
    expect(run(true)).not.toEqual(logitsOf());
    tf.dispose(inputs);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
