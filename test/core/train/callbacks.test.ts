/**
 * earlyStopping and modelCheckpoint as Keras defines them (keras/src/callbacks/early_stopping.py,
 * model_checkpoint.py): patience counts epochs without improvement, restoreBestWeights sets the
 * best epoch's weights at the end, and a checkpoint keeps its best value across fits.
 */
import {
  createSeq2Seq,
  type Dataset,
  earlyStopping,
  evaluateLoop,
  fitLoop,
  modelCheckpoint,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bigram } from './bigram.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Every training row maps token 1 to 2; the validation rows map it to 2 and to 3. Training first
 * raises p(2) at the expense of the other tokens, which lowers val_loss, then drives p(3) to 0,
 * which raises it without bound: val_loss falls, reaches a minimum, and rises.
 */
function overfitting(): { train: Dataset; val: Dataset } {
  const column = (ids: number[]) => tf.tensor2d(ids, [ids.length, 1], 'int32');
  return {
    train: { inputs: [column(Array(8).fill(1))], targets: column(Array(8).fill(2)) },
    val: { inputs: [column([1, 1])], targets: column([2, 3]) },
  };
}

function disposeAll(...sets: Dataset[]): void {
  for (const d of sets) tf.dispose([...d.inputs, d.targets]);
}

const argmin = (values: number[]) => values.indexOf(Math.min(...values));

describe('earlyStopping', () => {
  it('restoreBestWeights: the model ends with the best epoch weights (val_loss of that epoch)', async () => {
    const { train, val } = overfitting();
    const model = bigram(tf.train.sgd(1));
    const before = tf.memory().numTensors;
    const history = await fitLoop(model, train, {
      epochs: 12,
      validationData: val,
      verbose: false,
      callbacks: earlyStopping({ patience: 100, restoreBestWeights: true }),
    });
    const valLoss = history.history.val_loss!;
    const best = argmin(valLoss);
    expect(history.epoch).toHaveLength(12); // patience 100: never stopped
    expect(best).toBeGreaterThan(0);
    expect(valLoss[11]).toBeGreaterThan(valLoss[best]! + 0.1); // the last epoch is clearly worse
    expect(tf.memory().numTensors).toBe(before); // the weight snapshots are disposed
    expect((await evaluateLoop(model, val)).loss).toBeCloseTo(valLoss[best]!, 6);
    disposeAll(train, val);
    model.W.dispose();
  });

  it('without restoreBestWeights the model keeps the last epoch weights', async () => {
    const { train, val } = overfitting();
    const model = bigram(tf.train.sgd(1));
    const history = await fitLoop(model, train, {
      epochs: 12,
      validationData: val,
      verbose: false,
      callbacks: earlyStopping({ patience: 100 }),
    });
    expect((await evaluateLoop(model, val)).loss).toBeCloseTo(history.history.val_loss![11]!, 6);
    disposeAll(train, val);
    model.W.dispose();
  });

  it('stops after `patience` epochs without improvement (Keras, TF.js), then restores the best', async () => {
    for (const patience of [0, 1, 2, 3]) {
      const { train, val } = overfitting();
      const model = bigram(tf.train.sgd(1));
      const history = await fitLoop(model, train, {
        epochs: 30,
        validationData: val,
        verbose: false,
        callbacks: earlyStopping({ patience, restoreBestWeights: true }),
      });
      const valLoss = history.history.val_loss!;
      const best = argmin(valLoss);
      // The epochs after the best are the ones without improvement; 0 and 1 both allow one.
      expect(valLoss.length - 1 - best).toBe(Math.max(patience, 1));
      expect((await evaluateLoop(model, val)).loss).toBeCloseTo(valLoss[best]!, 6);
      disposeAll(train, val);
      model.W.dispose();
    }
  });

  it('restoreBestWeights on a seq2seq: its layer variables are set back to the best epoch', async () => {
    // Trained to reverse, validated on copying: val_loss falls while the token distribution is
    // learnt, then rises as the model learns to reverse.
    const side = { vocabSize: 8, embeddingDim: 4, units: 8, cell: 'gru' as const, seed: 1 };
    const model = createSeq2Seq({ encoder: side, decoder: side, learningRate: 0.05 });
    const src = [1, 2, 3, 4, 5, 6].map((t) => [t + 1, ((t + 1) % 6) + 2, ((t + 3) % 6) + 2]);
    const withInput = (out: number[][]) => out.map((row) => [1, row[0]!, row[1]!]);
    const reversed = src.map((row) => [...row].reverse());
    const copied = src.map((row) => [...row]);
    const history = await model.fit([src, withInput(reversed)], reversed, {
      epochs: 8,
      batchSize: 2,
      seed: 1,
      verbose: false,
      validationData: [[src, withInput(copied)], copied],
      callbacks: earlyStopping({ patience: 100, restoreBestWeights: true }),
    });
    const valLoss = history.history.val_loss!;
    const best = argmin(valLoss);
    expect(best).toBeLessThan(valLoss.length - 1);
    const final = await model.evaluate([src, withInput(copied)], copied);
    expect(final.loss).toBeCloseTo(valLoss[best]!, 5);
    model.dispose();
  });

  it('rejects a restoreBestWeights that is not a boolean', () => {
    expect(() => earlyStopping({ restoreBestWeights: 'yes' as never })).toThrow(
      'restoreBestWeights must be true or false, got "yes".',
    );
  });
});

describe('modelCheckpoint', () => {
  it('saveBestOnly keeps its best value across fits: a worse later fit does not overwrite', async () => {
    const { train, val } = overfitting();
    const saves: string[] = [];
    const model = bigram(tf.train.sgd(1), saves);
    const checkpoint = modelCheckpoint({ path: '/ckpt/{epoch}', saveBestOnly: true });
    const first = await fitLoop(model, train, {
      epochs: 2,
      validationData: val,
      verbose: false,
      callbacks: checkpoint,
    });
    const firstLoss = first.history.val_loss!;
    expect(firstLoss[1]).toBeLessThan(firstLoss[0]!); // improving: both epochs save
    expect(saves).toEqual(['/ckpt/1', '/ckpt/2']);
    // Back to the start: the second fit's first epoch repeats the first fit's first epoch, worse
    // than the saved best (its second epoch), so it must not overwrite /ckpt/1 or save at all.
    model.W.assign(tf.zeros([6, 6]));
    const second = await fitLoop(model, train, {
      epochs: 1,
      validationData: val,
      verbose: false,
      callbacks: checkpoint,
    });
    expect(second.history.val_loss![0]).toBeCloseTo(firstLoss[0]!, 6);
    expect(saves).toEqual(['/ckpt/1', '/ckpt/2']);
    disposeAll(train, val);
    model.W.dispose();
  });
});
