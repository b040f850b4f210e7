import {
  type Callback,
  earlyStopping,
  evaluateLoop,
  fitLoop,
  modelCheckpoint,
  progressBar,
  type Trainable,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const V = 6;

/** A model the loop knows nothing about: logits = W[token] (a bigram table), [rows, T, V]. */
function bigram(
  optimizer: tf.Optimizer = tf.train.sgd(0.5),
  saves: string[] = [],
): Trainable & { W: tf.Variable } {
  const W = tf.variable(tf.zeros([V, V]));
  return {
    W,
    optimizer,
    variables: () => [W],
    logits: (inputs) => tf.gather(W, inputs[0]!),
    save: async (dir) => {
      saves.push(dir);
    },
  };
}

/** 20 rows: target = (token + 1) mod V, with trailing padding (0) in some rows. */
function data(): { inputs: tf.Tensor[]; targets: tf.Tensor } {
  const x: number[][] = [];
  const y: number[][] = [];
  for (let r = 0; r < 20; r++) {
    const row = [1 + (r % 5), 1 + ((r + 2) % 5), 1 + ((r + 4) % 5)];
    x.push(row);
    y.push(row.map((t, i) => (r % 3 === 0 && i === 2 ? 0 : (t % 5) + 1)));
  }
  return {
    inputs: [tf.tensor2d(x, undefined, 'int32')],
    targets: tf.tensor2d(y, undefined, 'int32'),
  };
}

describe('fitLoop', () => {
  it('calls every callback in order, awaits async ones, and reports Keras-style logs', async () => {
    const events: string[] = [];
    const batchLogs: Record<string, number>[] = [];
    const recorder: Callback = {
      onTrainBegin: () => {
        events.push('trainBegin');
      },
      onEpochBegin: (e) => {
        events.push(`epochBegin ${e}`);
      },
      onBatchEnd: async (b, logs) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        events.push(`batchEnd ${b}`);
        batchLogs.push(logs);
      },
      onEpochEnd: (e, logs) => {
        events.push(`epochEnd ${e} ${Object.keys(logs).join(',')}`);
      },
      onTrainEnd: () => {
        events.push('trainEnd');
      },
    };
    const d = data();
    const model = bigram();
    const history = await fitLoop(model, d, {
      epochs: 2,
      batchSize: 8,
      validationSplit: 0.2, // 16 training rows: 2 batches of 8
      callbacks: recorder,
      verbose: false,
      seed: 3,
    });
    const epochEnd = 'loss,accuracy,val_loss,val_accuracy';
    expect(events).toEqual([
      'trainBegin',
      'epochBegin 0',
      'batchEnd 0',
      'batchEnd 1',
      `epochEnd 0 ${epochEnd}`,
      'epochBegin 1',
      'batchEnd 0',
      'batchEnd 1',
      `epochEnd 1 ${epochEnd}`,
      'trainEnd',
    ]);
    expect(history.epoch).toEqual([0, 1]);
    // The epoch loss is the token-weighted mean of its batch losses.
    const [b0, b1] = batchLogs.slice(2);
    const weighted =
      (b0!.loss! * b0!.tokens! + b1!.loss! * b1!.tokens!) / (b0!.tokens! + b1!.tokens!);
    expect(history.history.loss![1]).toBeCloseTo(weighted, 5);
    expect(b0!.size).toBe(8);
    // Validation is the last 20% of the rows, evaluated after the epoch's updates.
    const last = { inputs: [d.inputs[0]!.slice(16, 4)], targets: d.targets.slice(16, 4) };
    const val = await evaluateLoop(model, last);
    expect(history.history.val_loss![1]).toBeCloseTo(val.loss!, 6);
    expect(history.history.val_accuracy![1]).toBeCloseTo(val.accuracy!, 6);
    // Learning happens: loss falls from ln(V) at W = 0.
    expect(batchLogs[0]!.loss).toBeCloseTo(Math.log(V), 5);
    expect(history.history.loss![1]).toBeLessThan(Math.log(V));
    tf.dispose([...d.inputs, d.targets, ...last.inputs, last.targets, model.W]);
  });

  it('shuffles reproducibly with a seed, differently with another', async () => {
    const run = async (seed: number) => {
      const d = data();
      const model = bigram();
      const losses: number[] = [];
      await fitLoop(model, d, {
        batchSize: 4,
        seed,
        verbose: false,
        callbacks: { onBatchEnd: (_b, logs) => void losses.push(logs.loss!) },
      });
      tf.dispose([...d.inputs, d.targets, model.W]);
      return losses;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('clips the gradients to clipNorm (global L2 norm)', async () => {
    const d = data();
    const model = bigram(tf.train.sgd(1));
    await fitLoop(model, d, { batchSize: 20, clipNorm: 0.01, verbose: false, shuffle: false });
    // One SGD step with lr 1 moves W by exactly the clipped gradient.
    const norm = tf.tidy(() => tf.norm(model.W).dataSync()[0]!);
    expect(norm).toBeCloseTo(0.01, 6);
    tf.dispose([...d.inputs, d.targets, model.W]);
  });

  it('stops early and saves checkpoints through the training control', async () => {
    const d = data();
    const saves: string[] = [];
    const model = bigram(tf.train.sgd(0.5), saves);
    // 'loss' falls every epoch, so in 'max' mode epoch 0 is the best and epoch 1 does not improve.
    const history = await fitLoop(model, d, {
      epochs: 10,
      verbose: false,
      callbacks: [
        earlyStopping({ monitor: 'loss', mode: 'max', patience: 0 }),
        modelCheckpoint({ path: '/ckpt/epoch-{epoch}', monitor: 'loss' }),
      ],
    });
    expect(history.epoch).toEqual([0, 1]);
    expect(saves).toEqual(['/ckpt/epoch-1', '/ckpt/epoch-2']);
    tf.dispose([...d.inputs, d.targets, model.W]);
  });

  it('verbose: prints one Keras-style line per epoch', async () => {
    const d = data();
    const model = bigram();
    const lines: string[] = [];
    const stream = {
      write: (text: string) => lines.push(text),
      isTTY: false,
    } as unknown as NodeJS.WritableStream;
    const history = await fitLoop(model, d, {
      epochs: 2,
      verbose: false,
      callbacks: progressBar(1, 2, stream),
    });
    const { loss, accuracy } = history.history;
    expect(lines).toEqual([
      `Epoch 1/2: loss ${loss![0]!.toFixed(4)} - accuracy ${accuracy![0]!.toFixed(4)}\n`,
      `Epoch 2/2: loss ${loss![1]!.toFixed(4)} - accuracy ${accuracy![1]!.toFixed(4)}\n`,
    ]);
    tf.dispose([...d.inputs, d.targets, model.W]);
  });

  it('rejects bad options and unknown monitors, naming them', async () => {
    const d = data();
    const model = bigram();
    await expect(fitLoop(model, d, { epochs: 0 })).rejects.toThrow(
      'epochs must be a positive integer, got 0.',
    );
    await expect(fitLoop(model, d, { validationSplit: 1 })).rejects.toThrow(
      'validationSplit must be a number in [0, 1), got 1.',
    );
    await expect(fitLoop(model, d, { clipNorm: -1 })).rejects.toThrow(
      'clipNorm must be a positive number, got -1.',
    );
    await expect(fitLoop(model, d, { verbose: false, callbacks: earlyStopping() })).rejects.toThrow(
      'earlyStopping.monitor "val_loss" is not in the training logs; available: "loss", "accuracy".',
    );
    const short = { inputs: [d.inputs[0]!.slice(0, 3)], targets: d.targets };
    await expect(fitLoop(model, short)).rejects.toThrow(
      'data targets has 20 rows but the inputs have 3; each input row needs one target row.',
    );
    expect(() => earlyStopping({ patience: -1 })).toThrow(
      'patience must be a non-negative integer, got -1.',
    );
    tf.dispose([...d.inputs, d.targets, model.W, ...short.inputs]);
  });
});
