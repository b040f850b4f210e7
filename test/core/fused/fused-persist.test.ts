/**
 * Models with fused recurrent layers and models with stock ones read each other's files: a
 * seq2seq model saved before the layers were fused (its model.json names the stock classes)
 * loads with `loadSeq2Seq`, and a saved fused model loads as stock layers with
 * `tf.loadLayersModel`, with equal outputs both ways. The class names in model.json are the only
 * difference; weight names and layouts are the stock ones. TF.js has no reset-after GRU (the
 * default GRU here, Keras 2+'s), so the GRU models that stock TF.js loads are reset-before ones.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSeq2Seq, currentSave, loadSeq2Seq, type Seq2Seq } from '@encdec/core';
import { fileHandler, MODEL_FILE } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOlderLayout } from '../io/older-layout.js';

const root = mkdtempSync(join(tmpdir(), 'encdec-fused-persist-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const src = tf.tensor2d(
  [
    [3, 4, 5, 0],
    [6, 7, 8, 9],
  ],
  undefined,
  'int32',
);
const tgtIn = tf.tensor2d(
  [
    [1, 5, 4],
    [1, 9, 8],
  ],
  undefined,
  'int32',
);

function makeModel(cell: 'lstm' | 'gru', resetAfter = true): Seq2Seq {
  const side = { vocabSize: 10, embeddingDim: 3, cell, resetAfter };
  return createSeq2Seq({
    encoder: { ...side, units: 4, bidirectional: true, seed: 2 },
    decoder: { ...side, units: 8 },
  });
}

/**
 * model.json with every fused class name replaced by the stock one, as older saves have it (in
 * the layout of those saves: an edited file would fail the manifest's SHA-256).
 */
async function toStockClassNames(dir: string): Promise<void> {
  await toOlderLayout(dir);
  const file = join(dir, MODEL_FILE);
  const text = readFileSync(file, 'utf8')
    .replaceAll('"EncdecFusedLstm"', '"LSTM"')
    .replaceAll('"EncdecFusedGru"', '"GRU"');
  writeFileSync(file, text);
}

describe.each(['lstm', 'gru'] as const)('%s models', (cell) => {
  it('saved with stock class names, load with loadSeq2Seq to equal outputs', async () => {
    const dir = join(root, `${cell}-seq2seq`);
    const model = makeModel(cell);
    await model.save(dir);
    const fusedName = cell === 'lstm' ? 'EncdecFusedLstm' : 'EncdecFusedGru';
    expect(readFileSync(join(await currentSave(dir), MODEL_FILE), 'utf8')).toContain(fusedName);
    await toStockClassNames(dir);
    const loaded = await loadSeq2Seq(dir);
    const [a, b] = [model.forward([src, tgtIn]).logits, loaded.forward([src, tgtIn]).logits];
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
    tf.dispose([a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('saved fused, load as stock layers with tf.loadLayersModel to equal outputs', async () => {
    const dir = join(root, `${cell}-keras`);
    const model = makeModel(cell, false);
    await model.save(dir);
    await toStockClassNames(dir);
    const stock = await tf.loadLayersModel(fileHandler(dir));
    expect(JSON.stringify(stock.toJSON(null, false))).not.toContain('EncdecFused');
    const [a, b] = [
      model.model.predict([src, tgtIn]) as tf.Tensor,
      stock.predict([src, tgtIn]) as tf.Tensor,
    ];
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBeLessThan(1e-6);
    tf.dispose([a, b]);
    model.dispose();
    stock.dispose();
  });
});

it('saves the reset-after GRU as Keras 2+ does (reset_after, bias [2, 3 units])', async () => {
  const dir = join(root, 'gru-reset-after');
  const model = makeModel('gru');
  await model.save(dir);
  const json = JSON.parse(readFileSync(join(await currentSave(dir), MODEL_FILE), 'utf8'));
  const text = JSON.stringify(json);
  expect(text).toContain('"reset_after":true');
  expect(text).toContain('"recurrent_activation":"sigmoid"');
  const biases = (json.weightsManifest[0].weights as Array<{ name: string; shape: number[] }>)
    .filter((w) => /gru.*bias/.test(w.name))
    .map((w) => w.shape);
  expect(biases).toEqual([
    [2, 12],
    [2, 12],
    [2, 24],
  ]);
  model.dispose();
});
