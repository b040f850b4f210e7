import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDecoder,
  createEncoder,
  createSeq2Seq,
  loadSeq2Seq,
  type Seq2SeqConfig,
} from '@encdec/core';
import { describe, expect, it } from 'vitest';

const encoder = { vocabSize: 20, embeddingDim: 4, units: 3, cell: 'lstm' } as const;
const decoder = { vocabSize: 20, embeddingDim: 4, units: 3, cell: 'lstm' } as const;

function seq2seq(patch: (c: Seq2SeqConfig) => void): () => unknown {
  const config = structuredClone({ encoder, decoder }) as Seq2SeqConfig;
  patch(config);
  return () => createSeq2Seq(config);
}

describe('model configuration errors name the field and the value', () => {
  it('rejects an unknown cell', () => {
    expect(() => createEncoder({ ...encoder, cell: 'transformer' as never })).toThrow(
      'cell must be one of "rnn", "lstm", "gru", got "transformer".',
    );
    expect(seq2seq((c) => Object.assign(c.decoder, { cell: 'LSTM' }))).toThrow(
      'decoder.cell must be one of "rnn", "lstm", "gru", got "LSTM".',
    );
  });

  it('rejects an unknown attention kind', () => {
    expect(() => createDecoder({ ...decoder, attention: 'bahdanau' as never })).toThrow(
      'attention must be one of "none", "dot", "scaledDot", "general", "additive", got "bahdanau".',
    );
  });

  it('rejects non-positive or fractional sizes', () => {
    expect(() => createEncoder({ ...encoder, units: 0 })).toThrow(
      'units must be a positive integer, got 0.',
    );
    expect(seq2seq((c) => Object.assign(c.encoder, { embeddingDim: -2 }))).toThrow(
      'encoder.embeddingDim must be a positive integer, got -2.',
    );
    expect(seq2seq((c) => Object.assign(c.decoder, { vocabSize: 2.5 }))).toThrow(
      'decoder.vocabSize must be a positive integer, got 2.5.',
    );
    expect(seq2seq((c) => Object.assign(c.encoder, { numLayers: 0 }))).toThrow(
      'encoder.numLayers must be a positive integer, got 0.',
    );
  });

  it('rejects dropout outside [0, 1), a bad optimizer and a bad learning rate', () => {
    expect(seq2seq((c) => Object.assign(c.encoder, { dropout: 1 }))).toThrow(
      'encoder.dropout must be a number in [0, 1), got 1.',
    );
    expect(seq2seq((c) => Object.assign(c, { optimizer: 'adagrad' }))).toThrow(
      'optimizer must be one of "adam", "rmsprop", "sgd", got "adagrad".',
    );
    expect(seq2seq((c) => Object.assign(c, { learningRate: 0 }))).toThrow(
      'learningRate must be a positive number, got 0.',
    );
  });

  it('requires the decoder to fit the encoder state', () => {
    expect(seq2seq((c) => Object.assign(c.decoder, { units: 4 }))).toThrow(
      "decoder.units must be the encoder's state size 3 (encoder.units), got 4.",
    );
    expect(seq2seq((c) => Object.assign(c.encoder, { bidirectional: true }))).toThrow(
      "decoder.units must be the encoder's state size 6 (2 x encoder.units 3, bidirectional), got 3.",
    );
    expect(seq2seq((c) => Object.assign(c.decoder, { cell: 'gru' }))).toThrow(
      'decoder.cell must be the encoder\'s cell "lstm", so its final state fits, got "gru".',
    );
  });

  it('rejects an unknown gate activation and a non-boolean resetAfter', () => {
    expect(() => createEncoder({ ...encoder, recurrentActivation: 'relu' as never })).toThrow(
      'recurrentActivation must be one of "sigmoid", "hardSigmoid", got "relu".',
    );
    expect(seq2seq((c) => Object.assign(c.decoder, { resetAfter: 1 }))).toThrow(
      'decoder.resetAfter must be true or false, got 1.',
    );
  });

  it("defaults the gates to Keras 2+'s: sigmoid, the reset-after GRU", () => {
    const model = createEncoder({ ...encoder, cell: 'gru' });
    expect(model.config.recurrentActivation).toBe('sigmoid');
    expect(model.config.resetAfter).toBe(true);
    const config = model.model.getLayer('encoder_gru').getConfig();
    expect([config.recurrentActivation, config.resetAfter]).toEqual(['sigmoid', true]);
    const hard = createEncoder({ ...encoder, recurrentActivation: 'hardSigmoid' });
    expect(hard.model.getLayer('encoder_lstm').getConfig().recurrentActivation).toBe('hardSigmoid');
  });

  it('rejects vocabularies larger than the vocabulary size', () => {
    const words = Array.from({ length: 21 }, (_, i) => `w${i}`);
    expect(() => createSeq2Seq({ encoder, decoder }, { vocabulary: { src: words } })).toThrow(
      "vocabulary.src has 21 words (ids up to 20) but the model's vocabSize is 20.",
    );
    expect(() =>
      createSeq2Seq({ encoder, decoder }, { vocabulary: { tgt: { the: 1, end: 25 } } }),
    ).toThrow("vocabulary.tgt has 26 words (ids up to 25) but the model's vocabSize is 20.");
  });

  it('rejects unknown config keys, naming the allowed ones', () => {
    expect(seq2seq((c) => Object.assign(c.encoder, { attention: 'dot' }))).toThrow(
      /^encoder has unknown key "attention"; the allowed keys are "vocabSize", "embeddingDim", "units", "cell", .*"seed"\.$/,
    );
    expect(() => createDecoder({ ...decoder, unit: 3 } as never)).toThrow(
      /^config has unknown key "unit"; the allowed keys are "vocabSize", .*"attentionUnits", .*"seed"\.$/,
    );
    expect(seq2seq((c) => Object.assign(c, { lr: 0.1, epochs: 3 }))).toThrow(
      'config has unknown keys "lr", "epochs"; the allowed keys are "encoder", "decoder", "optimizer", "learningRate", "learningRateSchedule", "adam", "labelSmoothing".',
    );
  });

  it('checks a Map word index (what getImdbWordIndex returns) like a plain one', () => {
    const tooBig = new Map([
      ['the', 1],
      ['end', 25],
    ]);
    expect(() => createSeq2Seq({ encoder, decoder }, { vocabulary: { src: tooBig } })).toThrow(
      "vocabulary.src has 26 words (ids up to 25) but the model's vocabSize is 20.",
    );
    const badId = new Map([['the', 1.5]]);
    expect(() => createSeq2Seq({ encoder, decoder }, { vocabulary: { tgt: badId } })).toThrow(
      'vocabulary.tgt["the"] must be a non-negative integer id, got 1.5.',
    );
  });

  it('rejects unknown keys, naming the allowed ones, and objects that are no word index', () => {
    const words = ['<pad>', 'a'];
    expect(() =>
      createSeq2Seq({ encoder, decoder }, { vocabulary: { target: words } as never }),
    ).toThrow('vocabulary has unknown key "target"; the allowed keys are "src", "tgt".');
    expect(() => createSeq2Seq({ encoder, decoder }, { vocab: { src: words } } as never)).toThrow(
      'options has unknown key "vocab"; the allowed keys are "vocabulary".',
    );
    expect(() =>
      createSeq2Seq({ encoder, decoder }, { vocabulary: { src: new Set(words) as never } }),
    ).toThrow(
      'vocabulary.src must be a word list (string[]) or a word index (word -> id, a plain object or a Map), got {}.',
    );
  });
});

describe('a Map vocabulary is kept as the word index it saves as', () => {
  it('equals the plain object, and loads back with every word', async () => {
    const index = new Map([
      ['<pad>', 0],
      ['the', 4],
      ['constructor', 7],
      ['__proto__', 9],
    ]);
    const model = createSeq2Seq({ encoder, decoder }, { vocabulary: { src: index, tgt: ['x'] } });
    const plain = Object.fromEntries(index);
    expect(model.vocabulary).toEqual({ src: plain, tgt: ['x'] });
    const dir = mkdtempSync(join(tmpdir(), 'encdec-vocabulary-'));
    try {
      await model.save(dir);
      const loaded = await loadSeq2Seq(dir);
      expect(loaded.vocabulary).toEqual({ src: plain, tgt: ['x'] });
      expect(Object.keys(loaded.vocabulary!.src!)).toEqual([...index.keys()]);
      loaded.dispose();
    } finally {
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
