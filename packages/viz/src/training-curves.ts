/**
 * Training curves: loss and every metric, training and validation, one panel per metric.
 *
 * Pipeline:
 *   1. read the input (a TF.js `History`, fit records, or long-form rows) into long-form points;
 *   2. name each series: `val_x` is the validation split of `x`, and TF.js's `acc` is `accuracy`;
 *   3. place each point on a shared epoch axis: the end of epoch e (0-based, as TF.js counts) sits
 *      at x = e + 1, batch b of n in that epoch at x = e + (b + 1) / n, so both granularities line up;
 *   4. thin long per-batch series by averaging consecutive chunks (it smooths the noise too);
 *   5. facet by metric, each panel with its own y scale.
 */

import type { TopLevelSpec } from 'vega-lite';
import { emptyInput, invalidArgument, unknownMetrics } from './errors.js';

/** A TF.js `History` (what `model.fit` resolves to), read structurally. */
export interface HistoryLike {
  epoch: readonly number[];
  history: Readonly<Record<string, readonly (number | { arraySync(): unknown })[]>>;
}

/** One callback record: per batch when `batch` is set, per epoch otherwise. */
export interface FitRecord {
  /** 0-based epoch, as TF.js callbacks count. */
  epoch: number;
  /** 0-based batch within the epoch; absent on an epoch-end record. */
  batch?: number;
  /** Keras-style logs: `loss`, `accuracy` or `acc`, `val_loss`, ... */
  logs: Readonly<Record<string, number>>;
}

/** A long-form row: one value of one metric. */
export interface CurveRow {
  /** Metric name; a `val_` prefix means the validation split when `split` is absent. */
  metric: string;
  split?: 'training' | 'validation';
  /** 0-based epoch, as TF.js callbacks count. */
  epoch: number;
  /** 0-based batch within the epoch; absent on a per-epoch value. */
  batch?: number;
  value: number;
}

export type TrainingHistory = HistoryLike | readonly FitRecord[] | readonly CurveRow[];

export interface TrainingCurvesOptions {
  /** Metrics to plot, by name (`'loss'`, `'accuracy'`; `val_` prefixes are ignored). Default: all. */
  metrics?: readonly string[];
  /** Draw per-batch values where there are any. Default true. */
  perBatch?: boolean;
  /** Panels per row. Default: up to 3, which fits a notebook's width at the default panel size. */
  columns?: number;
  /** Panel width and height in pixels. Default 260 x 160. */
  width?: number;
  height?: number;
  /**
   * Per-batch points kept per series; longer series are averaged in consecutive chunks. Default
   * 400: more than a panel's width in pixels gains nothing and slows rendering.
   */
  maxBatchPoints?: number;
  title?: string;
}

type Split = 'training' | 'validation';

/** A point of the chart's data. */
interface Point {
  metric: string;
  split: Split;
  granularity: 'epoch' | 'batch';
  /** Position on the epoch axis (step 3 of the pipeline). */
  x: number;
  /** 1-based epoch for the tooltip, as Keras prints "Epoch 3/10". */
  epoch: number;
  batch?: number;
  value: number;
}

/** The per-batch line's opacity: faint, so the epoch line reads first. */
const BATCH_OPACITY = 0.35;
/** Keys that TF.js puts in batch logs but that are not metrics. */
const notMetrics = new Set(['batch', 'size']);
const aliases: Readonly<Record<string, string>> = { acc: 'accuracy' };

