import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createSeq2Seq, currentSave, loadSeq2Seq, type Seq2Seq, shiftRight } from '@encdec/core';
import { OPTIMIZER_FILE, SAVE_MANIFEST_FILE, SEQ2SEQ_FILE } from '@encdec/core/internal';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toOlderLayout } from '../io/older-layout.js';

const root = mkdtempSync(join(tmpdir(), 'encdec-persist-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const V = 10;
const src = [
  [3, 4, 5, 0],
  [6, 7, 8, 9],
];
const tgtOut = [
  [5, 4, 3, 2],
  [9, 8, 2, 0],
];
const tgtIn = shiftRight(tgtOut, 1);
const vocabulary = { src: ['<pad>', '<s>', '</s>', 'a', 'b'], tgt: { '<pad>': 0, x: 9 } };

function makeModel(units = 4): Seq2Seq {
  return createSeq2Seq(
    {
      encoder: { vocabSize: V, embeddingDim: 3, units, cell: 'lstm', bidirectional: true, seed: 2 },
      decoder: {
        vocabSize: V,
        embeddingDim: 3,
        units: 2 * units,
        cell: 'lstm',
        attention: 'additive',
      },
    },
    { vocabulary },
  );
}

async function logitsOf(model: Seq2Seq): Promise<number[]> {
  const { logits, attention } = model.forward([src, tgtIn]);
  const values = Array.from(await logits.data());
  tf.dispose([logits, attention]);
  return values;
}

describe('save and loadSeq2Seq', () => {
  it('saves without warnings (the decoder gets its initial states as call arguments)', async () => {
    const model = makeModel();
    const warn = console.warn;
    const spy = vi.fn();
    console.warn = spy;
    try {
      await model.save(join(root, 'quiet'));
    } finally {
      console.warn = warn;
    }
    expect(spy).not.toHaveBeenCalled();
    model.dispose();
  });

  it('gives identical outputs, config, vocabulary and history, and leaves no temp files', async () => {
    const model = makeModel();
    await model.fit([src, tgtIn], tgtOut, { epochs: 2, batchSize: 2, verbose: false });
    const dir = join(root, 'round-trip');
    await model.save(dir);
    await model.save(dir);
    const folder = await currentSave(dir);
    expect(readdirSync(dir).sort()).toEqual([SAVE_MANIFEST_FILE, basename(folder)].sort());
    expect(readdirSync(folder).sort()).toEqual(
      [SEQ2SEQ_FILE, OPTIMIZER_FILE, 'model.json', 'weights.bin'].sort(),
    );
    const loaded = await loadSeq2Seq(dir);
    expect(await logitsOf(loaded)).toEqual(await logitsOf(model));
    expect(loaded.config).toEqual(model.config);
    expect(loaded.vocabulary).toEqual(vocabulary);
    expect(loaded.history).toEqual(model.history);
    expect(loaded.history.epoch).toEqual([0, 1]);
    // Step decoding works on the loaded model too.
    const state = loaded.initialState(src);
    const tokens = tf.tensor1d([1, 1], 'int32');
    const out = loaded.decodeStep(tokens, state);
    expect(out.logits!.shape).toEqual([2, V]);
    tf.dispose([state, tokens, out.state, out.logits, out.logProbs, out.attention]);
    model.dispose();
    loaded.dispose();
  });

  it('a truncated weights.bin fails with an error naming the file', async () => {
    const model = makeModel();
    const dir = join(root, 'truncated');
    await model.save(dir);
    await toOlderLayout(dir);
    truncateSync(join(dir, 'weights.bin'), 100);
    await expect(loadSeq2Seq(dir)).rejects.toThrow(
      new RegExp(
        `Cannot load ${join(dir, 'weights.bin')}: it holds 100 bytes but model.json describes`,
      ),
    );
    model.dispose();
  });

  it('a corrupt sidecar fails with an error naming it', async () => {
    const model = makeModel();
    const dir = join(root, 'corrupt');
    await model.save(dir);
    await toOlderLayout(dir);
    writeFileSync(join(dir, SEQ2SEQ_FILE), '{"format": "encdec-seq2seq", "vers');
    await expect(loadSeq2Seq(dir)).rejects.toThrow(
      `Cannot load ${join(dir, SEQ2SEQ_FILE)}: it is not valid JSON`,
    );
    writeFileSync(join(dir, SEQ2SEQ_FILE), '{"hello": 1}');
    await expect(loadSeq2Seq(dir)).rejects.toThrow(
      `Cannot load the seq2seq model in ${dir}: ${SEQ2SEQ_FILE} is not an encdec-seq2seq file`,
    );
    model.dispose();
  });

  it('weights of another architecture fail with an error naming the weight and shapes', async () => {
    const small = makeModel(4);
    const dir = join(root, 'mismatch');
    await small.save(dir);
    await toOlderLayout(dir);
    const sidecar = JSON.parse(readFileSync(join(dir, SEQ2SEQ_FILE), 'utf8'));
    sidecar.config.encoder.units = 5;
    sidecar.config.decoder.units = 10;
    writeFileSync(join(dir, SEQ2SEQ_FILE), JSON.stringify(sidecar));
    const before = tf.memory().numTensors;
    await expect(loadSeq2Seq(dir)).rejects.toThrow(
      /Cannot load the seq2seq model in .*: weight "encoder_lstm_bidirectional\/forward_encoder_lstm\/kernel" has shape \[3,16\] in weights.bin but \[3,20\] in the model/,
    );
    expect(tf.memory().numTensors).toBe(before);
    sidecar.config.encoder.cell = 'gru';
    writeFileSync(join(dir, SEQ2SEQ_FILE), JSON.stringify(sidecar));
    await expect(loadSeq2Seq(dir)).rejects.toThrow(
      'decoder.cell must be the encoder\'s cell "gru", so its final state fits, got "lstm".',
    );
    small.dispose();
  });

  it('a missing directory fails with an error naming the file', async () => {
    await expect(loadSeq2Seq(join(root, 'nowhere'))).rejects.toThrow(
      `Cannot load ${join(root, 'nowhere', SEQ2SEQ_FILE)}: the file does not exist.`,
    );
  });

  it('an old-layout directory with a version 1 sidecar (no optimizer state) still loads', async () => {
    const model = makeModel();
    const dir = join(root, 'version-1');
    await model.save(dir);
    await toOlderLayout(dir);
    const sidecar = JSON.parse(readFileSync(join(dir, SEQ2SEQ_FILE), 'utf8'));
    sidecar.version = 1;
    delete sidecar.optimizer;
    writeFileSync(join(dir, SEQ2SEQ_FILE), JSON.stringify(sidecar));
    rmSync(join(dir, OPTIMIZER_FILE));
    const loaded = await loadSeq2Seq(dir);
    expect(await logitsOf(loaded)).toEqual(await logitsOf(model));
    // The next save replaces the old layout's files with one whole save.
    await loaded.save(dir);
    expect(readdirSync(dir).sort()).toEqual(
      [SAVE_MANIFEST_FILE, basename(await currentSave(dir))].sort(),
    );
    model.dispose();
    loaded.dispose();
  });

  it("a version 1 sidecar loads with the gates version 1 built: TF.js's hard sigmoid and reset-before GRU", async () => {
    const model = createSeq2Seq({
      encoder: {
        vocabSize: V,
        embeddingDim: 3,
        units: 4,
        cell: 'gru',
        recurrentActivation: 'hardSigmoid',
        resetAfter: false,
        seed: 3,
      },
      decoder: {
        vocabSize: V,
        embeddingDim: 3,
        units: 4,
        cell: 'gru',
        attention: 'dot',
        recurrentActivation: 'hardSigmoid',
        resetAfter: false,
      },
    });
    const dir = join(root, 'version-1-gates');
    await model.save(dir);
    await toOlderLayout(dir);
    const sidecar = JSON.parse(readFileSync(join(dir, SEQ2SEQ_FILE), 'utf8'));
    sidecar.version = 1;
    delete sidecar.optimizer;
    for (const part of [sidecar.config.encoder, sidecar.config.decoder]) {
      delete part.recurrentActivation;
      delete part.resetAfter;
    }
    writeFileSync(join(dir, SEQ2SEQ_FILE), JSON.stringify(sidecar));
    rmSync(join(dir, OPTIMIZER_FILE));
    const loaded = await loadSeq2Seq(dir);
    expect(loaded.config.encoder).toMatchObject({
      recurrentActivation: 'hardSigmoid',
      resetAfter: false,
    });
    expect(loaded.config.decoder).toMatchObject({
      recurrentActivation: 'hardSigmoid',
      resetAfter: false,
    });
    expect(await logitsOf(loaded)).toEqual(await logitsOf(model));
    model.dispose();
    loaded.dispose();
  });

  it('a weight whose dtype model.json changed fails with an error naming the weight', async () => {
    const model = makeModel();
    const dir = join(root, 'dtype');
    await model.save(dir);
    await toOlderLayout(dir);
    const path = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const weight = json.weightsManifest[0].weights[0];
    weight.dtype = 'int32';
    writeFileSync(path, JSON.stringify(json));
    const before = tf.memory().numTensors;
    await expect(loadSeq2Seq(dir)).rejects.toThrow(
      `Cannot load the seq2seq model in ${dir}: weight "${weight.name}" has dtype int32 in weights.bin but float32 in the model ${SEQ2SEQ_FILE} describes. Save the model again with seq2seq.save(dir).`,
    );
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('a save is checked as a whole', () => {
  it('a sidecar edited after saving (attention dot -> scaledDot) fails by its size and SHA-256', async () => {
    // Both kinds have no weights, so the edited sidecar would build a model its weights fit.
    const model = createSeq2Seq({
      encoder: { vocabSize: V, embeddingDim: 3, units: 4, cell: 'gru', seed: 3 },
      decoder: { vocabSize: V, embeddingDim: 3, units: 4, cell: 'gru', attention: 'dot' },
    });
    const dir = join(root, 'edited-sidecar');
    await model.save(dir);
    const path = join(await currentSave(dir), SEQ2SEQ_FILE);
    const text = readFileSync(path, 'utf8');
    const edited = text.replace('"attention": "dot"', '"attention": "scaledDot"');
    expect(edited).not.toBe(text);
    writeFileSync(path, edited);
    const before = tf.memory().numTensors;
    await expect(loadSeq2Seq(dir)).rejects.toThrow(
      `Cannot load ${path}: it holds ${edited.length} bytes but ${SAVE_MANIFEST_FILE} recorded ${text.length} when it was saved (the file was edited or damaged since). Save the model again.`,
    );
    // The same length, another attention kind: the SHA-256 tells.
    writeFileSync(path, text.replace('"attention": "dot"', '"attention": "gen"'));
    await expect(loadSeq2Seq(dir)).rejects.toThrow(
      `Cannot load ${path}: its SHA-256 differs from the one ${SAVE_MANIFEST_FILE} recorded when it was saved`,
    );
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('one flipped bit in weights.bin or optimizer.bin fails by its SHA-256', async () => {
    const model = makeModel();
    await model.fit([src, tgtIn], tgtOut, { epochs: 1, batchSize: 2, verbose: false });
    for (const file of ['weights.bin', OPTIMIZER_FILE]) {
      const dir = join(root, `flipped-${file}`);
      await model.save(dir);
      const path = join(await currentSave(dir), file);
      const bytes = readFileSync(path);
      bytes[bytes.length - 1]! ^= 1;
      writeFileSync(path, bytes);
      await expect(loadSeq2Seq(dir)).rejects.toThrow(
        `Cannot load ${path}: its SHA-256 differs from the one ${SAVE_MANIFEST_FILE} recorded`,
      );
    }
    model.dispose();
  });

  it('a missing manifest entry (a save folder removed by hand) names the file', async () => {
    const model = makeModel();
    const dir = join(root, 'removed');
    await model.save(dir);
    const folder = await currentSave(dir);
    rmSync(folder, { recursive: true });
    await expect(loadSeq2Seq(dir)).rejects.toThrow(
      `Cannot load ${join(folder, 'model.json')}: the file does not exist. ${SAVE_MANIFEST_FILE} names it: save the model again.`,
    );
    model.dispose();
  });
});

describe('the optimizer state is saved with the model', () => {
  /** A task with several batches an epoch, so that Adam's moments matter after the reload. */
  // Five steps an epoch: Adam's beta2^t as a running float32 product then differs from pow().
  const rows = 20;
  const trainSrc = Array.from({ length: rows }, (_, r) => [
    3 + (r % 7),
    4 + (r % 5),
    5,
    6 + (r % 3),
  ]);
  const trainOut = trainSrc.map((row) => [...row].reverse());
  const trainIn = shiftRight(trainOut, 1);
  const fitOptions = { epochs: 1, batchSize: 4, shuffle: false, verbose: false } as const;

  async function weightsOf(model: Seq2Seq): Promise<number[][]> {
    return Promise.all(model.model.weights.map(async (w) => Array.from(await w.read().data())));
  }

  for (const optimizer of ['adam', 'rmsprop', 'sgd'] as const) {
    it(`${optimizer}: fit after loadSeq2Seq continues exactly as fit in memory`, async () => {
      const model = createSeq2Seq({
        encoder: { vocabSize: V, embeddingDim: 3, units: 4, cell: 'lstm', seed: 5 },
        decoder: { vocabSize: V, embeddingDim: 3, units: 4, cell: 'lstm', attention: 'dot' },
        optimizer,
        learningRate: 0.05,
      });
      await model.fit([trainSrc, trainIn], trainOut, fitOptions);
      const dir = join(root, `optimizer-${optimizer}`);
      await model.save(dir);
      const before = tf.memory().numTensors;
      const loaded = await loadSeq2Seq(dir);
      const inMemory = await model.fit([trainSrc, trainIn], trainOut, fitOptions);
      const reloaded = await loaded.fit([trainSrc, trainIn], trainOut, fitOptions);
      expect(reloaded.history.loss).toEqual(inMemory.history.loss);
      expect(await weightsOf(loaded)).toEqual(await weightsOf(model));
      loaded.dispose();
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }
});
