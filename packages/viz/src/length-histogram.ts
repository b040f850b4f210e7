/**
 * The distribution of sequence lengths, with `maxlen` marked: the chart to look at before choosing
 * how far `padSequences` truncates (IMDB reviews run from ten words to over two thousand).
 */

import type { TopLevelSpec } from 'vega-lite';
import { emptyInput, invalidArgument } from './errors.js';

export interface LengthHistogramOptions {
  /** The truncation length to mark with a rule; the title reports the share longer than it. */
  maxlen?: number;
  /** Upper bound on the number of bins. Default 40: fine enough to see the tail's shape. */
  maxBins?: number;
  /** Chart title. Default: "Sequence lengths (n = ...)". */
  title?: string;
  /** Chart width and height in pixels. Default 420 x 200. */
  width?: number;
  height?: number;
}

/**
 * A Vega-Lite histogram of lengths. `input` holds the lengths themselves or the sequences (arrays
 * of tokens or ids), whose lengths are taken.
 */
export function lengthHistogram(
  input: readonly number[] | readonly (readonly unknown[])[],
  options: LengthHistogramOptions = {},
): TopLevelSpec {
  const lengths = readLengths(input);
  const { maxlen } = options;
  if (maxlen !== undefined && !(Number.isInteger(maxlen) && maxlen > 0)) {
    throw invalidArgument('maxlen', maxlen, 'a positive integer');
  }
  const maxBins = options.maxBins ?? 40;
  if (!Number.isInteger(maxBins) || maxBins < 1) {
    throw invalidArgument('maxBins', maxBins, 'a positive integer');
  }
  // One row per distinct length with its count: 25,000 reviews become a few hundred rows.
  const counts = new Map<number, number>();
  for (const n of lengths) counts.set(n, (counts.get(n) ?? 0) + 1);
  const values = [...counts].map(([length, count]) => ({ length, count }));

  const n = lengths.length;
  const sorted = [...lengths].sort((a, b) => a - b);
  const median = sorted[Math.floor((n - 1) / 2)]!;
  const facts = [`median ${median}`, `max ${sorted[n - 1]}`];
  if (maxlen !== undefined) {
    const longer = lengths.filter((l) => l > maxlen).length;
    facts.push(`${percent(longer / n)} longer than maxlen = ${maxlen} (truncated)`);
  }
  const bars = {
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'length', type: 'quantitative', bin: { maxbins: maxBins }, title: 'length' },
      y: { aggregate: 'sum', field: 'count', type: 'quantitative', title: 'sequences' },
    },
  };
  const rule =
    maxlen === undefined
      ? []
      : [
          {
            data: { values: [{ maxlen }] },
            mark: { type: 'rule', color: '#e45756', strokeWidth: 2, strokeDash: [4, 3] },
            encoding: { x: { field: 'maxlen', type: 'quantitative' } },
          },
          {
            data: { values: [{ maxlen, label: `maxlen = ${maxlen}` }] },
            mark: { type: 'text', align: 'left', dx: 4, dy: 4, baseline: 'top', color: '#e45756' },
            encoding: {
              x: { field: 'maxlen', type: 'quantitative' },
              y: { value: 0 },
              text: { field: 'label', type: 'nominal' },
            },
          },
        ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: options.title ?? `Sequence lengths (n = ${n.toLocaleString('en-US')})`,
      subtitle: facts.join('; '),
    },
    width: options.width ?? 420,
    height: options.height ?? 200,
    data: { values },
    layer: [bars, ...rule],
  } as TopLevelSpec;
}

function readLengths(input: readonly number[] | readonly (readonly unknown[])[]): number[] {
  if (!Array.isArray(input)) {
    throw invalidArgument('input', input, 'an array of lengths or an array of sequences');
  }
  if (input.length === 0) throw emptyInput('input', 'lengths');
  return input.map((item: unknown, i) => {
    const length = Array.isArray(item) ? item.length : item;
    if (!Number.isInteger(length) || (length as number) < 0) {
      throw invalidArgument(
        `input[${i}]`,
        item,
        'a sequence (array) or a non-negative integer length',
      );
    }
    return length as number;
  });
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}
