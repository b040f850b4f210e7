/**
 * Attention heatmaps: one cell per (target token, source token) pair, coloured by the attention
 * weight the decoder put on that source position while emitting that target token (the picture
 * of Bahdanau et al. 2015, fig. 3).
 *
 * Cells are placed by position index, not by token text, so a token that occurs twice keeps two
 * rows (or columns); the axes show the tokens through a `labelExpr` lookup.
 */

import type { TopLevelSpec } from 'vega-lite';
import {
  emptyWeights,
  invalidArgument,
  nonFiniteWeight,
  raggedWeights,
  tokenCountMismatch,
} from './errors.js';

/** Anything with a TF.js-style `shape` and `arraySync()`: a `tf.Tensor2D` fits. */
export interface MatrixTensorLike {
  readonly shape: readonly number[];
  arraySync(): unknown;
}

/** An attention matrix `[tgtLen, srcLen]`: nested arrays or a rank-2 tensor. */
export type AttentionWeights = readonly (readonly number[])[] | MatrixTensorLike;

/** A token as shown on an axis: words, or ids when no vocabulary is at hand. */
export type Token = string | number;

export interface AttentionHeatmapOptions {
  /** Source tokens, one per column (`srcLen` of them). */
  sourceTokens: readonly Token[];
  /** Target tokens, one per row (`tgtLen` of them). */
  targetTokens: readonly Token[];
  /** Chart title. Default: none. */
  title?: string;
  /** Side of one cell in pixels. Default 20: token labels of 10 px font stay readable. */
  cellSize?: number;
  /**
   * Colour scheme name from Vega's sequential schemes. Default `'blues'`: zero weight is white,
   * so the background and unattended cells read the same.
   */
  scheme?: string;
  /**
   * Colour domain. Default `[0, max weight]`: starting at zero keeps "no attention" white even
   * when every weight is small (long sources spread weights thin).
   */
  colorDomain?: readonly [number, number];
}

/** One panel of a heatmap grid: a matrix with its own tokens and title. */
export interface AttentionPanel extends AttentionHeatmapOptions {
  weights: AttentionWeights;
}

export interface AttentionGridOptions {
  /** Panels per row. Default 2: two source sentences side by side still fit a notebook. */
  columns?: number;
  /** Title over the whole grid. Default: none. */
  title?: string;
  /**
   * `'shared'` gives all panels one colour scale, so weights compare across panels (several
   * heads or attention kinds on one input); `'independent'` gives each panel its own. Default
   * `'shared'`.
   */
  colorScale?: 'shared' | 'independent';
}

/** One row of the chart's data: a single cell. */
interface Cell {
  row: number;
  col: number;
  target: string;
  source: string;
  weight: number;
}

const schema = 'https://vega.github.io/schema/vega-lite/v5.json';

/** A Vega-Lite spec of one attention matrix: rows are target tokens, columns source tokens. */
export function attentionHeatmap(
  weights: AttentionWeights,
  options: AttentionHeatmapOptions,
): TopLevelSpec {
  const matrix = readMatrix(weights, 'weights');
  return {
    $schema: schema,
    ...heatmapUnit(matrix, options ?? ({} as AttentionHeatmapOptions), ''),
  } as TopLevelSpec;
}

/** Several heatmaps in a grid (several examples, heads or attention kinds), one per panel. */
export function attentionHeatmapGrid(
  panels: readonly AttentionPanel[],
  options: AttentionGridOptions = {},
): TopLevelSpec {
  if (!Array.isArray(panels) || panels.length === 0) {
    throw invalidArgument('panels', panels, 'a non-empty array of {weights, sourceTokens, ...}');
  }
  const columns = options.columns ?? 2;
  if (!Number.isInteger(columns) || columns < 1) {
    throw invalidArgument('columns', columns, 'a positive integer');
  }
  const colorScale = options.colorScale ?? 'shared';
  if (colorScale !== 'shared' && colorScale !== 'independent') {
    throw invalidArgument('colorScale', colorScale, "'shared' or 'independent'");
  }
  const matrices = panels.map((panel, i) => readMatrix(panel?.weights, `panels[${i}].weights`));
  // With a shared scale the default domain must cover every panel, so it is set once here.
  const shared: [number, number] = [
    Math.min(0, ...matrices.map((m) => extent(m)[0])),
    Math.max(...matrices.map((m) => extent(m)[1])) || 1,
  ];
  return {
    $schema: schema,
    ...(options.title === undefined ? {} : { title: options.title }),
    columns,
    concat: matrices.map((matrix, i) => {
      const panel = panels[i]!;
      const colorDomain = panel.colorDomain ?? (colorScale === 'shared' ? shared : undefined);
      return heatmapUnit(matrix, { ...panel, colorDomain }, `panels[${i}].`);
    }),
    resolve: { scale: { color: colorScale }, legend: { color: colorScale } },
  } as TopLevelSpec;
}

