import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSeq2Seq,
  fitLoop,
  loadSeq2Seq,
  type Seq2Seq,
  shiftRight,
  type Trainable,
} from '@encdec/core';
import { learningRateOf, resolveLearningRateSchedule, scheduledRate } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'encdec-schedule-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Vaswani et al. 2017, eq. 3, written out: d^-0.5 min(s^-0.5, s w^-1.5), times factor. */
const noam = (step: number, warmup: number, dModel: number, factor = 1) =>
  (factor / Math.sqrt(dModel)) * Math.min(1 / Math.sqrt(step), step / warmup ** 1.5);

describe('the warm-up schedule (Vaswani et al. 2017, eq. 3)', () => {
  const schedule = resolveLearningRateSchedule({ kind: 'warmup', warmupSteps: 4000, dModel: 512 });

  it('defaults to a constant rate and factor 1', () => {
    expect(resolveLearningRateSchedule(undefined)).toEqual({ kind: 'constant' });
    expect(schedule).toEqual({ kind: 'warmup', warmupSteps: 4000, dModel: 512, factor: 1 });
    expect(scheduledRate({ kind: 'constant' }, 0.003, 1234)).toBe(0.003);
  });

  it('rises linearly to its peak at warmupSteps, then decays as 1 / sqrt(step)', () => {
    // step 1: 512^-0.5 * 4000^-1.5; peak at 4000: (512 * 4000)^-0.5; then (512 * 8000)^-0.5.
    expect(scheduledRate(schedule, 0.001, 1)).toBeCloseTo(1 / (Math.sqrt(512) * 4000 ** 1.5), 15);
    expect(scheduledRate(schedule, 0.001, 4000)).toBeCloseTo(1 / Math.sqrt(512 * 4000), 12);
    expect(scheduledRate(schedule, 0.001, 8000)).toBeCloseTo(1 / Math.sqrt(512 * 8000), 12);
    expect(scheduledRate(schedule, 0.001, 2000)).toBeCloseTo(
      scheduledRate(schedule, 0.001, 4000) / 2,
      12,
    );
    const doubled = resolveLearningRateSchedule({ ...schedule, factor: 2 });
    expect(scheduledRate(doubled, 0.001, 100)).toBeCloseTo(noam(100, 4000, 512, 2), 15);
  });

  it('rejects bad fields, naming them', () => {
    expect(() => resolveLearningRateSchedule({ kind: 'cosine' })).toThrow(
      'learningRateSchedule.kind must be one of "constant", "warmup", got "cosine".',
    );
    expect(() => resolveLearningRateSchedule({ kind: 'warmup', dModel: 8 })).toThrow(
      'learningRateSchedule.warmupSteps must be a positive integer, got undefined.',
    );
    expect(() =>
      resolveLearningRateSchedule({ kind: 'warmup', warmupSteps: 4, dModel: 0.5 }),
    ).toThrow('learningRateSchedule.dModel must be a positive integer, got 0.5.');
    expect(() =>
      resolveLearningRateSchedule({ kind: 'warmup', warmupSteps: 4, dModel: 8, factor: 0 }),
    ).toThrow('learningRateSchedule.factor must be a positive number, got 0.');
    expect(() =>
      resolveLearningRateSchedule({ kind: 'warmup', warmupSteps: 4, dModel: 8, warmup: 4 }),
    ).toThrow('learningRateSchedule has unknown key "warmup"');
    expect(() => resolveLearningRateSchedule('warmup')).toThrow('learningRateSchedule must be');
  });
});

describe('fitLoop applies a trainable learning rate per update', () => {
  it('sets the rate of update n before it (SGD: w -= rate(n) * 1 on a loss whose gradient is 1)', async () => {
    const before = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.zeros([1, 1])));
    const trainable: Trainable = {
      optimizer: tf.train.sgd(123),
      variables: () => [w],
      logits: () => tf.clone(w),
      // loss = w: gradient 1, so each update subtracts exactly its rate.
      objective: (logits) => ({
        lossSum: tf.sum(logits),
        correct: tf.scalar(0),
        count: tf.scalar(1),
      }),
      learningRate: (step) => 0.1 * step,
    };
    const data = { inputs: [tf.zeros([1, 1])], targets: tf.ones([1, 1], 'int32') };
    await fitLoop(trainable, data, { epochs: 3, verbose: false });
    expect(w.dataSync()[0]).toBeCloseTo(-(0.1 + 0.2 + 0.3), 6);
    expect(trainable.optimizer.iterations).toBe(3);
    expect(learningRateOf(trainable.optimizer)).toBeCloseTo(0.3, 12);
    tf.dispose([w, ...data.inputs, data.targets]);
    trainable.optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a seq2seq model with the warm-up schedule', () => {
  const rows = 12;
  const src = Array.from({ length: rows }, (_, r) => [3 + (r % 5), 4 + (r % 3), 5, 0]);
  const tgtOut = src.map((row) => [row[2]!, row[1]!, row[0]!, 0]);
  const tgtIn = shiftRight(tgtOut, 1);
  const warmup = { kind: 'warmup', warmupSteps: 4, dModel: 16, factor: 2 } as const;
  const fitOptions = { epochs: 2, batchSize: 4, shuffle: false, verbose: false } as const;

  function makeModel(optimizer: 'adam' | 'rmsprop' | 'sgd' = 'adam'): Seq2Seq {
    return createSeq2Seq({
      encoder: { vocabSize: 10, embeddingDim: 4, units: 6, cell: 'gru', seed: 3 },
      decoder: { vocabSize: 10, embeddingDim: 4, units: 6, cell: 'gru', attention: 'dot' },
      optimizer,
      learningRateSchedule: warmup,
    });
  }

  for (const optimizer of ['adam', 'rmsprop', 'sgd'] as const) {
    it(`${optimizer}: starts at the rate of step 1 and leaves the rate of step N after N updates`, async () => {
      const model = makeModel(optimizer);
      expect(learningRateOf(model.optimizer)).toBeCloseTo(noam(1, 4, 16, 2), 15);
      await model.fit([src, tgtIn], tgtOut, fitOptions); // 2 epochs x 3 batches
      expect(model.optimizer.iterations).toBe(6);
      expect(learningRateOf(model.optimizer)).toBeCloseTo(noam(6, 4, 16, 2), 15);
      model.dispose();
    });
  }

  it('continues the schedule after a save and a load, exactly as in memory', async () => {
    const model = makeModel();
    await model.fit([src, tgtIn], tgtOut, fitOptions);
    const dir = join(root, 'resume');
    await model.save(dir);
    const loaded = await loadSeq2Seq(dir);
    expect(loaded.config.learningRateSchedule).toEqual(warmup);
    expect(loaded.optimizer.iterations).toBe(6);
    const inMemory = await model.fit([src, tgtIn], tgtOut, fitOptions);
    const reloaded = await loaded.fit([src, tgtIn], tgtOut, fitOptions);
    expect(reloaded.history.loss).toEqual(inMemory.history.loss);
    expect(loaded.optimizer.iterations).toBe(12);
    expect(learningRateOf(loaded.optimizer)).toBeCloseTo(noam(12, 4, 16, 2), 15);
    model.dispose();
    loaded.dispose();
  });
});