/** A Vega-Lite spec of loss and metrics per epoch (and per batch), one panel per metric. */
export function trainingCurves(
  history: TrainingHistory,
  options: TrainingCurvesOptions = {},
): TopLevelSpec {
  const perBatch = options.perBatch ?? true;
  const maxBatchPoints = options.maxBatchPoints ?? 400;
  if (!Number.isInteger(maxBatchPoints) || maxBatchPoints < 1) {
    throw invalidArgument('maxBatchPoints', maxBatchPoints, 'a positive integer');
  }
  // Steps 1-3.
  let points = placeOnEpochAxis(readRows(history)).filter(
    (p) => perBatch || p.granularity === 'epoch',
  );
  if (points.length === 0) throw emptyInput('history', 'loss or metric values');
  const available = unique(points.map((p) => p.metric));
  if (options.metrics !== undefined && !Array.isArray(options.metrics)) {
    throw invalidArgument('metrics', options.metrics, 'an array of metric names');
  }
  const wanted =
    options.metrics === undefined ? available : options.metrics.map((m) => seriesOf(m).metric);
  const missing = wanted.filter((m) => !available.includes(m));
  if (missing.length > 0) throw unknownMetrics(missing, available);
  const chosen = unique(wanted);
  points = thin(
    points.filter((p) => chosen.includes(p.metric)),
    maxBatchPoints,
  );
  // Loss first: it is the number training minimises; the rest in order of appearance.
  const order = [...chosen.filter((m) => m === 'loss'), ...chosen.filter((m) => m !== 'loss')];
  const columns = options.columns ?? Math.min(order.length, 3);
  if (!Number.isInteger(columns) || columns < 1) {
    throw invalidArgument('columns', columns, 'a positive integer');
  }
  const splits = (['training', 'validation'] as const).filter((s) =>
    points.some((p) => p.split === s),
  );
  const encoding = {
    x: { field: 'x', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
    y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
    color: {
      field: 'split',
      type: 'nominal',
      title: null,
      legend: { symbolOpacity: 1 },
      scale: {
        domain: splits,
        range: splits.map((s) => (s === 'training' ? '#4c78a8' : '#f58518')),
      },
    },
  };
  // Per-epoch points carry the tooltips; a per-batch line is one path, with no single value to show.
  const tooltip = [
    { field: 'metric', type: 'nominal' },
    { field: 'split', type: 'nominal' },
    { field: 'epoch', type: 'quantitative' },
    { field: 'value', type: 'quantitative', format: '.4f' },
  ];
  const byGranularity = (g: string) => ({ filter: `datum.granularity === '${g}'` });
  const hasBatches = points.some((p) => p.granularity === 'batch');
  // With per-batch values, a second legend tells the faint, thin per-batch line from the epoch
  // line (the two channels share one legend; its lines take the training colour).
  const granularity = hasBatches
    ? {
        opacity: granularityChannel([1, BATCH_OPACITY], {
          symbolType: 'stroke',
          symbolStrokeColor: '#4c78a8',
          labelExpr: "datum.value === 'batch' ? 'per batch' : 'per epoch'",
        }),
        strokeWidth: granularityChannel([2, 1], {}),
      }
    : {};
  const layer = [
    ...(hasBatches
      ? [
          {
            transform: [byGranularity('batch')],
            mark: { type: 'line' },
            encoding: { ...encoding, ...granularity, tooltip: null },
          },
        ]
      : []),
    {
      transform: [byGranularity('epoch')],
      mark: { type: 'line', point: true },
      encoding: { ...encoding, tooltip },
    },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(options.title === undefined ? {} : { title: options.title }),
    data: { values: points },
    facet: { field: 'metric', type: 'nominal', title: null, sort: order },
    columns,
    spec: { width: options.width ?? 260, height: options.height ?? 160, layer },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/** An encoding of the granularity (epoch, batch) as `range`. */
function granularityChannel(range: number[], legend: object) {
  return {
    field: 'granularity',
    type: 'ordinal', // an ordered domain: Vega-Lite maps opacity and width only from one
    title: null,
    scale: { domain: ['epoch', 'batch'], range },
    legend,
  };
}

/** Step 2: `val_loss` is the validation split of `loss`; `acc` is `accuracy`. */
function seriesOf(key: string): { metric: string; split: Split } {
  const validation = key.startsWith('val_');
  const name = validation ? key.slice(4) : key;
  return { metric: aliases[name] ?? name, split: validation ? 'validation' : 'training' };
}

/** Step 1: every accepted input to long-form rows. */
function readRows(history: TrainingHistory): CurveRow[] {
  if (Array.isArray(history)) {
    if (history.length === 0) throw emptyInput('history', 'loss or metric values');
    const first = history[0] as object;
    if (first !== null && typeof first === 'object' && 'logs' in first) {
      return (history as readonly FitRecord[]).flatMap(readRecord);
    }
    if (first !== null && typeof first === 'object' && 'metric' in first && 'value' in first) {
      return (history as readonly CurveRow[]).map((row, i) => {
        checkIndex(row.epoch, `history[${i}].epoch`);
        if (row.batch !== undefined) checkIndex(row.batch, `history[${i}].batch`);
        return row;
      });
    }
    throw invalidArgument(
      'history[0]',
      first,
      'a fit record {epoch, batch?, logs} or a row {metric, epoch, value}',
    );
  }
  const h = history as HistoryLike;
  if (
    h === null ||
    typeof h !== 'object' ||
    !Array.isArray(h.epoch) ||
    typeof h.history !== 'object'
  ) {
    throw invalidArgument(
      'history',
      history,
      'a TF.js History {epoch, history}, fit records or rows',
    );
  }
  return Object.entries(h.history).flatMap(([metric, values]) =>
    values.map((v, i) => ({ metric, epoch: h.epoch[i] ?? i, value: toNumber(v) })),
  );
}

function readRecord(record: FitRecord, i: number): CurveRow[] {
  if (record === null || typeof record !== 'object' || typeof record.logs !== 'object') {
    throw invalidArgument(`history[${i}]`, record, 'a fit record {epoch, batch?, logs}');
  }
  checkIndex(record.epoch, `history[${i}].epoch`);
  if (record.batch !== undefined) checkIndex(record.batch, `history[${i}].batch`);
  return Object.entries(record.logs)
    .filter(([key]) => !notMetrics.has(key))
    .map(([metric, value]) => ({ metric, epoch: record.epoch, batch: record.batch, value }));
}

/** Step 3; values that are not finite (a diverged loss) are left out: there is no point to draw. */
function placeOnEpochAxis(rows: readonly CurveRow[]): Point[] {
  const batchesPerEpoch = new Map<number, number>();
  for (const row of rows) {
    if (row.batch !== undefined) {
      batchesPerEpoch.set(row.epoch, Math.max(batchesPerEpoch.get(row.epoch) ?? 0, row.batch + 1));
    }
  }
  // Plain object literals of one shape: spreads here cost more than everything else put together.
  const points: Point[] = [];
  for (const row of rows) {
    if (!Number.isFinite(row.value)) continue;
    const { metric, split } = row.split
      ? { metric: seriesOf(row.metric).metric, split: row.split }
      : seriesOf(row.metric);
    const epoch = row.epoch + 1;
    if (row.batch === undefined) {
      points.push({ metric, split, granularity: 'epoch', x: epoch, epoch, value: row.value });
    } else {
      const x = row.epoch + (row.batch + 1) / batchesPerEpoch.get(row.epoch)!;
      points.push({
        metric,
        split,
        granularity: 'batch',
        x,
        epoch,
        batch: row.batch,
        value: row.value,
      });
    }
  }
  return points;
}

/** Step 4: averages consecutive chunks of each per-batch series down to `maxPoints` points. */
function thin(points: Point[], maxPoints: number): Point[] {
  const groups = new Map<string, Point[]>();
  const kept: Point[] = [];
  for (const p of points) {
    if (p.granularity === 'epoch') kept.push(p);
    else {
      const key = `${p.metric}\u0000${p.split}`;
      const series = groups.get(key);
      if (series) series.push(p);
      else groups.set(key, [p]);
    }
  }
  for (const series of groups.values()) {
    const size = Math.ceil(series.length / maxPoints);
    for (let start = 0; start < series.length; start += size) {
      const chunk = series.slice(start, start + size);
      const last = chunk[chunk.length - 1]!;
      const mean = (f: (p: Point) => number) => chunk.reduce((s, p) => s + f(p), 0) / chunk.length;
      const { metric, split, granularity, epoch, batch } = last;
      kept.push({
        metric,
        split,
        granularity,
        x: mean((p) => p.x),
        epoch,
        batch,
        value: mean((p) => p.value),
      });
    }
  }
  return kept;
}

function toNumber(value: number | { arraySync(): unknown }): number {
  return typeof value === 'number' ? value : Number(value.arraySync());
}

function checkIndex(value: unknown, name: string): void {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw invalidArgument(name, value, 'a non-negative integer');
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
