import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Callback,
  createSeq2Seq,
  earlyStopping,
  evaluateLoop,
  fitLoop,
  modelCheckpoint,
  type Trainable,
} from '@encdec/core';
import { progressBar } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { bigram, data, V } from './bigram.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

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
    await expect(fitLoop(model, d, { terminateOnNaN: 1 as never })).rejects.toThrow(
      'terminateOnNaN must be true or false, got 1.',
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

/** A model over rows 0..rows-1 (input = the row's index) that records the rows each pass saw. */
function rowRecorder(rows: number) {
  const W = tf.variable(tf.zeros([rows, V]));
  const seen = { train: new Set<number>(), validation: new Set<number>() };
  const trainable: Trainable = {
    optimizer: tf.train.sgd(0.1),
    variables: () => [W],
    logits: (inputs, training) => {
      for (const r of inputs[0]!.dataSync()) seen[training ? 'train' : 'validation'].add(r);
      return tf.gather(W, inputs[0]!);
    },
  };
  const ids = Array.from({ length: rows }, (_, r) => [r]);
  const data = {
    inputs: [tf.tensor2d(ids, [rows, 1], 'int32')],
    targets: tf.tensor2d(
      Array.from({ length: rows }, () => [1]),
      [rows, 1],
      'int32',
    ),
  };
  const dispose = () => tf.dispose([W, ...data.inputs, data.targets]);
  return { trainable, data, seen, dispose };
}

describe('fitLoop validationSplit (Keras: the first floor(rows * (1 - split)) rows train)', () => {
  const cases: [rows: number, split: number, held: number[]][] = [
    [9, 0.2, [7, 8]], // floor(9 * 0.8) = 7
    [9, 0.05, [8]], // floor(9 * 0.95) = 8: one row, though 9 * 0.05 < 1
    [20, 0.2, [16, 17, 18, 19]],
    [10, 0.3, [7, 8, 9]], // 1 - 0.3 = 0.7 in float64, 10 * 0.7 = 7
  ];
  for (const [rows, split, held] of cases) {
    it(`${rows} rows, validationSplit ${split}: holds out rows ${held}`, async () => {
      const { trainable, data, seen, dispose } = rowRecorder(rows);
      const before = tf.memory().numTensors;
      await fitLoop(trainable, data, { validationSplit: split, verbose: false, batchSize: 4 });
      expect(tf.memory().numTensors).toBe(before);
      expect([...seen.validation].sort((a, b) => a - b)).toEqual(held);
      expect(seen.train.size).toBe(rows - held.length);
      expect(Math.max(...seen.train)).toBe(rows - held.length - 1);
      dispose();
    });
  }

  it('throws before training when a part would get no row, naming validationSplit and rows', async () => {
    for (const [rows, split, trainRows] of [
      [1, 0.5, 0],
      [2, 0.6, 0],
      [9, 1e-17, 9], // 1 - 1e-17 rounds to 1: nothing held out
    ] as const) {
      const { trainable, data, seen, dispose } = rowRecorder(rows);
      const call = fitLoop(trainable, data, { validationSplit: split, verbose: false });
      await expect(call).rejects.toThrow(
        `validationSplit ${split} cannot split ${rows} rows: as in Keras, the first floor(${rows} * (1 - ${split})) = ${trainRows} train and the other ${rows - trainRows} validate, and each part needs at least one row.`,
      );
      expect(seen.train.size).toBe(0);
      dispose();
    }
  });
});

describe('fitLoop terminateOnNaN (Keras TerminateOnNaN, on by default)', () => {
  /** A one-LSTM seq2seq with learning rate 1e30: the loss is NaN within a few batches. */
  function explodingSeq2Seq() {
    const side = { vocabSize: 8, embeddingDim: 4, units: 4, cell: 'lstm' as const };
    const model = createSeq2Seq({ encoder: side, decoder: side, learningRate: 1e30 });
    const src = [1, 2, 3, 4, 5, 6].map((t) => [t, t + 1, (t % 6) + 1]);
    const tgtOut = src.map((row) => [...row].reverse());
    const tgtIn = tgtOut.map((row) => [1, row[0]!, row[1]!]);
    return { model, x: [src, tgtIn] as const, y: tgtOut };
  }

  it('stops at the first non-finite loss, warns naming epoch and batch, and saves no checkpoint', async () => {
    const { model, x, y } = explodingSeq2Seq();
    const dir = mkdtempSync(join(tmpdir(), 'encdec-nan-'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const losses: number[] = [];
    const epochEnds: number[] = [];
    try {
      const history = await model.fit(x, y, {
        epochs: 3,
        batchSize: 1,
        shuffle: false,
        verbose: false,
        callbacks: [
          modelCheckpoint({ path: join(dir, 'epoch-{epoch}'), monitor: 'loss' }),
          {
            onBatchEnd: (_b, logs) => void losses.push(logs.loss!),
            onEpochEnd: (e) => void epochEnds.push(e),
          },
        ],
      });
      const firstBad = losses.findIndex((loss) => !Number.isFinite(loss));
      expect(firstBad).toBeGreaterThan(0); // the first batch, at the initial weights, is finite
      expect(firstBad).toBe(losses.length - 1); // no batch after it
      expect(warn).toHaveBeenCalledTimes(1);
      const epoch = Math.floor(firstBad / 6);
      expect(warn.mock.calls[0]![0]).toBe(
        `fit: the loss of epoch ${epoch + 1}, batch ${(firstBad % 6) + 1}/6 is ${losses[firstBad]}; training stopped there (terminateOnNaN), that epoch is not recorded and no checkpoint saves its weights. Lower the learning rate or set clipNorm.`,
      );
      // The broken epoch ends nothing and records nothing; earlier (finite) epochs stay.
      expect(history.epoch).toEqual(epochEnds);
      expect(history.epoch).toHaveLength(epoch);
      expect(existsSync(join(dir, `epoch-${epoch + 1}`))).toBe(false);
    } finally {
      warn.mockRestore();
      rmSync(dir, { recursive: true, force: true });
      model.dispose();
    }
  });

  it('stops on an infinite loss too, at its batch', async () => {
    const d = data();
    const model = bigram();
    const infinite: Trainable = {
      ...model,
      // The sum of the logits plus Infinity: an infinite loss with finite gradients.
      objective: (logits) => ({
        lossSum: tf.add(tf.sum(logits), Infinity),
        correct: tf.scalar(0),
        count: tf.scalar(1),
      }),
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const batches: number[] = [];
    try {
      const history = await fitLoop(infinite, d, {
        epochs: 2,
        batchSize: 5,
        verbose: false,
        callbacks: { onBatchEnd: (b) => void batches.push(b) },
      });
      expect(batches).toEqual([0]);
      expect(history.epoch).toEqual([]);
      expect(warn.mock.calls[0]![0]).toMatch(/^fit: the loss of epoch 1, batch 1\/4 is Infinity;/);
    } finally {
      warn.mockRestore();
      tf.dispose([...d.inputs, d.targets, model.W]);
    }
  });

  it('terminateOnNaN false trains every epoch on, as before', async () => {
    const { model, x, y } = explodingSeq2Seq();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const history = await model.fit(x, y, {
        epochs: 2,
        batchSize: 1,
        shuffle: false,
        verbose: false,
        terminateOnNaN: false,
      });
      expect(history.epoch).toEqual([0, 1]);
      expect(history.history.loss![1]).toBeNaN();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      model.dispose();
    }
  });
});
