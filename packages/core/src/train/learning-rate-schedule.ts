/**
 * Learning-rate schedules: the rate of each optimizer update as a function of its step number,
 * counted from 1. The step is the optimizer's own update counter (`tf.Optimizer.iterations`, saved
 * with its state), so a schedule continues where it stopped after a save and a load.
 *
 *   constant   lr = learningRate (the config's), every step: the default
 *   warmup     lr = factor * dModel^-0.5 * min(step^-0.5, step * warmupSteps^-1.5)
 *
 * The warm-up schedule is Vaswani et al. 2017, eq. 3 (with their factor 1): the rate rises
 * linearly for `warmupSteps` updates, peaks at factor * (dModel * warmupSteps)^-0.5, then decays
 * as the inverse square root of the step.
 */
import type * as tf from '@tensorflow/tfjs';
import { positiveInt } from '../checks.js';
import { invalidArgument, notOneOf, unknownKeys } from '../errors.js';

export const SCHEDULE_KINDS = ['constant', 'warmup'] as const;

/** The config's `learningRate` at every step. */
export interface ConstantSchedule {
  /** Names the schedule. */
  kind: 'constant';
}

/** Linear warm-up, then inverse square root decay (Vaswani et al. 2017, eq. 3). */
export interface WarmupSchedule {
  /** Names the schedule. */
  kind: 'warmup';
  /** Updates over which the rate rises (the paper: 4000). A positive integer. */
  warmupSteps: number;
  /** The model width whose inverse square root scales the rate (the paper: 512). */
  dModel: number;
  /** Multiplies the rate, > 0. Default 1 (the paper's). */
  factor?: number;
}

/** A config's `learningRateSchedule`: how the rate of each optimizer update is chosen. */
export type LearningRateSchedule = ConstantSchedule | WarmupSchedule;
/** A `LearningRateSchedule` with its defaults filled in, as a resolved config holds it. */
export type ResolvedLearningRateSchedule = ConstantSchedule | Required<WarmupSchedule>;

/** Checks a config's `learningRateSchedule` (default constant); errors name its fields. */
export function resolveLearningRateSchedule(
  schedule: unknown,
  name = 'learningRateSchedule',
): ResolvedLearningRateSchedule {
  const given = schedule ?? { kind: 'constant' };
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw invalidArgument(name, given, "an object { kind: 'constant' } or { kind: 'warmup', ... }");
  }
  const fields = given as Record<string, unknown>;
  const checkKeys = (allowed: string[]) => {
    const extra = Object.keys(fields).filter((k) => !allowed.includes(k));
    if (extra.length > 0) throw unknownKeys(name, extra, allowed);
  };
  if (fields.kind === 'constant') {
    checkKeys(['kind']);
    return { kind: 'constant' };
  }
  if (fields.kind !== 'warmup') throw notOneOf(`${name}.kind`, fields.kind, SCHEDULE_KINDS);
  checkKeys(['kind', 'warmupSteps', 'dModel', 'factor']);
  const factor = fields.factor ?? 1;
  if (!(typeof factor === 'number' && factor > 0 && Number.isFinite(factor))) {
    throw invalidArgument(`${name}.factor`, factor, 'a positive number');
  }
  return {
    kind: 'warmup',
    warmupSteps: positiveInt(`${name}.warmupSteps`, fields.warmupSteps),
    dModel: positiveInt(`${name}.dModel`, fields.dModel),
    factor,
  };
}

/** The rate of update number `step` (1, 2, ...) under `schedule`; `learningRate` if constant. */
export function scheduledRate(
  schedule: ResolvedLearningRateSchedule,
  learningRate: number,
  step: number,
): number {
  if (schedule.kind === 'constant') return learningRate;
  const { factor, dModel, warmupSteps } = schedule;
  return factor * dModel ** -0.5 * Math.min(step ** -0.5, step * warmupSteps ** -1.5);
}

/**
 * Sets the rate `optimizer` uses from its next update on, in place (its moments are kept). TF.js's
 * SGD keeps the rate as a tensor that only `setLearningRate` renews; Adam and RMSprop read their
 * `learningRate` field on every update.
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const target = optimizer as unknown as {
    learningRate: number;
    setLearningRate?: (rate: number) => void;
  };
  if (typeof target.setLearningRate === 'function') target.setLearningRate(rate);
  else target.learningRate = rate;
}

/** The rate `optimizer` holds now: under a schedule, the last update's until the loop sets the next. */
export function learningRateOf(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}
