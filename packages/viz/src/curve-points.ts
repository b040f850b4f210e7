/**
 * Steps 1-4 of training-curves.ts: the inputs a chart of training curves accepts (a TF.js
 * `History`, fit records, long-form rows), read into long-form points, each named by metric and
 * split, placed on a shared epoch axis, and long per-batch series thinned.
 */
import { emptyInput, invalidArgument } from './errors.js';

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

export type Split = 'training' | 'validation';

/** A point of the chart's data. */
export interface Point {
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

/** Keys that TF.js puts in batch logs but that are not metrics. */
const notMetrics = new Set(['batch', 'size']);
const aliases: Readonly<Record<string, string>> = { acc: 'accuracy' };

/** Step 2: `val_loss` is the validation split of `loss`; `acc` is `accuracy`. */
export function seriesOf(key: string): { metric: string; split: Split } {
  const validation = key.startsWith('val_');
  const name = validation ? key.slice(4) : key;
  return { metric: aliases[name] ?? name, split: validation ? 'validation' : 'training' };
}

/** Step 1: every accepted input to long-form rows. */
export function readRows(history: TrainingHistory): CurveRow[] {
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
export function placeOnEpochAxis(rows: readonly CurveRow[]): Point[] {
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
export function thin(points: Point[], maxPoints: number): Point[] {
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

export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
