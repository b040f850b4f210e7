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
 *
 * Steps 1-4 are in curve-points.ts (with the input types); step 5, the chart, is below.
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  placeOnEpochAxis,
  readRows,
  seriesOf,
  type TrainingHistory,
  thin,
  unique,
} from './curve-points.js';
import { emptyInput, invalidArgument, unknownMetrics } from './errors.js';

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

/** The per-batch line's opacity: faint, so the epoch line reads first. */
const BATCH_OPACITY = 0.35;

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
