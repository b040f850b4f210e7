/**
 * The optimizers a model config can name, with the learning rate Keras gives each by default
 * (SGD 0.01; Adam and RMSprop 0.001), checked once for every kind of model.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, notOneOf } from '../errors.js';

export const OPTIMIZERS = ['adam', 'rmsprop', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** An optimizer and its learning rate, checked. */
export interface OptimizerChoice {
  optimizer: OptimizerName;
  learningRate: number;
}

/** Checks a config's `optimizer` (default 'adam') and `learningRate` (default Keras'). */
export function resolveOptimizer(optimizer: unknown, learningRate: unknown): OptimizerChoice {
  const name = optimizer ?? 'adam';
  if (!(OPTIMIZERS as readonly unknown[]).includes(name)) {
    throw notOneOf('optimizer', name, OPTIMIZERS);
  }
  const chosen = name as OptimizerName;
  const rate = learningRate ?? (chosen === 'sgd' ? 0.01 : 0.001);
  if (!(typeof rate === 'number' && rate > 0 && Number.isFinite(rate))) {
    throw invalidArgument('learningRate', rate, 'a positive number');
  }
  return { optimizer: chosen, learningRate: rate };
}

/** A new TF.js optimizer for `choice`. */
export function createOptimizer(choice: OptimizerChoice): tf.Optimizer {
  const { optimizer, learningRate } = choice;
  if (optimizer === 'rmsprop') return tf.train.rmsprop(learningRate);
  if (optimizer === 'sgd') return tf.train.sgd(learningRate);
  return tf.train.adam(learningRate);
}
