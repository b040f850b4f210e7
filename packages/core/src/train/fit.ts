/**
 * The training loop. It knows nothing of the model: a `Trainable` (trainable.ts) gives it logits
 * for a batch, the variables to train and the optimizer; logging, early stopping and checkpoints
 * hook in through callbacks. The rows and the validation split: dataset.ts; validation:
 * evaluate.ts. One epoch, step by step:
 *
 *   1. Order the training rows: a seeded shuffle (Fisher-Yates) or as given.
 *   2. For each batch of `batchSize` rows: gather the rows; the gradient of the masked mean
 *      cross-entropy of the logits (padding targets, id 0, do not count); clip the gradients to a
 *      global norm; set the learning rate of this update (if the trainable has a schedule); one
 *      optimizer step; `onBatchEnd` with the batch's loss and accuracy. A loss
 *      that is NaN or infinite ends training there (`terminateOnNaN`, Keras' TerminateOnNaN):
 *      the broken epoch gets no validation, no history entry and no `onEpochEnd` (so no
 *      checkpoint saves its weights); `onTrainEnd` still runs.
 *   3. Epoch loss and accuracy: means over every real target token of the epoch (token-weighted,
 *      so batches of different sizes and padding combine exactly).
 *   4. Validation the same way, without dropout, label smoothing or updates: `val_loss`,
 *      `val_accuracy`.
 *   5. `onEpochEnd`; stop early if a callback asked to.
 *
 * A custom loop (optimizer.computeGradients on logits) rather than `model.fit` with a softmax
 * output: several times faster on TF.js's wasm and cpu backends (bench/PERFORMANCE.md).
 */

import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { positiveInt } from '../checks.js';
import { invalidArgument, nonFiniteLossWarning, show } from '../errors.js';
import type { Callback, History, Logs, TrainingControl } from './callbacks.js';
import { type Dataset, disposeDataset, holdOut } from './dataset.js';
import { evaluateLoop, readScalar } from './evaluate.js';
import { setLearningRate } from './learning-rate-schedule.js';
import { progressBar } from './progress.js';
import { batchSums, type Trainable } from './trainable.js';

export interface TrainOptions {
  /** Rows per gradient step. Default 32 (Keras' default). */
  batchSize?: number;
  /** Passes over the training rows. Default 1. */
  epochs?: number;
  /**
   * Fraction of the rows held out for validation, as Keras and TF.js split: the first
   * floor(rows * (1 - validationSplit)) rows train, the rest (taken before any shuffle) validate;
   * each part must get at least one row. Default 0. Ignored when validation data are given.
   */
  validationSplit?: number;
  /** Shuffle the training rows before every epoch. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffle; unset: a different order on every run. */
  seed?: number;
  /**
   * Rescale the gradients when their global L2 norm exceeds this (Pascanu et al. 2013; Keras'
   * `global_clipnorm`). Default: no clipping.
   */
  clipNorm?: number;
  /** Called at the begin/end of training, epochs and batches, in order. */
  callbacks?: Callback | Callback[];
  /** Show a progress bar. Default: only when stdout is a TTY. */
  verbose?: boolean;
  /**
   * Stop at the first batch whose loss is NaN or infinite, with a warning naming the epoch and
   * batch (Keras' TerminateOnNaN callback, here on by default: the weights are then broken and
   * every later step would train on NaN). Default true.
   */
  terminateOnNaN?: boolean;
}

export interface FitLoopOptions extends TrainOptions {
  validationData?: Dataset;
  /** Number of the first epoch (to continue a previous fit's numbering). Default 0. */
  initialEpoch?: number;
}

