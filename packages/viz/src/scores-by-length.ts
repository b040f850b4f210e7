/**
 * A score against source length, one line per model: the chart of the fixed-vector bottleneck
 * (Cho et al. 2014, "On the Properties of Neural Machine Translation", figure 1; Bahdanau et al.
 * 2015, figure 2), where an encoder-decoder without attention falls as sources grow longer and one
 * with attention does not. Its input is what `scoresByLength` of `@encdec/core` returns per model.
 */

import type { TopLevelSpec } from 'vega-lite';
import { emptyInput, invalidArgument } from './errors.js';

/** One bucket of source lengths and its scores (`LengthBucketScores` of `@encdec/core` fits). */
export interface LengthBucketLike {
  /** Shortest length of the bucket. */
  fromLength: number;
  /** Longest length of the bucket (included). */
  toLength: number;
  /** Rows in the bucket, shown in the tooltip. */
  count?: number;
  // and the scores by name (`tokenAccuracy`, `bleu`, ...): the one named by `metric` is drawn.
}

export interface ScoresByLengthChartOptions {
  /** The score to draw, a key of every bucket. Default `'tokenAccuracy'`. */
  metric?: string;
  /** Y axis title. Default: the metric's name. */
  metricTitle?: string;
  /** Chart title. Default: "<metric> by source length". */
  title?: string;
  /** Chart width and height in pixels. Default 420 x 220. */
  width?: number;
  height?: number;
}

/**
 * A Vega-Lite line chart: x is the bucket's source length (its middle, labelled "5-9"), y the
 * chosen score, one coloured line with points per entry of `series` (model name -> its buckets).
 */
export function scoresByLengthChart(
  series: Readonly<Record<string, readonly LengthBucketLike[]>>,
  options: ScoresByLengthChartOptions = {},
): TopLevelSpec {
  if (series === null || typeof series !== 'object' || Array.isArray(series)) {
    throw invalidArgument('series', series, 'an object of model name -> length buckets');
  }
  const metric = options.metric ?? 'tokenAccuracy';
  if (typeof metric !== 'string' || metric === '') {
    throw invalidArgument('metric', metric, 'the name of a score');
  }
  const values = Object.entries(series).flatMap(([model, buckets]) => {
    if (!Array.isArray(buckets)) {
      throw invalidArgument(`series.${model}`, buckets, 'an array of length buckets');
    }
    return buckets.map((b: LengthBucketLike, i) => {
      const score = (b as unknown as Record<string, unknown> | undefined)?.[metric];
      if (!Number.isInteger(b?.fromLength) || !Number.isInteger(b?.toLength)) {
        throw invalidArgument(
          `series.${model}[${i}]`,
          b,
          'a bucket with integer fromLength and toLength',
        );
      }
      if (typeof score !== 'number' || !Number.isFinite(score)) {
        throw invalidArgument(`series.${model}[${i}].${metric}`, score, 'a finite number');
      }
      return {
        model,
        length: (b.fromLength + b.toLength) / 2, // [bucket middle]
        lengths: `${b.fromLength}-${b.toLength}`,
        score,
        count: b.count ?? null,
      };
    });
  });
  if (values.length === 0) throw emptyInput('series', 'length buckets');
  const axisTitle = options.metricTitle ?? metric;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? `${axisTitle} by source length`,
    width: options.width ?? 420,
    height: options.height ?? 220,
    data: { values },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'length', type: 'quantitative', title: 'source length (words)' },
      y: { field: 'score', type: 'quantitative', title: axisTitle, scale: { zero: true } },
      color: { field: 'model', type: 'nominal', title: null, sort: Object.keys(series) },
      tooltip: [
        { field: 'model', type: 'nominal' },
        { field: 'lengths', type: 'nominal', title: 'lengths' },
        { field: 'score', type: 'quantitative', title: axisTitle, format: '.3f' },
        { field: 'count', type: 'quantitative', title: 'rows' },
      ],
    },
  } as TopLevelSpec;
}
