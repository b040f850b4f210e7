/**
 * `@encdec/core`: the public API, what a learner or a script imports. Sections follow the
 * package's folders. The plumbing that `@encdec/viz`, the scripts and the tests share (atomic
 * file writes, file names of a save, download helpers, the loss's internals) is in the secondary
 * entry `@encdec/core/internal` (internal.ts), which makes no promise of stability.
 */

export { EncdecError } from './errors.js';

// --- backend --------------------------------------------------------------------------------------
// Registers encdec's TF.js kernels (a side effect; it switches no backend).
import './backend/kernels/register.js';

export { BACKEND_NAMES, type BackendName, isBackendName } from './backend/backend-name.js';
export {
  BACKEND_ENV_VAR,
  type BackendChoice,
  type InitBackendConfig,
  initBackend,
} from './backend/init-backend.js';

// --- preprocess -----------------------------------------------------------------------------------
export { padSequences, padSequencesFlat } from './preprocess/pad-sequences.js';
export type {
  PadDtype,
  PadSequencesOptions,
  PadSide,
  PaddedSequences,
} from './preprocess/pad-sequences.js';
export { KERAS_FILTERS, textToWordSequence } from './preprocess/text-to-word-sequence.js';
export type { TextToWordSequenceOptions } from './preprocess/text-to-word-sequence.js';
export { Tokenizer } from './preprocess/tokenizer.js';
export type { TokenizerOptions, TokenizerText } from './preprocess/tokenizer.js';
export type { KerasTokenizerConfig, KerasTokenizerJson } from './preprocess/tokenizer-json.js';
export { Vocabulary } from './preprocess/vocabulary.js';
export type { DecodeOptions, EncodeOptions, VocabularyOptions } from './preprocess/vocabulary.js';

// --- datasets -------------------------------------------------------------------------------------
export {
  SEQUENCE_TASKS,
  type SequenceTask,
  type SequenceTaskData,
  type SequenceTaskOptions,
  sequenceTask,
  TASK_END_ID,
  TASK_PAD_ID,
  TASK_START_ID,
} from './datasets/synthetic.js';
export { type SequenceWindowsOptions, sequenceWindows } from './datasets/windows.js';
export {
  IMDB_SOURCES,
  type ImdbData,
  type ImdbSource,
  type ImdbSplit,
  isImdbSource,
  type LoadImdbOptions,
  loadImdb,
} from './datasets/imdb.js';
export { type LoadImdbTextOptions, loadImdbText } from './datasets/imdb-text.js';
export type { ImdbReview, ImdbSplitName } from './datasets/acl-imdb.js';
export { getImdbWordIndex, type ImdbWordIndexOptions } from './datasets/word-index.js';
export { tokenizeImdb } from './datasets/imdb-tokenize.js';
export type { ImdbLocationOptions } from './datasets/imdb-files.js';
export type { DatasetProgress } from './datasets/download.js';

// --- attention ------------------------------------------------------------------------------------
export {
  type AttentionOptions,
  type AttentionResult,
  attention,
  scaledDotProductAttention,
} from './attention/attention.js';
export { ATTENTION_KINDS, type AttentionKind, isAttentionKind } from './attention/kinds.js';
export { MASK_VALUE, maskedSoftmax } from './attention/masked-softmax.js';
export { type AttentionParams, attentionScores } from './attention/scores.js';
export {
  causalMask,
  type MultiHeadOptions,
  type MultiHeadParams,
  type MultiHeadResult,
  multiHeadAttention,
} from './attention/multi-head.js';
export { sinusoidalPositions } from './attention/positional.js';
export {
  AttentionLayer,
  type AttentionLayerArgs,
  createAttentionLayer,
} from './layers/attention-layer.js';
export {
  createMultiHeadAttentionLayer,
  MultiHeadAttentionLayer,
  type MultiHeadAttentionLayerArgs,
} from './layers/multi-head-attention-layer.js';
export {
  TransformerBlockLayer,
  type TransformerBlockLayerArgs,
} from './layers/transformer-block-layer.js';
export {
  TransformerDecoderLayer,
  type TransformerDecoderLayerArgs,
} from './layers/transformer-decoder-layer.js';
export {
  TransformerEmbeddingLayer,
  type TransformerEmbeddingLayerArgs,
} from './layers/transformer-embedding-layer.js';
export {
  TransformerEncoderLayer,
  type TransformerEncoderLayerArgs,
} from './layers/transformer-encoder-layer.js';
export {
  isPositionalEncoding,
  POSITIONAL_ENCODINGS,
  type PositionalEncoding,
  PositionalEncodingLayer,
  type PositionalEncodingLayerArgs,
} from './layers/positional-encoding-layer.js';

// --- recurrent layers (one op per sequence; notebook 02 builds them directly) --------------------
export { FusedGru, type FusedGruArgs, fusedGru } from './fused/fused-gru.js';
export { GATE_ACTIVATIONS, type GateActivation } from './fused/loop-types.js';
export { FusedLstm, type FusedLstmArgs, fusedLstm } from './fused/fused-lstm.js';
export {
  FusedSimpleRnn,
  type FusedSimpleRnnArgs,
  fusedSimpleRnn,
} from './fused/fused-simple-rnn.js';

