/**
 * Multi-head attention of one example, one heatmap per head: the weights `[heads, tgtLen, srcLen]`
 * that a Transformer's attention returns per example (Vaswani et al. 2017, sec. 3.2.2), drawn as
 * a grid of panels titled "head 1" .. "head H" on one colour scale from 0 to 1, so heads compare.
 *
 * Each panel is the plain attention heatmap (`attentionHeatmapGrid`), so axes, tooltips and cell
 * labels read the same as in the single-matrix chart.
 */

import type { TopLevelSpec } from 'vega-lite';
import {
  type AttentionHeatmapOptions,
  type AttentionPanel,
  attentionHeatmapGrid,
  checkTokens,
  type MatrixTensorLike,
  readMatrix,
} from './attention-heatmap.js';
import { emptyInput, invalidArgument, raggedHeads } from './errors.js';

/** Per-head weights `[heads, tgtLen, srcLen]`: nested arrays or a rank-3 tensor. */
export type HeadWeights = readonly (readonly (readonly number[])[])[] | MatrixTensorLike;

/**
 * The heatmap's options but the colour domain, which is [0, 1] for every head; `title` goes over
 * the whole grid.
 */
export interface AttentionHeadsOptions extends Omit<AttentionHeatmapOptions, 'colorDomain'> {
  /** Panels per row. Default 4: four heads of a short sentence fit a notebook's width. */
  columns?: number;
}

/** A grid of attention heatmaps, one per head, sharing one colour scale over [0, 1]. */
export function attentionHeads(weights: HeadWeights, options: AttentionHeadsOptions): TopLevelSpec {
  const heads = readHeads(weights);
  const tgtLen = heads[0]!.length;
  const srcLen = heads[0]![0]!.length;
  const opts = options ?? ({} as AttentionHeadsOptions);
  // Checked here, so an error names `sourceTokens`, not the first panel's copy of it.
  checkTokens(opts.sourceTokens, 'sourceTokens', srcLen, 'columns');
  checkTokens(opts.targetTokens, 'targetTokens', tgtLen, 'rows');
  const panels: AttentionPanel[] = heads.map((matrix, h) => ({
    weights: matrix,
    sourceTokens: opts.sourceTokens,
    targetTokens: opts.targetTokens,
    title: `head ${h + 1}`,
    colorDomain: [0, 1], // softmax weights: the full range, the same for every head
    ...(opts.cellSize === undefined ? {} : { cellSize: opts.cellSize }),
    ...(opts.scheme === undefined ? {} : { scheme: opts.scheme }),
  }));
  return attentionHeatmapGrid(panels, {
    columns: opts.columns ?? 4,
    colorScale: 'shared',
    ...(opts.title === undefined ? {} : { title: opts.title }),
  });
}

/** Reads nested arrays or a rank-3 tensor into checked `[tgtLen, srcLen]` matrices, one per head. */
function readHeads(weights: HeadWeights): number[][][] {
  let heads: unknown = weights;
  if (!Array.isArray(weights) && typeof (weights as MatrixTensorLike)?.arraySync === 'function') {
    const shape = (weights as MatrixTensorLike).shape;
    if (shape.length !== 3) {
      throw invalidArgument('weights.shape', shape, 'rank 3: [heads, tgtLen, srcLen]');
    }
    heads = (weights as MatrixTensorLike).arraySync(); // [heads, tgtLen, srcLen]
  }
  if (!Array.isArray(heads)) {
    throw invalidArgument(
      'weights',
      weights,
      'a number[][][] or a tf.Tensor3D of shape [heads, tgtLen, srcLen]',
    );
  }
  if (heads.length === 0) throw emptyInput('weights', 'heads');
  const matrices = heads.map((head, h) => readMatrix(head, `weights[${h}]`));
  const rows = matrices[0]!.length;
  const cols = matrices[0]![0]!.length;
  matrices.forEach((m, h) => {
    if (m.length !== rows || m[0]!.length !== cols) {
      throw raggedHeads(h, [m.length, m[0]!.length], [rows, cols]);
    }
  });
  return matrices;
}
