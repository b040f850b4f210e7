/**
 * `@encdec/core/internal`: what `@encdec/viz`, the project's scripts, benchmarks and tests share
 * beyond the public API (index.ts). No promise of stability: names here may change in any
 * release. A learner or a script should not need anything from here.
 */
import './backend/kernels/register.js';

// --- model: the Transformer's blocks as functions of their weights ------------------------------
export type { MultiHeadParams } from './attention/multi-head.js';
// --- attention: the steps of multi-head attention ------------------------------------------------
export {
  attendHeads,
  type HeadsResult,
  mergeHeads,
  splitHeads,
} from './attention/multi-head.js';
// --- datasets: downloads and checksums ------------------------------------------------------------
export { defaultCacheDir } from './datasets/cache-dir.js';
export type { Checksum, ChecksumAlgorithm } from './datasets/checksum.js';
export { type DownloadOptions, downloadFile } from './datasets/download.js';
export { show as showValue } from './errors.js';
// --- saving: the files of a save ------------------------------------------------------------------
export { type FileData, writeFileAtomic, writeFileAtomicSync } from './io/atomic-write.js';
export { fileHandler, MODEL_FILE, WEIGHTS_FILE } from './io/file-handler.js';
export { loadJson, saveJson } from './io/json-file.js';
export { loadModel, saveModel } from './io/model-files.js';
export { SAVE_MANIFEST_FILE } from './io/save-format.js';
// --- layers ---------------------------------------------------------------------------------------
export { SourceMaskLayer, type SourceMaskLayerArgs } from './layers/source-mask-layer.js';
export {
  type BlockOptions,
  type DecoderLayerParams,
  decoderLayer,
  type EncoderLayerParams,
  encoderLayer,
  type FeedForwardParams,
  feedForward,
  type KeyValues,
  LAYER_NORM_EPSILON,
  type LayerNormParams,
  layerNorm,
  projectKeyValues,
} from './model/transformer-blocks.js';
export { OPTIMIZER_FILE, SEQ2SEQ_FILE } from './save/save-seq2seq.js';
export {
  learningRateOf,
  type ResolvedLearningRateSchedule,
  resolveLearningRateSchedule,
  scheduledRate,
} from './train/learning-rate-schedule.js';
export {
  type MaskedSums,
  type MaskedTokenSums,
  maskedCrossEntropySums,
  maskedTokenSums,
} from './train/loss.js';
export { formatLogs, progressBar } from './train/progress.js';
// --- training internals ---------------------------------------------------------------------------
export { type BatchSums, tokenObjective } from './train/trainable.js';
