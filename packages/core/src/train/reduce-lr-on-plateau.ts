/**
 * Lowers the learning rate when training stalls (Keras' ReduceLROnPlateau): after `patience`
 * epochs in which `monitor` did not improve, the rate is multiplied by `factor` (never below
 * `minLearningRate`), and the count starts again. A large rate early and a smaller one once the
 * loss stops falling is the schedule of the NMT papers of the field (Luong et al. 2015 halve it
 * each epoch after the 5th; Bahdanau et al. 2015 use Adadelta instead).
 */
import type * as tf from '@tensorflow/tfjs';
import { checkInteger } from '../checks.js';
import { invalidArgument } from '../errors.js';
import { BestTracker, type Callback, type MonitorOptions } from './callbacks.js';

/** Options of `reduceLrOnPlateau`; `monitor`, `mode` and `minDelta` as `earlyStopping`'s. */
export interface ReduceLrOnPlateauOptions extends MonitorOptions {
  /** The optimizer whose rate to lower (a model's `optimizer`). */
  optimizer: tf.Optimizer;
  /** What the rate is multiplied by, in (0, 1). Default 0.1 (Keras'). */
  factor?: number;
  /** Epochs without improvement before the rate is lowered (at least 1). Default 10 (Keras'). */
  patience?: number;
  /** The rate is never lowered below this. Default 0 (Keras'). */
  minLearningRate?: number;
  /** Called with the epoch (0-based) and the new rate whenever the rate is lowered. */
  onReduce?: (epoch: number, learningRate: number) => void;
}

/** The learning rate of a TF.js optimizer (Adam, RMSprop, SGD and the others keep it in a field). */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const rate =
    optimizer !== null && typeof optimizer === 'object'
      ? (optimizer as unknown as { learningRate?: unknown }).learningRate
      : undefined;
  if (typeof rate !== 'number') {
    throw invalidArgument('optimizer', optimizer, 'a TF.js optimizer with a learning rate');
  }
  return rate;
}

/**
 * Sets the learning rate of `optimizer` for its next steps: SGD's `setLearningRate` (it caches the
 * rate in a tensor), else the `learningRate` field that Adam, RMSprop, Adagrad, Adadelta, Adamax
 * and momentum read at every step.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  getLearningRate(optimizer);
  if (!(typeof learningRate === 'number' && learningRate > 0 && Number.isFinite(learningRate))) {
    throw invalidArgument('learningRate', learningRate, 'a positive number');
  }
  const sgd = optimizer as unknown as { setLearningRate?: (rate: number) => void };
  if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(learningRate);
  else (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}

/** A callback lowering `options.optimizer`'s learning rate on a plateau of `monitor`. */
export function reduceLrOnPlateau(options: ReduceLrOnPlateauOptions): Callback {
  const optimizer = options?.optimizer;
  getLearningRate(optimizer);
  const factor = options.factor ?? 0.1;
  if (!(typeof factor === 'number' && factor > 0 && factor < 1)) {
    throw invalidArgument('factor', factor, 'a number in (0, 1)');
  }
  const patience = checkInteger('patience', options.patience ?? 10, 1);
  const minLearningRate = options.minLearningRate ?? 0;
  if (!(typeof minLearningRate === 'number' && minLearningRate >= 0)) {
    throw invalidArgument('minLearningRate', minLearningRate, 'a non-negative number');
  }
  const best = new BestTracker('reduceLrOnPlateau.monitor', options);
  let wait = 0;
  return {
    onTrainBegin: () => {
      best.reset();
      wait = 0;
    },
    onEpochEnd: (epoch, logs) => {
      if (best.improves(logs)) {
        wait = 0;
        return;
      }
      if (++wait < patience) return;
      wait = 0;
      const rate = getLearningRate(optimizer);
      if (rate <= minLearningRate) return;
      const lowered = Math.max(rate * factor, minLearningRate);
      setLearningRate(optimizer, lowered);
      options.onReduce?.(epoch, lowered);
    },
  };
}