// --- models --------------------------------------------------------------------------------------
export {
  type ClassifierFitOptions,
  createSequenceClassifier,
  type Pooling,
  POOLINGS,
  SequenceClassifier,
  type SequenceClassifierConfig,
} from './classifier/sequence-classifier.js';
export {
  CELL_KINDS,
  type CellKind,
  type DecoderAttention,
  type DecoderConfig,
  type EncoderConfig,
  type GateConfig,
  isCellKind,
  MODEL_KINDS,
  type ModelKind,
  type ResolvedDecoderConfig,
  type ResolvedEncoderConfig,
  type ResolvedSeq2SeqConfig,
  type Seq2SeqConfig,
} from './model/config.js';
export {
  NORM_PLACEMENTS,
  type NormPlacement,
  type ResolvedTransformerDecoderConfig,
  type ResolvedTransformerEncoderConfig,
  type TransformerDecoderConfig,
  type TransformerEncoderConfig,
  type TransformerSizes,
} from './model/transformer-config.js';
export {
  createDecoder,
  type Decoder,
  type DecoderMemory,
  type DecoderOutputs,
  type Seq2SeqDecoder,
} from './model/decoder.js';
export type { RecurrentState } from './model/step.js';
export type { AnyDecoder, Seq2SeqEncoder } from './model/seq2seq-parts.js';
export type {
  BlockOptions,
  DecoderLayerParams,
  EncoderLayerParams,
  FeedForwardParams,
  LayerNormParams,
} from './model/transformer-blocks.js';
export type {
  TransformerDecoder,
  TransformerLayerState,
  TransformerState,
} from './model/transformer-decoder.js';
export type { TransformerEncoder } from './model/transformer-encoder.js';
export { createEncoder, type Encoder, type EncoderOutputs } from './model/encoder.js';
export {
  createDecodePool,
  DecodePool,
  type DecodePoolOptions,
} from './pool/decode-pool.js';
export type { TokenInput } from './model/inputs.js';
export { loadSeq2Seq } from './save/load-seq2seq.js';
export {
  createKerasExampleModel,
  type KerasExampleOptions,
  kerasExampleConfig,
} from './model/presets.js';
export {
  createSeq2Seq,
  type ForwardResult,
  Seq2Seq,
  type Seq2SeqFitOptions,
  type Seq2SeqInputs,
  type Seq2SeqOptions,
  type Seq2SeqState,
} from './model/seq2seq.js';
export { type PrintFn, printSummary } from './model/summary.js';
export { shiftRight } from './preprocess/teacher-forcing.js';
export type {
  Seq2SeqVocabulary,
  Seq2SeqVocabularyInput,
  VocabularyData,
  VocabularyInput,
} from './model/seq2seq-vocabulary.js';

// --- train ----------------------------------------------------------------------------------------
export type {
  ConstantSchedule,
  LearningRateSchedule,
  ResolvedLearningRateSchedule,
  WarmupSchedule,
} from './train/learning-rate-schedule.js';
export { type AdamConfig, OPTIMIZERS, type OptimizerName } from './train/optimizer.js';
export {
  type Callback,
  type EarlyStoppingOptions,
  earlyStopping,
  type History,
  type Logs,
  type ModelCheckpointOptions,
  type MonitorOptions,
  modelCheckpoint,
  type TrainingControl,
} from './train/callbacks.js';
export type { Dataset } from './train/dataset.js';
export { evaluateLoop } from './train/evaluate.js';
export { type FitLoopOptions, fitLoop, type TrainOptions } from './train/fit.js';
export type { Trainable } from './train/trainable.js';
export {
  getLearningRate,
  type ReduceLrOnPlateauOptions,
  reduceLrOnPlateau,
  setLearningRate,
} from './train/reduce-lr-on-plateau.js';
export { maskedCorrect, maskedCrossEntropy } from './train/loss.js';

// --- saving ---------------------------------------------------------------------------------------
export { currentSave } from './io/save-dir.js';

// --- search ---------------------------------------------------------------------------------------
export { type BeamOptions, beamSearch } from './search/beam.js';
export { type GreedyOptions, greedySearch } from './search/greedy.js';
export {
  isLengthNormalization,
  LENGTH_NORMALIZATIONS,
  type LengthNormalization,
} from './search/length-penalty.js';
export { type SampleOptions, sampleSearch } from './search/sampling.js';
export type {
  Hypothesis,
  ScoredHypothesis,
  SearchOptions,
  StepFn,
  StepOutput,
} from './search/types.js';

// --- metrics --------------------------------------------------------------------------------------
export { type AccuracyOptions, exactMatch, tokenAccuracy } from './metrics/accuracy.js';
export {
  BLEU_SMOOTHINGS,
  type BleuOptions,
  type BleuResult,
  type BleuSmoothing,
  corpusBleu,
  isBleuSmoothing,
  sentenceBleu,
} from './metrics/bleu.js';
export {
  type LengthBucketScores,
  type ScoresByLengthOptions,
  scoresByLength,
} from './metrics/by-length.js';
export { type PerplexityOptions, perplexity, perplexityFromNll } from './metrics/perplexity.js';