export async function fitLoop(
  trainable: Trainable,
  data: Dataset,
  options: FitLoopOptions = {},
): Promise<History> {
  const batchSize = positiveInt('batchSize', options.batchSize ?? 32);
  const epochs = positiveInt('epochs', options.epochs ?? 1);
  const split = options.validationSplit ?? 0;
  if (!(typeof split === 'number' && split >= 0 && split < 1)) {
    throw invalidArgument('validationSplit', split, 'a number in [0, 1)');
  }
  const clipNorm = options.clipNorm;
  if (clipNorm !== undefined && !(clipNorm > 0)) {
    throw invalidArgument('clipNorm', clipNorm, 'a positive number');
  }
  const terminateOnNaN = options.terminateOnNaN ?? true;
  if (typeof terminateOnNaN !== 'boolean') {
    throw invalidArgument('terminateOnNaN', terminateOnNaN, 'true or false');
  }
  const { trainRows, validation } = holdOut(data, split, options.validationData);

  const callbacks = [options.callbacks ?? []].flat();
  const batches = Math.ceil(trainRows / batchSize);
  if (options.verbose ?? process.stdout.isTTY === true)
    callbacks.push(progressBar(batches, epochs));
  let stopRequested = false;
  const control: TrainingControl = {
    stop: () => {
      stopRequested = true;
    },
    get stopRequested() {
      return stopRequested;
    },
    getWeights: () => trainable.variables().map((v) => tf.clone(v)),
    setWeights: (weights) => setVariables(trainable.variables(), weights),
    ...(trainable.save ? { save: (dir: string) => trainable.save!(dir) } : {}),
  };
  for (const cb of callbacks) cb.setControl?.(control);

  const random = options.seed === undefined ? Math.random : seedrandom(String(options.seed));
  const history: History = { epoch: [], history: {} };
  const first = options.initialEpoch ?? 0;
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.({});
    for (let epoch = first; epoch < first + epochs && !stopRequested; epoch++) {
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, {});
      // 1. Row order.
      const order = Int32Array.from({ length: trainRows }, (_, i) => i);
      if (options.shuffle ?? true) shuffleInPlace(order, random);
      // 2-3. Batches, token-weighted sums.
      let lossSum = 0;
      let correct = 0;
      let tokens = 0;
      let lossIsFinite = true;
      for (let b = 0; b < batches && lossIsFinite; b++) {
        const rowsOfBatch = order.subarray(b * batchSize, (b + 1) * batchSize);
        for (const cb of callbacks) await cb.onBatchBegin?.(b, { size: rowsOfBatch.length });
        const step = trainStep(trainable, data, rowsOfBatch, clipNorm);
        const [loss, hits, count] = await Promise.all(step.map(readScalar));
        lossSum += loss! * count!;
        correct += hits!;
        tokens += count!;
        const logs = {
          loss: loss!,
          accuracy: hits! / Math.max(count!, 1),
          size: rowsOfBatch.length,
          tokens: count!,
        };
        for (const cb of callbacks) await cb.onBatchEnd?.(b, logs);
        if (terminateOnNaN && !Number.isFinite(loss)) {
          console.warn(nonFiniteLossWarning(loss!, epoch, b, batches));
          lossIsFinite = false;
          stopRequested = true;
        }
      }
      if (!lossIsFinite) break;
      const logs: Logs = {
        loss: lossSum / Math.max(tokens, 1),
        accuracy: correct / Math.max(tokens, 1),
      };
      // 4. Validation.
      if (validation) {
        const val = await evaluateLoop(trainable, validation, batchSize);
        logs.val_loss = val.loss!;
        logs.val_accuracy = val.accuracy!;
      }
      // 5. Record, report.
      history.epoch.push(epoch);
      for (const [key, value] of Object.entries(logs)) {
        history.history[key] = [...(history.history[key] ?? []), value];
      }
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs);
    }
    for (const cb of callbacks) await cb.onTrainEnd?.({});
  } finally {
    if (validation && validation !== options.validationData) disposeDataset(validation);
  }
  return history;
}

/** One optimizer step on `rows`; returns [mean loss, correct tokens, real tokens] (scalars). */
function trainStep(
  trainable: Trainable,
  data: Dataset,
  rows: Int32Array,
  clipNorm: number | undefined,
): tf.Scalar[] {
  return tf.tidy(() => {
    const indices = tf.tensor1d(rows, 'int32');
    const inputs = data.inputs.map((x) => tf.gather(x, indices));
    const targets = tf.gather(data.targets, indices);
    let hits: tf.Scalar | undefined;
    let count: tf.Scalar | undefined;
    const { value, grads } = trainable.optimizer.computeGradients(() => {
      const logits = trainable.logits(inputs, true);
      const sums = batchSums(trainable, logits, targets, true);
      hits = tf.keep(sums.correct);
      count = tf.keep(sums.count);
      return tf.div(sums.lossSum, tf.maximum(sums.count, 1)) as tf.Scalar;
    }, trainable.variables());
    if (trainable.learningRate) {
      const step = trainable.optimizer.iterations + 1;
      setLearningRate(trainable.optimizer, trainable.learningRate(step));
    }
    trainable.optimizer.applyGradients(
      clipNorm === undefined ? grads : clipByGlobalNorm(grads, clipNorm),
    );
    // Kept tensors escape every tidy; hand them to this one so it returns (not leaks) them.
    const out = [value, tf.clone(hits!), tf.clone(count!)];
    hits!.dispose();
    count!.dispose();
    return out;
  });
}

/** Assigns `weights[i]` (same shapes, as `TrainingControl.getWeights` returns) to `variables[i]`. */
function setVariables(variables: tf.Variable[], weights: readonly tf.Tensor[]): void {
  if (weights.length !== variables.length) {
    throw invalidArgument('weights', `${weights.length} tensors`, `${variables.length} tensors`);
  }
  variables.forEach((v, i) => {
    if (weights[i]!.shape.join() !== v.shape.join()) {
      throw invalidArgument(`weights[${i}]`, weights[i]!.shape, `of shape ${show(v.shape)}`);
    }
    v.assign(weights[i]!);
  });
}

/** g * min(1, clipNorm / ||g||), with ||g|| the L2 norm of all gradients together. */
function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
  const clipped: tf.NamedTensorMap = {};
  for (const [name, g] of Object.entries(grads)) clipped[name] = tf.mul(g, scale);
  return clipped;
}

function shuffleInPlace(order: Int32Array, random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
}
