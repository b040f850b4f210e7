/**
 * A `tf.io.IOHandler` for a directory on disk, so models save and load on any backend without
 * `@tensorflow/tfjs-node` (whose `file://` handler is not installable here):
 *
 *   await model.save(fileHandler('out/model'));          // writes model.json + weights.bin
 *   const model = await tf.loadLayersModel(fileHandler('out/model'));
 *
 * The files are the TF.js layers format (what `tensorflowjs_converter` and tfjs-node write), with
 * one extra top-level field, `encdec: { weightsBytes, weightsSha256 }`, which loading checks.
 * They are written as one whole save (`writeSave`): the directory holds them in a save folder
 * named by a manifest, so a load never pairs one save's model.json with another's weights.bin.
 */
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cannotLoad, cannotSave } from '../errors.js';
import { parseJsonFile } from './json-file.js';
import { readSave, type SavedFiles, writeSave } from './save-dir.js';
import { sha256 } from './save-format.js';

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
    save: async (artifacts) => {
      await writeSave(root, modelFiles(root, artifacts));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: async () => modelArtifacts(await readSave(root, [MODEL_FILE, WEIGHTS_FILE])),
  };
}

/** model.json and weights.bin for `artifacts`, to save into `dir` (named in errors). */
export function modelFiles(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
): Record<string, string | Uint8Array> {
  const modelPath = join(dir, MODEL_FILE);
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
  let text: string;
  try {
    text = JSON.stringify(modelJson);
  } catch (error) {
    throw cannotSave(modelPath, error instanceof Error ? error.message : String(error));
  }
  return { [MODEL_FILE]: text, [WEIGHTS_FILE]: weights };
}

/**
 * The model that model.json and weights.bin of one save describe. `saveAgain`: what the error of
 * a damaged save tells the user to do (how the caller's kind of model is saved).
 */
export async function modelArtifacts(
  saved: SavedFiles,
  saveAgain = 'Save the model again with model.save(fileHandler(dir)).',
): Promise<tf.io.ModelArtifacts> {
  const modelPath = join(saved.folder, MODEL_FILE);
  const text = saved.files.get(MODEL_FILE);
  if (text === undefined) {
    throw cannotLoad(modelPath, 'the file does not exist', `Check the directory. ${saveAgain}`);
  }
  const json = parseJsonFile<Partial<tf.io.ModelJSON> & { encdec?: WeightsCheck }>(
    modelPath,
    new TextDecoder().decode(text),
  );
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
    checkSpecs(modelPath, specs, saveAgain);
    const names = manifest.flatMap((group) => group.paths.map((p) => p.replace(/^\.\//, '')));
    const parts = names.map((name) => {
      const bytes = saved.files.get(name);
      if (bytes === undefined) {
        const remedy = `Keep ${WEIGHTS_FILE} next to ${MODEL_FILE}, or save the model again.`;
        throw cannotLoad(join(saved.folder, name), 'the file does not exist', remedy);
      }
      return bytes;
    });
    const weights = concat(parts);
    const paths = names.map((name) => join(saved.folder, name));
    // A manifest's SHA-256 already covered weights.bin: hashing it again would only cost time.
    const check = saved.checked ? undefined : json.encdec;
    checkWeights(paths.join(', '), weights, specs, check, saveAgain);
    return [specs, weights.buffer as ArrayBuffer];
  });
}

/** Throws when a weight's entry in model.json has a dtype or shape TF.js cannot decode. */
function checkSpecs(path: string, specs: tf.io.WeightsManifestEntry[], saveAgain: string): void {
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    if (!(dtype in BYTES_PER_ELEMENT)) {
      throw cannotLoad(
        path,
        `weight ${JSON.stringify(spec.name)} has dtype ${JSON.stringify(dtype)}, which is not one of ` +
          `the numeric dtypes TF.js stores weights in (${Object.keys(BYTES_PER_ELEMENT).join(', ')})`,
        saveAgain,
      );
    }
    const shape: unknown = spec.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw cannotLoad(
        path,
        `weight ${JSON.stringify(spec.name)} has shape ${JSON.stringify(shape)}, not a list of sizes`,
        saveAgain,
      );
    }
  }
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
  if (expected !== weights.byteLength) {
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

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Total bytes of the weights in `specs` (checked by `checkSpecs`). */
function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const spec of specs) {
    const size = BYTES_PER_ELEMENT[spec.quantization?.dtype ?? spec.dtype]!;
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
