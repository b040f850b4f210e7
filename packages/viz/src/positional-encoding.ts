/**
 * Positional encodings `[length, dModel]` as a heatmap: one row per position, one column per
 * dimension, on a diverging colour scale over [-1, 1] (the range of the sinusoids of Vaswani et
 * al. 2017, sec. 3.5). Optionally, a line chart below it of a few chosen dimensions against
 * position, where the wavelength of each dimension shows.
 */

import type { TopLevelSpec } from 'vega-lite';
import { type MatrixTensorLike, readMatrix } from './attention-heatmap.js';
import { emptyInput, invalidArgument } from './errors.js';

export interface PositionalEncodingOptions {
  /** Chart title. Default: "Positional encoding". */
  title?: string;
  /** Side of one cell in pixels. Default 6: 64 dimensions by 50 positions fit a notebook. */
  cellSize?: number;
  /**
   * Colour scheme name from Vega's diverging schemes. Default `'redblue'`: zero is white, -1 red,
   * +1 blue.
   */
  scheme?: string;
  /** Dimensions (column indices) to draw as lines against position. Default: none, no lines. */
  dimensions?: readonly number[];
  /** Height of the line chart in pixels. Default 150. */
  lineHeight?: number;
}

/** One cell of the heatmap, and one point of a line. */
interface Cell {
  position: number;
  dimension: number;
  value: number;
}

const schema = 'https://vega.github.io/schema/vega-lite/v5.json';

/**
 * A Vega-Lite chart of positional encodings `[length, dModel]` (nested arrays or a rank-2 tensor,
 * read once and not disposed): position (y) by dimension (x).
 */
export function positionalEncoding(
  encodings: readonly (readonly number[])[] | MatrixTensorLike,
  options: PositionalEncodingOptions = {},
): TopLevelSpec {
  if (Array.isArray(encodings) && (encodings.length === 0 || encodings[0]?.length === 0)) {
    throw emptyInput('encodings', 'positions or dimensions');
  }
  const matrix = readMatrix(encodings, 'encodings'); // [length, dModel]
  const dModel = matrix[0]!.length;
  const cellSize = options.cellSize ?? 6;
  if (!(Number.isFinite(cellSize) && cellSize > 0)) {
    throw invalidArgument('cellSize', cellSize, 'a positive number of pixels');
  }
  const dimensions = options.dimensions ?? [];
  if (!Array.isArray(dimensions)) {
    throw invalidArgument('dimensions', dimensions, 'an array of dimension indices');
  }
  dimensions.forEach((d, i) => {
    if (!(Number.isInteger(d) && d >= 0 && d < dModel)) {
      throw invalidArgument(`dimensions[${i}]`, d, `an integer in [0, ${dModel - 1}]`);
    }
  });
  const lineHeight = options.lineHeight ?? 150;
  if (!(Number.isFinite(lineHeight) && lineHeight > 0)) {
    throw invalidArgument('lineHeight', lineHeight, 'a positive number of pixels');
  }
  const values: Cell[] = matrix.flatMap((row, position) =>
    row.map((value, dimension) => ({ position, dimension, value })),
  );
  const heatmap = {
    data: { values },
    width: { step: cellSize },
    height: { step: cellSize },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'dimension', type: 'ordinal', title: 'dimension', axis: tickAxis(dModel) },
      y: { field: 'position', type: 'ordinal', title: 'position', axis: tickAxis(matrix.length) },
      color: {
        field: 'value',
        type: 'quantitative',
        title: 'value',
        scale: { scheme: options.scheme ?? 'redblue', domain: [-1, 1], domainMid: 0 },
      },
      tooltip: [
        { field: 'position', type: 'quantitative' },
        { field: 'dimension', type: 'quantitative' },
        { field: 'value', type: 'quantitative', format: '.3f' },
      ],
    },
  };
  const title = options.title ?? 'Positional encoding';
  if (dimensions.length === 0) return { $schema: schema, title, ...heatmap } as TopLevelSpec;
  const chosen = new Set(dimensions);
  const lines = {
    data: { values: values.filter((cell) => chosen.has(cell.dimension)) },
    width: dModel * cellSize,
    height: lineHeight,
    mark: { type: 'line' },
    encoding: {
      x: { field: 'position', type: 'quantitative', title: 'position' },
      y: { field: 'value', type: 'quantitative', title: 'value', scale: { domain: [-1, 1] } },
      color: { field: 'dimension', type: 'nominal', title: 'dimension' },
      tooltip: [
        { field: 'dimension', type: 'quantitative' },
        { field: 'position', type: 'quantitative' },
        { field: 'value', type: 'quantitative', format: '.3f' },
      ],
    },
  };
  return {
    $schema: schema,
    title,
    vconcat: [heatmap, lines],
    // The heatmap's diverging scale and the lines' categorical one are different scales.
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

/** An ordinal axis labelled every 10th index at most, so 512 dimensions do not overprint. */
function tickAxis(count: number) {
  const every = count <= 20 ? 1 : count <= 100 ? 10 : 10 ** Math.ceil(Math.log10(count / 10));
  return {
    values: Array.from({ length: Math.ceil(count / every) }, (_, i) => i * every),
    labelAngle: 0,
  };
}
