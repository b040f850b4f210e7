/**
 * Loads a seq2seq model from the directory `seq2seq.save(dir)` wrote (see save-seq2seq.ts for its
 * files). Loading rebuilds the model from the saved config (so the encoder and step models exist
 * again), then fills every weight from weights.bin by name, checking names, shapes and dtypes:
 * weights that do not fit the config fail loudly instead of loading half a model. The optimizer
 * gets its state back, so `fit` continues as if the model had never left memory.
 */
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cannotLoad, savedModelMismatch } from '../errors.js';
import { MODEL_FILE, modelArtifacts, WEIGHTS_FILE } from '../io/file-handler.js';
import { parseJsonFile } from '../io/json-file.js';
import { readSave } from '../io/save-dir.js';
import type { ResolvedSeq2SeqConfig } from '../model/config.js';
import { createSeq2Seq, type Seq2Seq } from '../model/seq2seq.js';
import {
  type EncodedOptimizerState,
  optimizerStateMismatch,
  restoreOptimizerState,
} from './optimizer-state.js';
import {
  FORMAT,
  OPTIMIZER_FILE,
  type SavedSeq2Seq,
  SEQ2SEQ_FILE,
  VERSION,
} from './save-seq2seq.js';

/** Loads a model saved by `seq2seq.save(dir)`, with its vocabulary, history and optimizer state. */
export async function loadSeq2Seq(dir: string): Promise<Seq2Seq> {
  const root = resolve(dir.replace(/^file:\/\//, ''));
  const files = await readSave(root, [MODEL_FILE, WEIGHTS_FILE, SEQ2SEQ_FILE, OPTIMIZER_FILE]);
  const sidecar = join(files.folder, SEQ2SEQ_FILE);
  const text = files.files.get(SEQ2SEQ_FILE);
  if (text === undefined) {
    throw cannotLoad(sidecar, 'the file does not exist', 'Check the path, or save it first.');
  }
  const saved = parseJsonFile<Partial<SavedSeq2Seq>>(sidecar, new TextDecoder().decode(text));
  if (saved === null || typeof saved !== 'object' || saved.format !== FORMAT) {
    throw savedModelMismatch(
      root,
      `${SEQ2SEQ_FILE} is not an ${FORMAT} file (no "format": "${FORMAT}")`,
    );
  }
  if (saved.version !== VERSION && saved.version !== 1) {
    throw savedModelMismatch(
      root,
      `${SEQ2SEQ_FILE} has version ${saved.version}; this package reads versions 1 and ${VERSION}`,
    );
  }
  const artifacts = await modelArtifacts(files, 'Save the model again with seq2seq.save(dir).');
  const config = saved.version === 1 ? withTfjsGates(saved.config!) : saved.config!;
  const seq2seq = createSeq2Seq(config, { vocabulary: saved.vocabulary });
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
      if (value.dtype !== w.dtype) {
        throw savedModelMismatch(
          root,
          `weight "${w.originalName}" has dtype ${value.dtype} in ${WEIGHTS_FILE} but ${w.dtype} in the model ${SEQ2SEQ_FILE} describes`,
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
  if (saved.optimizer !== undefined) {
    const state = { ...saved.optimizer, data: files.files.get(OPTIMIZER_FILE) };
    const mismatch =
      state.data === undefined
        ? `${OPTIMIZER_FILE}, which ${SEQ2SEQ_FILE} describes, is missing`
        : optimizerStateMismatch(seq2seq.optimizer, state, seq2seq.model.trainableWeights);
    try {
      if (mismatch !== undefined) throw savedModelMismatch(root, mismatch);
      await restoreOptimizerState(seq2seq.optimizer, state as EncodedOptimizerState);
    } catch (error) {
      seq2seq.dispose();
      throw error;
    }
  }
  if (saved.history) seq2seq.history = saved.history;
  return seq2seq;
}

/**
 * A version 1 config as that version built it: its LSTM and GRU gates were TF.js's defaults
 * (hard sigmoid, and the GRU's reset gate before the recurrent product), which it did not record.
 */
function withTfjsGates(config: ResolvedSeq2SeqConfig): ResolvedSeq2SeqConfig {
  const gates = <T extends object>(part: T): T => ({
    recurrentActivation: 'hardSigmoid',
    resetAfter: false,
    ...part,
  });
  return { ...config, encoder: gates(config.encoder), decoder: gates(config.decoder) };
}
