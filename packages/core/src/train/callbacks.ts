/**
 * Training callbacks: how logging, early stopping and checkpoints hook into the training loop
 * without the loop knowing about them (nanoGPT / Keras style). Logs use the Keras keys `loss`,
 * `accuracy`, `val_loss`, `val_accuracy`; every hook may be async and the loop awaits it.
 */
import type * as tf from '@tensorflow/tfjs';
import { invalidArgument, unknownMonitor } from '../errors.js';

/**
 * Numbers reported at a point of training, by Keras name. `loss` is the objective the optimizer
 * minimizes, label smoothing included when the config sets it (as PyTorch's
 * `nn.CrossEntropyLoss(label_smoothing)` reports); `val_loss` and `evaluate`'s `loss` are the plain
 * cross-entropy (no smoothing, no dropout), so that exp of them is the perplexity.
 */
export type Logs = Record<string, number>;

/** What `fit` returns, shaped like TF.js's History: one entry per epoch in each list. */
export interface History {
  /** The epoch numbers (0-based, continuing across `fit` calls of one model). */
  epoch: number[];
  /** `loss`, `accuracy` and, with validation, `val_loss`, `val_accuracy`, per epoch. */
  history: Record<string, number[]>;
}

/** Handed to each callback before training starts. */
export interface TrainingControl {
  /** Ends training after the current epoch (Keras' `model.stopTraining = true`). */
  stop(): void;
  /** Whether `stop` was called. */
  readonly stopRequested: boolean;
  /** Copies of the trained variables' values, in order; the caller disposes them. */
  getWeights(): tf.Tensor[];
  /** Sets the trained variables to `weights` (as `getWeights` gave them); the caller owns them. */
  setWeights(weights: readonly tf.Tensor[]): void;
  /** Saves the model being trained into a directory, atomically; absent if it cannot save. */
  save?: (dir: string) => Promise<void>;
}

export interface Callback {
  /** Called once before `onTrainBegin`, with the handle to stop training or save the model. */
  setControl?(control: TrainingControl): void;
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  /** `logs`: this batch's `loss`, `accuracy`, `size` (rows) and `tokens` (real target tokens). */
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /** `logs`: the epoch's `loss`, `accuracy` and, with validation, `val_loss`, `val_accuracy`. */
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
}

export interface MonitorOptions {
  /** The log key to watch. Default 'val_loss'. */
  monitor?: string;
  /**
   * Whether lower ('min') or higher ('max') is better. Default 'auto': 'max' for keys containing
   * 'acc', else 'min' (Keras' rule).
   */
  mode?: 'auto' | 'min' | 'max';
  /** The least change that counts as an improvement. Default 0. */
  minDelta?: number;
}

export interface EarlyStoppingOptions extends MonitorOptions {
  /**
   * Epochs without improvement after which training stops (0 and 1 both stop at the first one, as
   * in Keras and TF.js). Default 0 (Keras' default).
   */
  patience?: number;
  /**
   * At the end of training, set the weights to those of the epoch with the best `monitor` value
   * (Keras 3's rule: also when training was not stopped early). Default false (Keras' default):
   * the model keeps the last epoch's weights.
   */
  restoreBestWeights?: boolean;
}

/**
 * Stops training when `monitor` has not improved for `patience` epochs (Keras' EarlyStopping).
 * Its best value and wait count start afresh at each `fit`.
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback {
  const patience = options.patience ?? 0;
  if (!(Number.isInteger(patience) && patience >= 0)) {
    throw invalidArgument('patience', patience, 'a non-negative integer');
  }
  const restoreBestWeights = options.restoreBestWeights ?? false;
  if (typeof restoreBestWeights !== 'boolean') {
    throw invalidArgument('restoreBestWeights', restoreBestWeights, 'true or false');
  }
  const best = new BestTracker('earlyStopping.monitor', options);
  let control: TrainingControl | undefined;
  let wait = 0;
  let bestWeights: tf.Tensor[] | undefined;
  const keepBestWeights = (weights: tf.Tensor[] | undefined) => {
    for (const w of bestWeights ?? []) w.dispose();
    bestWeights = weights;
  };
  return {
    setControl: (c) => {
      control = c;
    },
    onTrainBegin: () => {
      best.reset();
      wait = 0;
      keepBestWeights(undefined);
    },
    onEpochEnd: (_epoch, logs) => {
      if (best.improves(logs)) {
        wait = 0;
        if (restoreBestWeights) keepBestWeights(control?.getWeights());
      } else if (++wait >= patience) {
        control?.stop();
      }
    },
    onTrainEnd: () => {
      if (bestWeights) control?.setWeights(bestWeights);
      keepBestWeights(undefined);
    },
  };
}

export interface ModelCheckpointOptions extends MonitorOptions {
  /** Directory to save into; `{epoch}` is replaced by the epoch number (1-based, as Keras). */
  path: string;
  /**
   * Save only when `monitor` beats the best value this checkpoint has seen, across every `fit`
   * it is passed to (as Keras' ModelCheckpoint keeps `best`), so a later, worse run does not
   * overwrite a better save. Default false: save after every epoch.
   */
  saveBestOnly?: boolean;
}

/** Saves the model at the end of epochs (atomic writes, see `io/`), as Keras' ModelCheckpoint. */
export function modelCheckpoint(options: ModelCheckpointOptions): Callback {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw invalidArgument('modelCheckpoint.path', options?.path, 'a directory path');
  }
  const best = new BestTracker('modelCheckpoint.monitor', options);
  let control: TrainingControl | undefined;
  return {
    setControl: (c) => {
      control = c;
    },
    onEpochEnd: async (epoch, logs) => {
      if (options.saveBestOnly && !best.improves(logs)) return;
      if (control?.save === undefined) {
        throw invalidArgument(
          'modelCheckpoint',
          'a model without save()',
          'a trainable that can save',
        );
      }
      await control.save(options.path.replaceAll('{epoch}', String(epoch + 1)));
    },
  };
}

/** The best value of one log key so far, and whether a new value beats it. */
export class BestTracker {
  private readonly monitor: string;
  private readonly sign: 1 | -1;
  private readonly minDelta: number;
  private best = Number.POSITIVE_INFINITY;

  constructor(
    private readonly name: string,
    options: MonitorOptions,
  ) {
    this.monitor = options.monitor ?? 'val_loss';
    const mode = options.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) {
      throw invalidArgument(name.replace('monitor', 'mode'), mode, "'auto', 'min' or 'max'");
    }
    const max = mode === 'max' || (mode === 'auto' && this.monitor.includes('acc'));
    this.sign = max ? -1 : 1; // compare sign * value, lower is better
    this.minDelta = Math.abs(options.minDelta ?? 0);
  }

  reset(): void {
    this.best = Number.POSITIVE_INFINITY;
  }

  improves(logs: Logs): boolean {
    const value = logs[this.monitor];
    if (value === undefined) throw unknownMonitor(this.name, this.monitor, Object.keys(logs));
    if (this.sign * value < this.best - this.minDelta) {
      this.best = this.sign * value;
      return true;
    }
    return false;
  }
}
