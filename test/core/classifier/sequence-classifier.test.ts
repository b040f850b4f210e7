import { createEncoder, createSequenceClassifier, POOLINGS } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const encoderConfig = { vocabSize: 12, embeddingDim: 8, units: 8, cell: 'lstm' as const, seed: 5 };

/** Rows of 2-6 tokens in [3, 12), pre-padded to 6; label 1 when token 5 occurs. */
function toyData(rows: number, seed: number): { src: number[][]; labels: number[] } {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const src: number[][] = [];
  const labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    const length = 2 + Math.floor(next() * 5);
    const tokens = Array.from({ length }, () => 3 + Math.floor(next() * 9));
    if (r % 2 === 0) tokens[Math.floor(next() * length)] = 5;
    else for (let i = 0; i < length; i++) if (tokens[i] === 5) tokens[i] = 6;
    src.push([...Array(6 - length).fill(0), ...tokens]);
    labels.push(r % 2 === 0 ? 1 : 0);
  }
  return { src, labels };
}

describe('createSequenceClassifier', () => {
  for (const pooling of POOLINGS) {
    it(`${pooling} pooling: learns a toy task, evaluate matches predict, no leaks`, async () => {
      const before = tf.memory().numTensors;
      const clf = createSequenceClassifier({
        encoder: encoderConfig,
        pooling,
        learningRate: 0.02,
        seed: 1,
      });
      const train = toyData(128, 11);
      const test = toyData(64, 99);
      const history = await clf.fit(train.src, train.labels, {
        epochs: 16,
        batchSize: 16,
        seed: 2,
        verbose: false,
      });
      expect(history.history.loss!.at(-1)!).toBeLessThan(history.history.loss![0]!);
      const logs = await clf.evaluate(test.src, test.labels, { batchSize: 20 });
      expect(logs.accuracy).toBeGreaterThan(0.9);
      // Binary cross-entropy and accuracy recomputed from the probabilities, in plain JS.
      const p = await clf.predict(test.src, { batchSize: 7 });
      let loss = 0;
      let correct = 0;
      test.labels.forEach((y, i) => {
        loss -= y * Math.log(p[i]!) + (1 - y) * Math.log(1 - p[i]!);
        if (p[i]! > 0.5 === (y === 1)) correct++;
      });
      expect(logs.loss).toBeCloseTo(loss / test.labels.length, 4);
      expect(logs.accuracy).toBeCloseTo(correct / test.labels.length, 6);
      clf.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('pooling skips padding: a pre-padded row scores as the row alone (masked encoder)', async () => {
    for (const pooling of POOLINGS) {
      const clf = createSequenceClassifier({ encoder: encoderConfig, pooling, seed: 4 });
      const [padded] = await clf.predict([[0, 0, 0, 7, 4, 9]]);
      const [alone] = await clf.predict([[7, 4, 9]]);
      expect(padded).toBeCloseTo(alone!, 6);
      clf.dispose();
    }
  });

  it('dispose frees everything, the dropout masks TF.js keeps after training too', async () => {
    const before = tf.memory().numTensors;
    const clf = createSequenceClassifier({
      encoder: { ...encoderConfig, dropout: 0.3, bidirectional: true },
      pooling: 'mean',
      seed: 1,
    });
    const { src, labels } = toyData(16, 7);
    await clf.fit(src, labels, { epochs: 1, batchSize: 8, verbose: false });
    clf.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reuses a given encoder: its weights are the ones trained', async () => {
    const encoder = createEncoder(encoderConfig);
    const clf = createSequenceClassifier({ encoder, seed: 1, learningRate: 0.05 });
    expect(clf.encoder).toBe(encoder);
    const embedding = encoder.model.getWeights()[0]!.arraySync();
    const { src, labels } = toyData(32, 5);
    await clf.fit(src, labels, { epochs: 1, batchSize: 16, verbose: false });
    expect(encoder.model.getWeights()[0]!.arraySync()).not.toEqual(embedding);
    // Embedding 12 x 8, LSTM 4 * (8 * (8 + 8) + 8), head 8 + 1.
    expect(clf.countParams()).toBe(96 + 544 + 9);
    clf.dispose();
  });

  it('rejects bad arguments, naming them', async () => {
    expect(() =>
      createSequenceClassifier({ encoder: encoderConfig, pooling: 'sum' as 'max' }),
    ).toThrow('pooling');
    expect(() => createSequenceClassifier({ encoder: { ...encoderConfig, units: 0 } })).toThrow(
      'encoder.units',
    );
    const clf = createSequenceClassifier({ encoder: encoderConfig });
    await expect(clf.fit([[3, 4]], [2])).rejects.toThrow('labels[0]');
    await expect(clf.fit([[3, 4]], [1, 0])).rejects.toThrow('labels');
    await expect(clf.evaluate([[3, 40]], [1])).rejects.toThrow('src');
    await expect(clf.predict([[3, 4]], { batchSize: 0 })).rejects.toThrow('batchSize');
    clf.dispose();
    expect(() => createSequenceClassifier({ encoder: encoderConfig, adam: { beta2: 1 } })).toThrow(
      'adam.beta2 must be a number in [0, 1), got 1.',
    );
  });

  it("gives Adam the config's betas and epsilon", () => {
    const clf = createSequenceClassifier({
      encoder: encoderConfig,
      adam: { beta1: 0.8, beta2: 0.98, epsilon: 1e-9 },
    });
    const adam = clf.optimizer as unknown as Record<string, number>;
    expect([adam.beta1, adam.beta2, adam.epsilon]).toEqual([0.8, 0.98, 1e-9]);
    clf.dispose();
  });
});
