/**
 * A seq2seq model on disk, one directory:
 *   model.json + weights.bin    the Keras-equivalent model (`fileHandler`, atomic writes)
 *   encdec-seq2seq.json         { format, version, config, vocabulary, history } (atomic JSON)
 *
 * Loading rebuilds the model from the saved config (so the encoder and step models exist again),
 * then fills every weight from weights.bin by name, checking names and shapes: weights that do
 * not fit the config fail loudly instead of loading half a model.
 *
 * model.json also loads with plain `tf.loadLayersModel(fileHandler(dir))` (importing
 * `@encdec/core` registers the custom layers), but such a model lacks `guardExecutorKwargs`: with
 * attention, TF.js 4.22's executor then fails in `predict` (see recurrent.ts). `loadSeq2Seq` is
 * the supported way back.
 */
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { savedModelMismatch } from '../errors.js';
import { fileHandler, WEIGHTS_FILE } from '../io/file-handler.js';
import { loadJson, saveJson } from '../io/json-file.js';
import { withoutWarnings } from '../quiet-warnings.js';
import type { History } from '../train/callbacks.js';
import type { ResolvedSeq2SeqConfig } from './config.js';
import { createSeq2Seq, type Seq2Seq } from './seq2seq.js';
import type { Seq2SeqVocabulary } from './vocabulary.js';

/** The sidecar file beside model.json. */
export const SEQ2SEQ_FILE = 'encdec-seq2seq.json';
const FORMAT = 'encdec-seq2seq';
const VERSION = 1;

interface SavedSeq2Seq {
  format: typeof FORMAT;
  version: number;
  config: ResolvedSeq2SeqConfig;
  vocabulary?: Seq2SeqVocabulary;
  history: History;
}

/** Writes `seq2seq` into `dir` (created if missing); see the file comment. */
export async function saveSeq2Seq(seq2seq: Seq2Seq, dir: string): Promise<void> {
  // The decoder's recurrent layer got its initial states as call arguments; TF.js saves them as
  // the layer's inbound inputs and warns that it cannot also serialize the argument object.
  const harmless = /^Layer \S+ was passed non-serializable keyword arguments/;
  await withoutWarnings(
    (text) => harmless.test(text),
    () => seq2seq.model.save(fileHandler(dir)),
  );
  const saved: SavedSeq2Seq = {
    format: FORMAT,
    version: VERSION,
    config: seq2seq.config,
    ...(seq2seq.vocabulary ? { vocabulary: seq2seq.vocabulary } : {}),
    history: seq2seq.history,
  };
  await saveJson(join(dir, SEQ2SEQ_FILE), saved);
}

/** Loads a model saved by `seq2seq.save(dir)`, with its vocabulary and training history. */
export async function loadSeq2Seq(dir: string): Promise<Seq2Seq> {
  const root = resolve(dir.replace(/^file:\/\//, ''));
  const sidecar = join(root, SEQ2SEQ_FILE);
  const saved = await loadJson<Partial<SavedSeq2Seq>>(sidecar);
  if (saved === null || typeof saved !== 'object' || saved.format !== FORMAT) {
    throw savedModelMismatch(
      root,
      `${SEQ2SEQ_FILE} is not an ${FORMAT} file (no "format": "${FORMAT}")`,
    );
  }
  if (saved.version !== VERSION) {
    throw savedModelMismatch(
      root,
      `${SEQ2SEQ_FILE} has version ${saved.version}; this package reads version ${VERSION}`,
    );
  }
  const seq2seq = createSeq2Seq(saved.config!, { vocabulary: saved.vocabulary });
  const artifacts = await fileHandler(root).load!();
  const specs = artifacts.weightSpecs ?? [];
  const stored = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), specs);
  try {
    const values = seq2seq.model.weights.map((w) => {
      const value = stored[w.originalName];
      if (value === undefined) {
        throw savedModelMismatch(
          root,
          `${WEIGHTS_FILE} has no weight "${w.originalName}" that the config in ${SEQ2SEQ_FILE} needs`,
        );
      }
      if (value.shape.join() !== w.shape.join()) {
        throw savedModelMismatch(
          root,
          `weight "${w.originalName}" has shape ${JSON.stringify(value.shape)} in ${WEIGHTS_FILE} but ${JSON.stringify(w.shape)} in the model ${SEQ2SEQ_FILE} describes`,
        );
      }
      return value;
    });
    const expected = new Set(seq2seq.model.weights.map((w) => w.originalName));
    const extra = Object.keys(stored).filter((name) => !expected.has(name));
    if (extra.length > 0) {
      throw savedModelMismatch(
        root,
        `${WEIGHTS_FILE} has weights the config does not describe: ${extra.join(', ')}`,
      );
    }
    seq2seq.model.setWeights(values);
  } catch (error) {
    seq2seq.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(stored));
  }
  if (saved.history) seq2seq.history = saved.history;
  return seq2seq;
}
