import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileHandler, loadModel, saveModel } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'encdec-file-handler-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(tmp, `model-${n++}`);

/** A small model; `units` changes the architecture (and the size of weights.bin). */
function smallModel(units = 3, seed = 1): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [4],
        units,
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.dense({
        units: 2,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
  return model;
}

function predictions(model: tf.LayersModel): number[] {
  return tf.tidy(() => Array.from((model.predict(tf.ones([2, 4])) as tf.Tensor).dataSync()));
}

describe('fileHandler', () => {
  it('saves model.json + weights.bin and loads the same model back', async () => {
    const dir = freshDir();
    const model = smallModel();
    model.setUserDefinedMetadata({ note: 'kept' });
    const result = await model.save(fileHandler(dir));
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((4 * 3 + 3 + 3 * 2 + 2) * 4);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(json.encdec.weightsBytes).toBe(statSync(join(dir, 'weights.bin')).size);

    const before = tf.memory().numTensors;
    const loaded = await tf.loadLayersModel(fileHandler(`file://${dir}`));
    expect(predictions(loaded)).toEqual(predictions(model));
    expect(loaded.getUserDefinedMetadata()).toEqual({ note: 'kept' });
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('replaces a saved model, leaving no temporary files', async () => {
    const dir = freshDir();
    const first = smallModel(3, 1);
    const second = smallModel(5, 9);
    await first.save(fileHandler(dir));
    await second.save(fileHandler(dir));
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadModel(dir);
    expect(predictions(loaded)).toEqual(predictions(second));
    for (const m of [first, second, loaded]) m.dispose();
  });

  it('a failed save leaves the previous model intact and no temporary files', async () => {
    const dir = freshDir();
    const model = smallModel();
    await saveModel(model, dir);
    const oldJson = readFileSync(join(dir, 'model.json'));
    const oldWeights = readFileSync(join(dir, 'weights.bin'));
    // Capture the artifacts of another model, then make model.json impossible to serialise:
    // the failure comes after weights.bin was written to its temporary file.
    let artifacts: tf.io.ModelArtifacts | undefined;
    const other = smallModel(5, 3);
    await other.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }),
    );
    const broken = { ...artifacts!, userDefinedMetadata: { size: 1n } as never };
    await expect(fileHandler(dir).save!(broken)).rejects.toThrow(
      `Cannot save ${join(dir, 'model.json')}: Do not know how to serialize a BigInt. The previous file (if any) is left unchanged.`,
    );
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    expect(readFileSync(join(dir, 'model.json')).equals(oldJson)).toBe(true);
    expect(readFileSync(join(dir, 'weights.bin')).equals(oldWeights)).toBe(true);
    const loaded = await loadModel(dir);
    expect(predictions(loaded)).toEqual(predictions(model));
    for (const m of [model, other, loaded]) m.dispose();
  });
});

describe('fileHandler errors', () => {
  async function saved(): Promise<string> {
    const dir = freshDir();
    const model = smallModel();
    await model.save(fileHandler(dir));
    model.dispose();
    return dir;
  }

  it('names a missing model.json', async () => {
    const dir = freshDir();
    await expect(loadModel(dir)).rejects.toThrow(
      `Cannot load ${join(dir, 'model.json')}: the file does not exist. Check the directory, or save a model there with model.save(fileHandler(dir)).`,
    );
  });

  it('names a missing weights.bin', async () => {
    const dir = await saved();
    rmSync(join(dir, 'weights.bin'));
    await expect(tf.loadLayersModel(fileHandler(dir))).rejects.toThrow(
      `Cannot load ${join(dir, 'weights.bin')}: the file does not exist. Keep weights.bin next to model.json, or save the model again.`,
    );
  });

  it('names an invalid model.json', async () => {
    const dir = await saved();
    const path = join(dir, 'model.json');
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, 100));
    await expect(loadModel(dir)).rejects.toThrow(
      new RegExp(`^Cannot load ${path}: it is not valid JSON \\(`),
    );
    writeFileSync(path, '{"hello": 1}');
    await expect(loadModel(dir)).rejects.toThrow(
      `Cannot load ${path}: it has no "modelTopology", so it is not a TF.js model.json. Save the model again with model.save(fileHandler(dir)).`,
    );
  });

  it('names a truncated weights.bin', async () => {
    const dir = await saved();
    truncateSync(join(dir, 'weights.bin'), 40);
    await expect(loadModel(dir)).rejects.toThrow(
      `Cannot load ${join(dir, 'weights.bin')}: it holds 40 bytes but model.json describes 92 bytes of weights (the file is truncated, or belongs to a model of another architecture). Save the model again with model.save(fileHandler(dir)).`,
    );
  });

  it('names weights.bin of another architecture', async () => {
    const dir = await saved();
    const otherDir = freshDir();
    const other = smallModel(5);
    await other.save(fileHandler(otherDir));
    other.dispose();
    await copyFile(join(otherDir, 'weights.bin'), join(dir, 'weights.bin'));
    await expect(loadModel(dir)).rejects.toThrow(
      'holds 148 bytes but model.json describes 92 bytes',
    );
  });

  it('names weights.bin of another save of the same architecture', async () => {
    const dir = await saved();
    const otherDir = freshDir();
    const other = smallModel(3, 42);
    await other.save(fileHandler(otherDir));
    other.dispose();
    await copyFile(join(otherDir, 'weights.bin'), join(dir, 'weights.bin'));
    await expect(loadModel(dir)).rejects.toThrow(
      `Cannot load ${join(dir, 'weights.bin')}: its SHA-256 differs from the one model.json recorded`,
    );
  });

  it('loadModel names model.json when TF.js cannot build what it describes', async () => {
    const dir = await saved();
    const path = join(dir, 'model.json');
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll('"Dense"', '"NoSuchLayer"'));
    await expect(loadModel(dir)).rejects.toThrow(
      new RegExp(
        `^Cannot load ${path}: TF.js cannot build the model it describes \\(.*NoSuchLayer.*\\)\\. If it uses custom layers`,
        's',
      ),
    );
  });
});
