/**
 * The Transformer seq2seq model: causality, tied embeddings, parameter counts, save/load round
 * trip with continued training, no leaked tensors, and the named errors of bad configs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  beamSearch,
  createEncoder,
  createSeq2Seq,
  greedySearch,
  loadSeq2Seq,
  type Seq2Seq,
  type Seq2SeqConfig,
  type Seq2SeqState,
  sampleSearch,
  shiftRight,
  type TransformerDecoderConfig,
} from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'encdec-transformer-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const V = 11;
const src = [
  [3, 4, 5, 6, 0, 0],
  [7, 8, 9, 10, 4, 5],
];
const tgtOut = [
  [6, 5, 4, 3, 2, 0],
  [5, 4, 10, 9, 8, 2],
];
const tgtIn = shiftRight(tgtOut, 1);

const sizes = {
  kind: 'transformer' as const,
  vocabSize: V,
  dModel: 8,
  numHeads: 2,
  numLayers: 2,
  ffDim: 16,
  dropout: 0,
  maxLength: 8,
};

function config(decoder: Partial<TransformerDecoderConfig> = {}): Seq2SeqConfig {
  return { encoder: { ...sizes, seed: 3 }, decoder: { ...sizes, ...decoder } };
}

function logitsOf(model: Seq2Seq, tgt: number[][] = tgtIn): number[][][] {
  const { logits, attention } = model.forward([src, tgt]);
  const values = logits.arraySync();
  tf.dispose([logits, attention]);
  return values;
}

describe('Transformer seq2seq', () => {
  it('is causal: changing target tokens after t changes no logits at or before t', () => {
    const model = createSeq2Seq(config());
    const base = logitsOf(model);
    for (const t of [0, 2, 4]) {
      const changed = tgtIn.map((row) => row.map((id, i) => (i > t ? (id % 7) + 3 : id)));
      const other = logitsOf(model, changed);
      for (let r = 0; r < 2; r++) {
        for (let i = 0; i <= t; i++) expect(other[r]![i]).toEqual(base[r]![i]);
        // ... and the position after t does change (the test could fail).
        expect(other[r]![t + 1]).not.toEqual(base[r]![t + 1]);
      }
    }
    model.dispose();
  });

  it('forward returns per-head weights: their last cross-attention averaged is `attention`', () => {
    const model = createSeq2Seq(config());
    const before = tf.memory().numTensors;
    const { logits, attention, heads } = model.forward([src, tgtIn], { heads: true });
    expect(heads!.encoderSelf.map((w) => w.shape)).toEqual([
      [2, 2, 6, 6],
      [2, 2, 6, 6],
    ]);
    expect(heads!.decoderSelf[1]!.shape).toEqual([2, 2, 6, 6]);
    expect(heads!.decoderCross[1]!.shape).toEqual([2, 2, 6, 6]);
    const mean = tf.mean(heads!.decoderCross[1]!, 1);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(mean, attention!))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-7);
    // No query attends to padding (row 0's keys 4 and 5), nor to a later target position.
    const enc = heads!.encoderSelf[0]!.arraySync();
    expect(enc[0]!.flatMap((head) => head.map((row) => row[4]! + row[5]!))).toEqual(
      new Array(12).fill(0),
    );
    const self = heads!.decoderSelf[0]!.arraySync();
    expect(self[1]![1]![2]!.slice(3)).toEqual([0, 0, 0]);
    const all = [logits, attention, mean, ...Object.values(heads!).flat()];
    tf.dispose(all as tf.Tensor[]);
    const plain = model.forward([src, tgtIn]);
    expect(plain.heads).toBeUndefined();
    tf.dispose([plain.logits, plain.attention]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("its Keras-equivalent model's prediction equals softmax(logits) of the eager pass, deterministic outside fit", () => {
    const model = createSeq2Seq({
      encoder: { ...sizes, dropout: 0.5, seed: 1 },
      decoder: { ...sizes, dropout: 0.5, tieEmbeddings: true },
    });
    const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, 'int32');
    const [s, t] = [ids(src), ids(tgtIn)];
    const predicted = model.model.predict([s, t]) as tf.Tensor;
    const { logits, attention } = model.forward([s, t]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(predicted, tf.softmax(logits)))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-6);
    expect(logitsOf(model)).toEqual(logits.arraySync());
    tf.dispose([s, t, predicted, logits, attention]);
    model.dispose();
  });

  it('ignores padding in the source: padded and unpadded rows give the same logits', () => {
    const model = createSeq2Seq(config());
    const short = model.forward([[[3, 4, 5, 6]], [tgtIn[0]!]]);
    const padded = model.forward([[src[0]!], [tgtIn[0]!]]);
    const diff = tf.max(tf.abs(tf.sub(short.logits, padded.logits))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([short.logits, short.attention, padded.logits, padded.attention]);
    model.dispose();
  });

  it('counts the parameters of its layers (untied and tied)', () => {
    const d = 8;
    const ff = 16;
    const norm = 2 * d;
    const attention = 4 * (d * d + d);
    const feedForward = d * ff + ff + ff * d + d;
    const encoderLayer = 2 * norm + attention + feedForward;
    const decoderLayer = 3 * norm + 2 * attention + feedForward;
    const embeddings = V * d;
    const finals = 2 * norm; // pre-norm: one LayerNorm after each stack
    const untied = createSeq2Seq(config());
    const common = 2 * embeddings + 2 * encoderLayer + 2 * decoderLayer + finals;
    expect(untied.countParams()).toBe(common + d * V + V);
    const tied = createSeq2Seq(config({ tieEmbeddings: true }));
    expect(tied.countParams()).toBe(common);
    const post = createSeq2Seq(config({ norm: 'post' })); // the decoder only
    expect(post.countParams()).toBe(common - norm + d * V + V);
    const postModel = createSeq2Seq({
      encoder: { ...sizes, norm: 'post' as const },
      decoder: { ...sizes, norm: 'post' as const },
    });
    expect(postModel.countParams()).toBe(common - finals + d * V + V);
    const learned = createSeq2Seq({
      encoder: { ...sizes, positional: 'learned' as const },
      decoder: { ...sizes, positional: 'learned' as const },
    });
    expect(learned.countParams()).toBe(common + d * V + V + 2 * sizes.maxLength * d);
    const lines: string[] = [];
    tied.summary((line) => lines.push(line));
    expect(lines.join('\n')).toContain('EncdecTransformerDecoderLayer');
    for (const m of [untied, tied, post, postModel, learned]) m.dispose();
  });

  it('tied embeddings: one matrix is both the target embedding and the output projection', () => {
    const model = createSeq2Seq(config({ tieEmbeddings: true }));
    const names = model.model.weights.map((w) => w.originalName);
    expect(names.filter((n) => n.startsWith('decoder_embedding/'))).toEqual([
      'decoder_embedding/embeddings',
    ]);
    expect(names.some((n) => n.startsWith('decoder_output'))).toBe(false);
    // Logits are the final hidden states times E^T: scaling E's row 5 scales logit 5 only.
    const before = logitsOf(model);
    const weight = model.model.weights.find(
      (w) => w.originalName === 'decoder_embedding/embeddings',
    )!;
    const E = weight.read();
    const scale = tf.tensor2d(Array.from({ length: V }, (_, i) => [i === 5 ? 2 : 1]));
    weight.write(tf.mul(E, scale));
    // Token 5 is not in tgtIn's first position of row 0 (START = 1), so position 0's hidden state
    // is unchanged and only its logit 5 doubles.
    const after = logitsOf(model);
    for (let v = 0; v < V; v++) {
      const expected = v === 5 ? 2 * before[0]![0]![v]! : before[0]![0]![v]!;
      expect(after[0]![0]![v]).toBeCloseTo(expected, 5);
    }
    scale.dispose();
    model.dispose();
  });

  it('saves and loads exactly (config, vocabulary, history, weights) and continues training identically', async () => {
    const model = createSeq2Seq(config({ positional: 'learned', tieEmbeddings: true }), {
      vocabulary: { src: ['<pad>', '<s>', '</s>', 'a'] },
    });
    const fitOptions = { epochs: 2, batchSize: 1, seed: 4, verbose: false };
    await model.fit([src, tgtIn], tgtOut, fitOptions);
    const evaluated = await model.evaluate([src, tgtIn], tgtOut);
    expect(evaluated.loss).toBeGreaterThan(0);
    const dir = join(root, 'tfm');
    await model.save(dir);
    const loaded = await loadSeq2Seq(dir);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.config.decoder).toMatchObject({ kind: 'transformer', positional: 'learned' });
    expect(loaded.history).toEqual(model.history);
    expect(loaded.vocabulary).toEqual(model.vocabulary);
    expect(logitsOf(loaded)).toEqual(logitsOf(model));
    // One more epoch on both: the same losses and weights (Adam's moments were restored).
    const more = { ...fitOptions, epochs: 1 };
    const a = await model.fit([src, tgtIn], tgtOut, more);
    const b = await loaded.fit([src, tgtIn], tgtOut, more);
    expect(b.history).toEqual(a.history);
    expect(logitsOf(loaded)).toEqual(logitsOf(model));
    model.dispose();
    loaded.dispose();
  });

  it('leaks no tensor over fit, 1,000 decode steps and a beam search', async () => {
    const model = createSeq2Seq({
      encoder: { ...sizes, maxLength: 1001, dropout: 0.1 },
      decoder: { ...sizes, maxLength: 1001, dropout: 0.1 },
    });
    await model.fit([src, tgtIn], tgtOut, { epochs: 1, batchSize: 1, verbose: false });
    const before = tf.memory().numTensors;
    await model.fit([src, tgtIn], tgtOut, { epochs: 1, batchSize: 1, verbose: false });
    expect(tf.memory().numTensors).toBe(before);
    let state: Seq2SeqState = model.initialState(src);
    for (let t = 0; t < 1000; t++) {
      const tokens = tf.tensor1d([3 + (t % 5), 4], 'int32');
      const out = model.decodeStep(tokens, state);
      tf.dispose([tokens, state, out.logits, out.attention]);
      state = out.state;
    }
    tf.dispose(state);
    const initial = model.initialState(src);
    greedySearch(model.decodeStep, initial, { startId: 1, endId: 2, maxLength: 20 });
    beamSearch(model.decodeStep, initial, { startId: 1, endId: 2, maxLength: 20, beamWidth: 4 });
    sampleSearch(model.decodeStep, initial, { startId: 1, endId: 2, maxLength: 20, seed: 1 });
    tf.dispose(initial);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  }, 120_000);
});

describe('Transformer config errors name the field and the value', () => {
  const make =
    (encoder: object, decoder: object = sizes) =>
    () =>
      createSeq2Seq({ encoder, decoder } as Seq2SeqConfig);

  it('checks sizes, choices and keys', () => {
    expect(make({ ...sizes, numHeads: 3 })).toThrow(
      'encoder.numHeads must be a divisor of dModel 8 (each head gets dModel / numHeads features), got 3.',
    );
    expect(make(sizes, { ...sizes, dModel: 0 })).toThrow(
      'decoder.dModel must be a positive integer, got 0.',
    );
    expect(make({ ...sizes, norm: 'middle' })).toThrow(
      'encoder.norm must be one of "pre", "post", got "middle".',
    );
    expect(make({ ...sizes, positional: 'rotary' })).toThrow(
      'encoder.positional must be one of "sinusoidal", "learned", got "rotary".',
    );
    expect(make({ ...sizes, dropout: 1 })).toThrow(
      'encoder.dropout must be a number in [0, 1), got 1.',
    );
    expect(make({ ...sizes, kind: 'lstm' })).toThrow(
      'encoder.kind must be one of "recurrent", "transformer", got "lstm".',
    );
    expect(make({ ...sizes, units: 8 })).toThrow(
      /^encoder has unknown key "units"; the allowed keys are "kind", "vocabSize", "dModel"/,
    );
    expect(make(sizes, { ...sizes, tieEmbedding: true })).toThrow(
      /^decoder has unknown key "tieEmbedding"/,
    );
    expect(make({ ...sizes, tieEmbeddings: true })).toThrow(
      /^encoder has unknown key "tieEmbeddings"/,
    );
  });

  it('a recurrent config refuses another kind', () => {
    expect(() =>
      createEncoder({ ...sizes, embeddingDim: 4, units: 4, cell: 'gru' } as never),
    ).toThrow(
      'kind must be "recurrent" or absent (this is a recurrent config), got "transformer".',
    );
  });

  it('checks that the encoder and decoder fit together', () => {
    expect(make({ ...sizes, dModel: 12 })).toThrow(
      "decoder.dModel must be the encoder's dModel 12, got 8.",
    );
    const recurrent = { vocabSize: V, embeddingDim: 4, units: 8, cell: 'lstm' };
    expect(make(sizes, recurrent)).toThrow(
      /^decoder.kind must be "transformer" with a Transformer encoder \(a recurrent decoder starts from the final state of a recurrent encoder; a Transformer encoder has none\), got "recurrent"\.$/,
    );
  });

  it('names a sequence longer than maxLength, in forward and in decodeStep', () => {
    const model = createSeq2Seq(config());
    const long = [Array.from({ length: 9 }, () => 3)];
    expect(() => model.forward([long, [[1, 3]]])).toThrow(
      'src must be at most maxLength = 8 positions (0 .. 7); raise maxLength in the config, got "a sequence reaching position 8".',
    );
    expect(() => model.forward([[[3]], long])).toThrow(/^tgtIn must be at most maxLength = 8/);
    let state: Seq2SeqState = model.initialState([[3, 4]]);
    const tokens = tf.tensor1d([3], 'int32');
    for (let t = 0; t < 8; t++) {
      const out = model.decodeStep(tokens, state);
      tf.dispose([state, out.logits, out.attention]);
      state = out.state;
    }
    expect(() => model.decodeStep(tokens, state)).toThrow(
      /^decodeStep position must be at most maxLength = 8 positions/,
    );
    tf.dispose([tokens, state]);
    model.dispose();
  });

  it('names a state that does not fit', () => {
    const model = createSeq2Seq(config());
    const state = model.initialState(src);
    const tokens = tf.tensor1d([3], 'int32');
    expect(() => model.decodeStep(tokens, state)).toThrow(/^state\.srcMask/);
    expect(() => model.decodeStep(tokens, { srcMask: state.srcMask } as never)).toThrow(
      /^state\.layers must be a list of 2 layer states/,
    );
    tf.dispose([tokens, state]);
    model.dispose();
  });
});