/** The unit spec of one checked matrix (no `$schema`), so grids can concatenate them. */
function heatmapUnit(matrix: number[][], options: AttentionHeatmapOptions, prefix: string) {
  const tgtLen = matrix.length;
  const srcLen = matrix[0]!.length;
  const targetTokens = checkTokens(options.targetTokens, `${prefix}targetTokens`, tgtLen, 'rows');
  const sourceTokens = checkTokens(
    options.sourceTokens,
    `${prefix}sourceTokens`,
    srcLen,
    'columns',
  );
  const cellSize = options.cellSize ?? 20;
  if (!(Number.isFinite(cellSize) && cellSize > 0)) {
    throw invalidArgument(`${prefix}cellSize`, cellSize, 'a positive number of pixels');
  }
  const values: Cell[] = [];
  for (let row = 0; row < tgtLen; row++) {
    for (let col = 0; col < srcLen; col++) {
      values.push({
        row,
        col,
        target: targetTokens[row]!,
        source: sourceTokens[col]!,
        weight: matrix[row]![col]!,
      });
    }
  }
  const [low, high] = extent(matrix);
  const domain = options.colorDomain ?? [Math.min(0, low), high || 1];
  return {
    ...(options.title === undefined ? {} : { title: options.title }),
    data: { values },
    width: { step: cellSize },
    height: { step: cellSize },
    // The SVG's aria-label of each cell (screen readers, and tests) says what the tooltip says.
    transform: [
      {
        calculate:
          "'target: ' + datum.target + '; source: ' + datum.source + '; weight: ' + format(datum.weight, '.3f')",
        as: 'description',
      },
    ],
    mark: { type: 'rect' },
    encoding: {
      x: {
        field: 'col',
        type: 'ordinal',
        title: 'source',
        axis: { labelExpr: lookup(sourceTokens), labelAngle: -45, labelAlign: 'right' },
      },
      y: {
        field: 'row',
        type: 'ordinal',
        title: 'target',
        axis: { labelExpr: lookup(targetTokens) },
      },
      color: {
        field: 'weight',
        type: 'quantitative',
        title: 'weight',
        scale: { scheme: options.scheme ?? 'blues', domain: [...domain] },
      },
      description: { field: 'description', type: 'nominal' },
      tooltip: [
        { field: 'target', type: 'nominal', title: 'target' },
        { field: 'source', type: 'nominal', title: 'source' },
        { field: 'weight', type: 'quantitative', title: 'weight', format: '.3f' },
      ],
    },
  };
}

/** A Vega expression mapping an axis position to its token: `["le","chat"][datum.value]`. */
function lookup(tokens: readonly string[]): string {
  // JSON string literals are valid Vega expression literals, so any token text is escaped safely.
  return `${JSON.stringify(tokens)}[datum.value]`;
}

/** Reads nested arrays or a rank-2 tensor (once, without disposing it) into checked rows. */
export function readMatrix(weights: AttentionWeights, name: string): number[][] {
  let rows: unknown = weights;
  if (isTensorLike(weights)) {
    if (weights.shape.length !== 2) {
      throw invalidArgument(`${name}.shape`, weights.shape, 'rank 2: [tgtLen, srcLen]');
    }
    rows = weights.arraySync(); // [tgtLen, srcLen]
  }
  if (!Array.isArray(rows)) {
    throw invalidArgument(name, weights, 'a number[][] or a tf.Tensor2D of shape [tgtLen, srcLen]');
  }
  if (rows.length === 0 || !Array.isArray(rows[0]) || rows[0].length === 0) {
    throw emptyWeights(name);
  }
  const srcLen = (rows[0] as unknown[]).length;
  return rows.map((row: unknown, i) => {
    if (!Array.isArray(row)) throw invalidArgument(`${name}[${i}]`, row, 'an array of numbers');
    if (row.length !== srcLen) throw raggedWeights(name, i, row.length, srcLen);
    row.forEach((w: unknown, j) => {
      if (typeof w !== 'number' || !Number.isFinite(w)) throw nonFiniteWeight(name, i, j, w);
    });
    return row as number[];
  });
}

function isTensorLike(value: unknown): value is MatrixTensorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as MatrixTensorLike).arraySync === 'function' &&
    Array.isArray((value as MatrixTensorLike).shape)
  );
}

/** Token labels as text, checked against the matrix side they label (`dimension`, in words). */
export function checkTokens(
  tokens: readonly Token[] | undefined,
  name: string,
  expected: number,
  dimension: string,
): string[] {
  if (!Array.isArray(tokens)) throw invalidArgument(name, tokens, 'an array of tokens');
  if (tokens.length !== expected)
    throw tokenCountMismatch(name, tokens.length, expected, dimension);
  return tokens.map(String);
}

/** Smallest and largest weight, by loop: a spread of 50,000 cells would strain the stack. */
function extent(matrix: readonly (readonly number[])[]): [number, number] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const row of matrix) {
    for (const w of row) {
      if (w < low) low = w;
      if (w > high) high = w;
    }
  }
  return [low, high];
}
