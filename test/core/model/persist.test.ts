import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSeq2Seq, loadSeq2Seq, SEQ2SEQ_FILE, type Seq2Seq, shiftRight } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

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
    expect(readdirSync(dir).sort()).toEqual([SEQ2SEQ_FILE, 'model.json', 'weights.bin'].sort());
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
    tf.dispose([state, tokens, out]);
    model.dispose();
    loaded.dispose();
  });

  it('a truncated weights.bin fails with an error naming the file', async () => {
    const model = makeModel();
    const dir = join(root, 'truncated');
    await model.save(dir);
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
});
