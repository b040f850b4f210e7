/**
 * DecodePool with a Transformer: the worker rebuilds the model from its config (kind
 * 'transformer') and decodes what the one-thread searches decode, greedy and beam, after training
 * changed the weights. Imports the built package, as decode-pool.test.ts does.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  beamSearch,
  createDecodePool,
  createSeq2Seq,
  type DecodePool,
  greedySearch,
  initBackend,
  type Seq2Seq,
  shiftRight,
} from '../../../packages/core/dist/index.js';

const V = 13;
const options = { startId: 1, endId: 2, maxLength: 7, collectAttention: true };
const src = Array.from({ length: 9 }, (_, r) =>
  Array.from({ length: 6 }, (_, t) => (t > 3 && r % 3 === 0 ? 0 : 3 + ((r * 7 + t * 5) % 10))),
);

let seq2seq: Seq2Seq;
let pool: DecodePool;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  const sizes = { kind: 'transformer', vocabSize: V, dModel: 8, numHeads: 2, ffDim: 16 } as const;
  seq2seq = createSeq2Seq({
    encoder: { ...sizes, seed: 3 },
    decoder: { ...sizes, tieEmbeddings: true, positional: 'learned' as const, maxLength: 8 },
  });
  pool = await createDecodePool(seq2seq, { workers: 1 });
});

afterAll(async () => {
  await pool?.close();
  seq2seq?.dispose();
});

it('decodes what greedySearch and beamSearch decode on one thread, before and after training', async () => {
  for (const round of [0, 1]) {
    if (round === 1) {
      const tgtOut = src.map((row) => [...row.filter((id) => id !== 0).reverse(), 2]);
      const width = Math.max(...tgtOut.map((row) => row.length));
      const padded = tgtOut.map((row) => [...row, ...new Array(width - row.length).fill(0)]);
      const tgtIn = shiftRight(padded, 1);
      await seq2seq.fit([src, tgtIn], padded, { epochs: 2, batchSize: 3, verbose: false });
    }
    const state = seq2seq.initialState(src);
    const greedy = greedySearch(seq2seq.decodeStep, state, options);
    const beam = beamSearch(seq2seq.decodeStep, state, { ...options, beamWidth: 3 });
    tf.dispose(state);
    expect(await pool.greedy(src, options)).toEqual(greedy);
    expect(await pool.beam(src, { ...options, beamWidth: 3 })).toEqual(beam);
    expect(greedy[0]!.attention![0]!.length).toBe(6);
  }
}, 120_000);
