/**
 * A `tf.io.IOHandler` for a directory on disk, so models save and load on any backend without
 * `@tensorflow/tfjs-node` (whose `file://` handler is not installable here):
 *
 *   await model.save(fileHandler('out/model'));          // writes model.json + weights.bin
 *   const model = await tf.loadLayersModel(fileHandler('out/model'));
 *
 * The files are the TF.js layers format (what `tensorflowjs_converter` and tfjs-node write), with
 * one extra top-level field, `encdec: { weightsBytes, weightsSha256 }`, which loading checks.
 *
 * Saving, step by step:
 *   1. Build model.json in memory; hash the weights.
 *   2. Write both files to temporary names in the directory, each flushed to disk.
 *   3. Rename weights.bin, then model.json (model.json last: it is the file a loader opens first).
 * A failure in steps 1-2 leaves the previous model untouched. Between the two renames (a few
 * microseconds) a crash would pair the new weights.bin with the old model.json; loading detects
 * that pair through the SHA-256 and says so, instead of loading wrong weights.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cannotLoad, cannotSave } from '../errors.js';
import { removeQuietly, writeTemp } from './atomic-write.js';
import { describeReadError, parseJsonFile, readTextFile } from './json-file.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** What `encdec` adds to model.json so that loading can check weights.bin. */
interface WeightsCheck {
  weightsBytes: number;
  weightsSha256: string;
}

/** An IOHandler that saves to and loads from `dir` (created on save; `file://` prefix allowed). */
export function fileHandler(dir: string): tf.io.IOHandler {
  const root = resolve(dir.replace(/^file:\/\//, ''));
  return {
    save: (artifacts) => saveArtifacts(root, artifacts),
    load: () => loadArtifacts(root),
  };
}

async function saveArtifacts(
  root: string,
  artifacts: tf.io.ModelArtifacts,
): Promise<tf.io.SaveResult> {
  const modelPath = join(root, MODEL_FILE);
  const weightsPath = join(root, WEIGHTS_FILE);
  // 1. model.json in memory.
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw cannotSave(modelPath, 'a binary (GraphDef) model topology cannot be written as JSON');
  }
  const weights = new Uint8Array(
    artifacts.weightData === undefined
      ? new ArrayBuffer(0)
      : tf.io.CompositeArrayBuffer.join(artifacts.weightData),
  );
  const check: WeightsCheck = { weightsBytes: weights.byteLength, weightsSha256: sha256(weights) };
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
    trainingConfig: artifacts.trainingConfig,
    signature: artifacts.signature,
    userDefinedMetadata: artifacts.userDefinedMetadata,
    modelInitializer: artifacts.modelInitializer,
    initializerSignature: artifacts.initializerSignature,
    encdec: check,
  };
  // 2. Both files under temporary names.
  try {
    await mkdir(root, { recursive: true });
  } catch (error) {
    throw cannotSave(modelPath, describeReadError(error));
  }
  const weightsTemp = await writeTemp(weightsPath, weights);
  let modelTemp: string | undefined;
  try {
    modelTemp = await writeTemp(modelPath, JSON.stringify(modelJson));
    // 3. Commit: weights first, model.json last.
    await rename(weightsTemp, weightsPath);
    await rename(modelTemp, modelPath);
  } catch (error) {
    await removeQuietly(weightsTemp);
    if (modelTemp !== undefined) await removeQuietly(modelTemp);
    throw error instanceof Error && error.name === 'EncdecError'
      ? error
      : cannotSave(modelPath, describeReadError(error));
  }
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

async function loadArtifacts(root: string): Promise<tf.io.ModelArtifacts> {
  const modelPath = join(root, MODEL_FILE);
  const saveAgain = 'Save the model again with model.save(fileHandler(dir)).';
  const text = await readTextFile(
    modelPath,
    'Check the directory, or save a model there with model.save(fileHandler(dir)).',
  );
  const json = parseJsonFile<Partial<tf.io.ModelJSON> & { encdec?: WeightsCheck }>(modelPath, text);
  if (json === null || typeof json !== 'object' || json.modelTopology == null) {
    throw cannotLoad(
      modelPath,
      'it has no "modelTopology", so it is not a TF.js model.json',
      saveAgain,
    );
  }
  if (!Array.isArray(json.weightsManifest)) {
    throw cannotLoad(modelPath, 'it has no "weightsManifest" list', saveAgain);
  }
  return tf.io.getModelArtifactsForJSON(json as tf.io.ModelJSON, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const paths = manifest.flatMap((group) => group.paths.map((p) => join(root, p)));
    const parts: Uint8Array[] = [];
    for (const path of paths) {
      try {
        parts.push(await readFile(path));
      } catch (error) {
        const remedy = `Keep ${WEIGHTS_FILE} next to ${MODEL_FILE}, or save the model again.`;
        throw cannotLoad(path, describeReadError(error), remedy);
      }
    }
    const weights = concat(parts);
    checkWeights(paths.join(', '), weights, specs, json.encdec, saveAgain);
    return [specs, weights.buffer as ArrayBuffer];
  });
}

/** Throws when `weights` cannot be the bytes `specs` describe, or differ from what was saved. */
function checkWeights(
  path: string,
  weights: Uint8Array,
  specs: tf.io.WeightsManifestEntry[],
  check: WeightsCheck | undefined,
  saveAgain: string,
): void {
  const expected = expectedBytes(specs);
  if (expected !== undefined && expected !== weights.byteLength) {
    throw cannotLoad(
      path,
      `it holds ${weights.byteLength} bytes but ${MODEL_FILE} describes ${expected} bytes of weights ` +
        '(the file is truncated, or belongs to a model of another architecture)',
      saveAgain,
    );
  }
  if (check !== undefined && check.weightsSha256 !== sha256(weights)) {
    throw cannotLoad(
      path,
      `its SHA-256 differs from the one ${MODEL_FILE} recorded (the weights belong to another ` +
        'save of the model, or a save was interrupted)',
      saveAgain,
    );
  }
}

/** Total bytes of the weights in `specs`; undefined when a string weight makes it unknowable. */
function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number | undefined {
  const bytesPer: Record<string, number> = {
    float32: 4,
    int32: 4,
    bool: 1,
    complex64: 8,
    uint8: 1,
    uint16: 2,
    float16: 2,
  };
  let total = 0;
  for (const spec of specs) {
    const size = bytesPer[spec.quantization?.dtype ?? spec.dtype];
    if (size === undefined) return undefined;
    total += size * spec.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/** One fresh, unshared buffer holding `parts` end to end (Node pools small Buffers). */
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
