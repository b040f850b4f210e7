/**
 * Lowers the learning rate when training stalls (Keras' ReduceLROnPlateau): after `patience`
 * epochs in which `monitor` did not improve, the rate is multiplied by `factor` (never below
 * `minLearningRate`), and the count starts again. A large rate early and a smaller one once the
 * loss stops falling is the schedule of the NMT papers of the field (Luong et al. 2015 halve it
 * each epoch after the 5th; Bahdanau et al. 2015 use Adadelta instead). It acts on a model whose
 * config has no `learningRateSchedule` (or a constant one): a warm-up schedule sets the rate before
 * every update and would overwrite what this callback sets.
 */
import type * as tf from '@tensorflow/tfjs';
import { checkInteger } from '../checks.js';
import { invalidArgument } from '../errors.js';
import { BestTracker, type Callback, type MonitorOptions } from './callbacks.js';
import { setLearningRate } from './learning-rate-schedule.js';

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

/** The optimizer's learning rate, checked to be one (TF.js keeps it in a `learningRate` field). */
function currentRate(optimizer: unknown): number {
  const rate =
    optimizer !== null && typeof optimizer === 'object'
      ? (optimizer as { learningRate?: unknown }).learningRate
      : undefined;
  if (typeof rate !== 'number') {
    throw invalidArgument('optimizer', optimizer, 'a TF.js optimizer with a learning rate');
  }
  return rate;
}

/** A callback lowering `options.optimizer`'s learning rate on a plateau of `monitor`. */
export function reduceLrOnPlateau(options: ReduceLrOnPlateauOptions): Callback {
  const optimizer = options?.optimizer;
  currentRate(optimizer);
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
      const rate = currentRate(optimizer);
      if (rate <= minLearningRate) return;
      const lowered = Math.max(rate * factor, minLearningRate);
      setLearningRate(optimizer, lowered);
      options.onReduce?.(epoch, lowered);
    },
  };
}
