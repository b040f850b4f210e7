/**
 * `@encdec/viz`: Vega-Lite charts for encoder-decoder models. Each chart function returns a plain
 * Vega-Lite v5 spec; `show` puts one in a tslab notebook, `renderSvg`/`renderPng`/`saveChart`
 * turn one into an image or a file, headless.
 */

export {
  type AttentionGridOptions,
  type AttentionHeatmapOptions,
  type AttentionPanel,
  type AttentionWeights,
  attentionHeatmap,
  attentionHeatmapGrid,
  type MatrixTensorLike,
  type Token,
} from './attention-heatmap.js';
export { type AttentionHeadsOptions, attentionHeads, type HeadWeights } from './attention-heads.js';
export {
  type BeamCandidatesOptions,
  type BeamHypothesisLike,
  beamCandidates,
  type IdToToken,
} from './beam-candidates.js';
export {
  type DisplayLike,
  type ShowAs,
  type ShowOptions,
  show,
  vegaLiteMimeType,
} from './display.js';
export { VizError } from './errors.js';
export { type LengthHistogramOptions, lengthHistogram } from './length-histogram.js';
export {
  type CallbackLogs,
  type LiveDrawStats,
  type LiveTrainingCurves,
  type LiveTrainingCurvesOptions,
  liveTrainingCurves,
} from './live-training-curves.js';
export { type PositionalEncodingOptions, positionalEncoding } from './positional-encoding.js';
export {
  chartHtml,
  type HtmlOptions,
  type PngOptions,
  renderPng,
  renderSvg,
  svgToPng,
  toVega,
} from './render.js';
export {
  type LengthBucketLike,
  type ScoresByLengthChartOptions,
  scoresByLengthChart,
} from './scores-by-length.js';
export { type ChartFormat, chartFormats, type SaveChartOptions, saveChart } from './save-chart.js';
export type { CurveRow, FitRecord, HistoryLike, TrainingHistory } from './curve-points.js';
export { type TrainingCurvesOptions, trainingCurves } from './training-curves.js';
