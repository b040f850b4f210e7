/**
 * `saveModel` / `loadModel`: a layers model to and from a directory (model.json + weights.bin,
 * see `fileHandler`), with errors that name the files.
 */
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cannotLoad } from '../errors.js';
import { fileHandler, MODEL_FILE, modelArtifacts, WEIGHTS_FILE } from './file-handler.js';
import { readSave } from './save-dir.js';

/** Saves `model` into `dir` (created if missing), replacing any model there atomically. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return model.save(fileHandler(dir));
}

/**
 * Loads the model saved in `dir`. Custom layers must be registered first: importing
 * `@encdec/core` registers its own.
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const saved = await readSave(resolve(dir.replace(/^file:\/\//, '')), [MODEL_FILE, WEIGHTS_FILE]);
  const artifacts = await modelArtifacts(saved);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    // TF.js rejected the topology or the weights (an unknown layer class, a weight with no
    // matching variable, a shape mismatch): the files do not describe one consistent model.
    const reason = error instanceof Error ? error.message : String(error);
    throw cannotLoad(
      join(saved.folder, MODEL_FILE),
      `TF.js cannot build the model it describes (${reason})`,
      'If it uses custom layers, import the package that registers them; otherwise save the model again.',
    );
  }
}
