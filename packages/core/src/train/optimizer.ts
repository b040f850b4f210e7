/**
 * The optimizers a model config can name, with the learning rate Keras gives each by default
 * (SGD 0.01; Adam and RMSprop 0.001) and Adam's moment decays and epsilon, checked once for every
 * kind of model.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, notOneOf, unknownKeys } from '../errors.js';
import { FusedAdamOptimizer } from './fused-adam.js';

export const OPTIMIZERS = ['adam', 'rmsprop', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * Adam's hyperparameters (Kingma & Ba 2015, Algorithm 1). The defaults are Keras' (and TF.js's on
 * float32 backends); Vaswani et al. 2017 (section 5.3) train the Transformer with beta2 0.98 and
 * epsilon 1e-9.
 */
export interface AdamConfig {
  /** Decay of the running mean of the gradients, in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay of the running mean of the squared gradients, in [0, 1). Default 0.999. */
  beta2?: number;
  /** Added to the root of the second moment before dividing, > 0. Default 1e-7 (Keras'). */
  epsilon?: number;
}

/** An optimizer, its learning rate and Adam's hyperparameters, checked. */
export interface OptimizerChoice {
  optimizer: OptimizerName;
  learningRate: number;
  /** Used when `optimizer` is 'adam'; absent: Keras' defaults. */
  adam?: Required<AdamConfig>;
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

/** Checks a config's `adam` and fills in the defaults; errors name fields as `adam.beta2`. */
export function resolveAdam(config: unknown): Required<AdamConfig> {
  const given = config ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw invalidArgument('adam', given, 'an object { beta1?, beta2?, epsilon? }');
  }
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, ...rest } = given as AdamConfig;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw unknownKeys('adam', extra, ['beta1', 'beta2', 'epsilon']);
  const decay = (name: string, value: unknown) => {
    if (!(typeof value === 'number' && value >= 0 && value < 1)) {
      throw invalidArgument(`adam.${name}`, value, 'a number in [0, 1)');
    }
    return value;
  };
  if (!(typeof epsilon === 'number' && epsilon > 0 && Number.isFinite(epsilon))) {
    throw invalidArgument('adam.epsilon', epsilon, 'a positive number');
  }
  return { beta1: decay('beta1', beta1), beta2: decay('beta2', beta2), epsilon };
}

/** A new TF.js optimizer for `choice` (Adam: TF.js's, each variable's update one kernel). */
export function createOptimizer(choice: OptimizerChoice): tf.Optimizer {
  const { optimizer, learningRate } = choice;
  if (optimizer === 'rmsprop') return tf.train.rmsprop(learningRate);
  if (optimizer === 'sgd') return tf.train.sgd(learningRate);
  const { beta1, beta2, epsilon } = choice.adam ?? resolveAdam(undefined);
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
