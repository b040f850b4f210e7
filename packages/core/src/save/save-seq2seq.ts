/**
 * A seq2seq model on disk: one directory holding one whole save (`writeSave`), whose files are
 *   model.json + weights.bin    the Keras-equivalent model (`fileHandler`'s files)
 *   encdec-seq2seq.json         { format, version, config, vocabulary, history, optimizer }
 *   optimizer.bin               the optimizer's state (Adam's moments), described by "optimizer"
 * A load reads all of them from the same save, each checked against the SHA-256 recorded when it
 * was saved: a file edited since (a sidecar's attention kind, say) fails the load by name.
 *
 * model.json also loads with plain `tf.loadLayersModel(fileHandler(dir))` (`fileHandler` is in
 * `@encdec/core/internal`; importing `@encdec/core` registers the custom layers), but such a model lacks `guardExecutorKwargs`: with
 * attention, TF.js 4.22's executor then fails in `predict` (see model/executor-kwargs.ts).
 * `loadSeq2Seq` (load-seq2seq.ts) is the supported way back.
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { modelFiles } from '../io/file-handler.js';
import { writeSave } from '../io/save-dir.js';
import type { ResolvedSeq2SeqConfig } from '../model/config.js';
import type { Seq2SeqVocabulary } from '../model/seq2seq-vocabulary.js';
import { withoutWarnings } from '../quiet-warnings.js';
import type { History } from '../train/callbacks.js';
import { type EncodedOptimizerState, encodeOptimizerState } from './optimizer-state.js';

/** The sidecar file beside model.json. */
export const SEQ2SEQ_FILE = 'encdec-seq2seq.json';
/** The optimizer's state beside weights.bin. */
export const OPTIMIZER_FILE = 'optimizer.bin';
export const FORMAT = 'encdec-seq2seq';
/** Version 2 added the optimizer state; version 1 (without it) still loads. */
export const VERSION = 2;

export interface SavedSeq2Seq {
  format: typeof FORMAT;
  version: number;
  config: ResolvedSeq2SeqConfig;
  vocabulary?: Seq2SeqVocabulary;
  history: History;
  optimizer?: Omit<EncodedOptimizerState, 'data'>;
}

/**
 * The parts of a Seq2Seq (model/seq2seq.ts) a save reads. Written out here, not imported, so that
 * seq2seq.ts can import this file without an import cycle.
 */
export interface SaveableSeq2Seq {
  readonly model: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  readonly config: ResolvedSeq2SeqConfig;
  readonly vocabulary: Seq2SeqVocabulary | undefined;
  readonly history: History;
}

/** Writes `seq2seq` into `dir` (created if missing) as one whole save; see the file comment. */
export async function saveSeq2Seq(seq2seq: SaveableSeq2Seq, dir: string): Promise<void> {
  const root = resolve(dir.replace(/^file:\/\//, ''));
  // The decoder's recurrent layer got its initial states as call arguments; TF.js saves them as
  // the layer's inbound inputs and warns that it cannot also serialize the argument object.
  const harmless = /^Layer \S+ was passed non-serializable keyword arguments/;
  let artifacts: tf.io.ModelArtifacts | undefined;
  await withoutWarnings(
    (text) => harmless.test(text),
    () =>
      seq2seq.model.save(
        tf.io.withSaveHandler(async (modelArtifacts) => {
          artifacts = modelArtifacts;
          return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(modelArtifacts) };
        }),
      ),
  );
  const { data: optimizerData, ...optimizer } = await encodeOptimizerState(seq2seq.optimizer);
  const saved: SavedSeq2Seq = {
    format: FORMAT,
    version: VERSION,
    config: seq2seq.config,
    ...(seq2seq.vocabulary ? { vocabulary: seq2seq.vocabulary } : {}),
    history: seq2seq.history,
    optimizer,
  };
  await writeSave(root, {
    ...modelFiles(root, artifacts!),
    [SEQ2SEQ_FILE]: `${JSON.stringify(saved, null, 2)}\n`,
    [OPTIMIZER_FILE]: optimizerData,
  });
}
