/**
 * Training curves that redraw in place while a model trains: a callback object for TF.js
 * `model.fit` (or our own fit), drawing into one tslab display that each redraw overwrites.
 *
 * Drawing costs time the training does not get, so redraws are throttled: after each one, the
 * next waits long enough that drawing stays under `maxOverhead` of wall time. If one draw takes
 * d ms, drawing once every d + gap ms spends d / (d + gap) of the time drawing, which is at most
 * p when gap >= d (1 - p) / p. The chart is redrawn once more at the end of training, so the saved
 * notebook keeps the final curves.
 */

import type { TopLevelSpec } from 'vega-lite';
import type { FitRecord } from './curve-points.js';
import { type DisplayLike, newUpdatableDisplay, type ShowAs, sendTo } from './display.js';
import { invalidArgument } from './errors.js';
import { saveChart } from './save-chart.js';
import { type TrainingCurvesOptions, trainingCurves } from './training-curves.js';

export interface LiveTrainingCurvesOptions extends TrainingCurvesOptions {
  /** Shortest time between redraws, in ms. Default 1000: a livelier chart is not easier to read. */
  minIntervalMs?: number;
  /** Largest share of wall time spent drawing. Default 0.03 (3%). */
  maxOverhead?: number;
  /** How redraws are sent (see `show`). Default `'svg'`. */
  as?: ShowAs;
  /** PNG only: pixels per SVG unit. Default 2. */
  scale?: number;
  /** Outside a notebook: write the final chart to this file at the end of training. Default: none. */
  path?: string;
  /** Clock in ms, replaceable in tests. Default `performance.now`. */
  now?: () => number;
}

/** Logs as TF.js passes them to callbacks (numbers once resolved). */
export type CallbackLogs = Readonly<Record<string, unknown>>;

/** What the throttle measured: how many redraws, and how long they took in all. */
export interface LiveDrawStats {
  draws: number;
  drawMs: number;
  /** Callbacks that did not redraw because the interval had not passed. */
  skipped: number;
}

/**
 * The callback object. Its methods are plain closures (no `this`): TF.js calls them detached,
 * from its own `CustomCallback` wrapper. They return promises, which TF.js awaits.
 */
export interface LiveTrainingCurves {
  /** Everything logged so far; `trainingCurves(cb.records)` draws it after training. */
  readonly records: FitRecord[];
  readonly stats: LiveDrawStats;
  onTrainBegin(logs?: CallbackLogs): Promise<void>;
  onEpochBegin(epoch: number, logs?: CallbackLogs): Promise<void>;
  onBatchEnd(batch: number, logs?: CallbackLogs): Promise<void>;
  onEpochEnd(epoch: number, logs?: CallbackLogs): Promise<void>;
  onTrainEnd(logs?: CallbackLogs): Promise<void>;
  /** The current chart's spec. */
  chart(): TopLevelSpec;
}

/** The wait after a draw that took `drawMs`, so that drawing stays under `maxOverhead`. */
export function redrawInterval(drawMs: number, minIntervalMs: number, maxOverhead: number): number {
  return Math.max(minIntervalMs, (drawMs * (1 - maxOverhead)) / maxOverhead);
}

/** A `model.fit` callback that keeps the logs and redraws the training curves in place. */
export function liveTrainingCurves(options: LiveTrainingCurvesOptions = {}): LiveTrainingCurves {
  const minIntervalMs = options.minIntervalMs ?? 1000;
  if (!(Number.isFinite(minIntervalMs) && minIntervalMs >= 0)) {
    throw invalidArgument('minIntervalMs', minIntervalMs, 'a non-negative number of ms');
  }
  const maxOverhead = options.maxOverhead ?? 0.03;
  if (!(maxOverhead > 0 && maxOverhead < 1)) {
    throw invalidArgument('maxOverhead', maxOverhead, 'a share between 0 and 1 (exclusive)');
  }
  const now = options.now ?? (() => performance.now());
  const perBatch = options.perBatch ?? true;
  const records: FitRecord[] = [];
  const stats: LiveDrawStats = { draws: 0, drawMs: 0, skipped: 0 };

  let epoch = 0;
  let display: DisplayLike | undefined;
  let inNotebook: boolean | undefined; // decided at the first draw
  let drawing = false;
  let failed = false;
  let lastDrawEnd = now();
  let interval = minIntervalMs;

  const chart = () => trainingCurves(records, options);

  /** Redraws when the interval has passed (or `force`); any failure only stops the redrawing. */
  const draw = async (force: boolean): Promise<void> => {
    if (failed || drawing || records.length === 0) return;
    if (!force && now() - lastDrawEnd < interval) {
      stats.skipped += 1;
      return;
    }
    if (inNotebook === undefined) {
      display = newUpdatableDisplay();
      inNotebook = display !== undefined;
    }
    if (!display) return;
    drawing = true;
    const start = now();
    try {
      await sendTo(display, chart(), options.as ?? 'svg', options.scale);
    } catch (error) {
      failed = true;
      console.warn(`@encdec/viz: live training curves stopped drawing: ${String(error)}`);
    } finally {
      drawing = false;
      const end = now();
      stats.draws += 1;
      stats.drawMs += end - start;
      lastDrawEnd = end;
      interval = redrawInterval(end - start, minIntervalMs, maxOverhead);
    }
  };

  return {
    records,
    stats,
    chart,
    async onTrainBegin() {
      lastDrawEnd = now();
    },
    async onEpochBegin(e) {
      epoch = e;
    },
    async onBatchEnd(batch, logs) {
      if (!perBatch) return;
      records.push({ epoch, batch, logs: numbers(logs) });
      await draw(false);
    },
    async onEpochEnd(e, logs) {
      records.push({ epoch: e, logs: numbers(logs) });
      epoch = e + 1; // for fits that do not call onEpochBegin
      await draw(false);
    },
    async onTrainEnd() {
      await draw(true);
      if (inNotebook !== true && options.path !== undefined && records.length > 0) {
        try {
          const path = await saveChart(chart(), options.path, { scale: options.scale });
          console.log(`@encdec/viz: training curves written to ${path}`);
        } catch (error) {
          console.warn(`@encdec/viz: could not write training curves: ${String(error)}`);
        }
      }
    },
  };
}

/** The numeric entries of a log object (TF.js resolves its scalars to numbers before callbacks). */
function numbers(logs: CallbackLogs | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(logs ?? {})) {
    if (typeof value === 'number') out[key] = value;
  }
  return out;
}
