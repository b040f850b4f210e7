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
import { basename, join } from 'node:path';
import { currentSave } from '@encdec/core';
import { fileHandler, loadModel, SAVE_MANIFEST_FILE, saveModel } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { toOlderLayout } from './older-layout.js';

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
    const folder = await currentSave(dir);
    expect(readdirSync(dir).sort()).toEqual([SAVE_MANIFEST_FILE, basename(folder)].sort());
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(json.encdec.weightsBytes).toBe(statSync(join(folder, 'weights.bin')).size);

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
    const folder = await currentSave(dir);
    expect(readdirSync(dir).sort()).toEqual([SAVE_MANIFEST_FILE, basename(folder)].sort());
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadModel(dir);
    expect(predictions(loaded)).toEqual(predictions(second));
    for (const m of [first, second, loaded]) m.dispose();
  });

  it('a failed save leaves the previous model intact and no temporary files', async () => {
    const dir = freshDir();
    const model = smallModel();
    await saveModel(model, dir);
    const before = readdirSync(dir).sort();
    const manifest = readFileSync(join(dir, SAVE_MANIFEST_FILE));
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
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync(join(dir, SAVE_MANIFEST_FILE)).equals(manifest)).toBe(true);
    const loaded = await loadModel(dir);
    expect(predictions(loaded)).toEqual(predictions(model));
    for (const m of [model, other, loaded]) m.dispose();
  });
});

describe('fileHandler errors', () => {
  /** A directory holding a saved model, in the layout before manifests (see toOlderLayout). */
  async function saved(): Promise<string> {
    const dir = freshDir();
    const model = smallModel();
    await model.save(fileHandler(dir));
    model.dispose();
    await toOlderLayout(dir);
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
    await copyFile(join(await currentSave(otherDir), 'weights.bin'), join(dir, 'weights.bin'));
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
    await copyFile(join(await currentSave(otherDir), 'weights.bin'), join(dir, 'weights.bin'));
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

describe('fileHandler: the manifest', () => {
  it('names a file edited after saving (model.json or weights.bin) by its SHA-256', async () => {
    const model = smallModel();
    for (const [file, edit] of [
      [
        'model.json',
        (text: Buffer) => Buffer.from(text.toString().replace('"units":3', '"units":4')),
      ],
      ['weights.bin', (bytes: Buffer) => Buffer.from(bytes.map((b, i) => (i === 0 ? b ^ 1 : b)))],
    ] as const) {
      const dir = freshDir();
      await model.save(fileHandler(dir));
      const path = join(await currentSave(dir), file);
      const before = readFileSync(path);
      const after = edit(before);
      expect(after.equals(before)).toBe(false);
      writeFileSync(path, after);
      await expect(loadModel(dir)).rejects.toThrow(
        after.length === before.length
          ? `Cannot load ${path}: its SHA-256 differs from the one ${SAVE_MANIFEST_FILE} recorded when it was saved (the file was edited or damaged since). Save the model again.`
          : `Cannot load ${path}: it holds ${after.length} bytes but ${SAVE_MANIFEST_FILE} recorded ${before.length} when it was saved (the file was edited or damaged since). Save the model again.`,
      );
    }
    model.dispose();
  });

  it('names a weight whose dtype model.json gives as one TF.js cannot decode', async () => {
    const dir = await (async () => {
      const d = freshDir();
      const model = smallModel();
      await model.save(fileHandler(d));
      model.dispose();
      await toOlderLayout(d);
      return d;
    })();
    const path = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.weightsManifest[0].weights[0].dtype = 'float64';
    writeFileSync(path, JSON.stringify(json));
    const message = `Cannot load ${path}: weight "${json.weightsManifest[0].weights[0].name}" has dtype "float64", which is not one of the numeric dtypes TF.js stores weights in (float32, int32, bool, complex64, uint8, uint16, float16). Save the model again with model.save(fileHandler(dir)).`;
    await expect(loadModel(dir)).rejects.toThrow(message);
    await expect(tf.loadLayersModel(fileHandler(dir))).rejects.toThrow(message);
  });
});
