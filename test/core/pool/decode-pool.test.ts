/**
 * DecodePool against the one-thread searches it splits up: the same hypotheses for every row
 * (the shards are decoded by worker threads with their own backend and replica of the model),
 * the weights followed after training, nothing leaked on the calling thread, and clear errors.
 * It imports the built package, as a user does: worker threads run plain Node, which loads the
 * worker's module from dist/ (`npm test` builds first), not the TypeScript sources.
 */

import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  beamSearch,
  createDecodePool,
  createSeq2Seq,
  type DecodePool,
  EncdecError,
  greedySearch,
  type Hypothesis,
  initBackend,
  type Seq2Seq,
} from '../../../packages/core/dist/index.js';

const V = 13;
const [START, END] = [1, 2];
const options = { startId: START, endId: END, maxLength: 7, collectAttention: true };

let seq2seq: Seq2Seq;
let pool: DecodePool;
/** 9 source rows of 6 ids (some padded): shards of 5 and 4 rows on two threads. */
const src = Array.from({ length: 9 }, (_, r) =>
  Array.from({ length: 6 }, (_, t) => (t > 3 && r % 3 === 0 ? 0 : 3 + ((r * 7 + t * 5) % 10))),
);

beforeAll(async () => {
  await initBackend({ backend: 'wasm', log: null });
  seq2seq = createSeq2Seq({
    encoder: { vocabSize: V, embeddingDim: 5, units: 8, cell: 'lstm', seed: 3 },
    decoder: { vocabSize: V, embeddingDim: 5, units: 8, cell: 'lstm', attention: 'dot' },
  });
  pool = await createDecodePool(seq2seq, { workers: 1 });
});

afterAll(async () => {
  await pool?.close();
  seq2seq?.dispose();
});

/** The one-thread searches over all rows. */
function alone<T>(search: (state: ReturnType<Seq2Seq['initialState']>) => T): T {
  const state = seq2seq.initialState(src);
  try {
    return search(state);
  } finally {
    tf.dispose(state);
  }
}

/** The pool's worker slots (internals: a test kills their threads). */
function workersOf(p: DecodePool): { thread: Worker; dead: boolean }[] {
  return (p as unknown as { workers: { thread: Worker; dead: boolean }[] }).workers;
}

function expectSame(got: Hypothesis[], want: Hypothesis[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((h, i) => {
    expect(h.tokens).toEqual(want[i]!.tokens);
    expect(h.logProb).toBeCloseTo(want[i]!.logProb, 5);
    expect(h.attention!.flat().length).toBe(want[i]!.attention!.flat().length);
    h.attention!.flat().forEach((a, j) => {
      expect(a).toBeCloseTo(want[i]!.attention!.flat()[j]!, 5);
    });
  });
}

describe('DecodePool', () => {
  it('decodes on two threads what greedy search decodes on one', async () => {
    expect(pool.threads).toBe(2);
    const want = alone((state) => greedySearch(seq2seq.decodeStep, state, options));
    expectSame(await pool.greedy(src, options), want);
    // An int32 tensor works as well as nested arrays.
    const ids = tf.tensor2d(src, undefined, 'int32');
    expectSame(await pool.greedy(ids, options), want);
    ids.dispose();
  });

  it('decodes on two threads what beam search decodes on one', async () => {
    const beam = { ...options, beamWidth: 3, nBest: 2, lengthPenalty: 0.6 };
    const want = alone((state) => beamSearch(seq2seq.decodeStep, state, beam));
    const got = await pool.beam(src, beam);
    expect(got.length).toBe(src.length);
    got.forEach((hyps, i) => {
      expectSame(hyps, want[i]!);
      hyps.forEach((h, k) => {
        expect(h.score).toBeCloseTo(want[i]![k]!.score, 5);
      });
    });
  });

  it('follows the weights when the model trains further', async () => {
    const before = await pool.greedy(src, options);
    const tgt = src.map((row) => row.slice(0, 4));
    const tgtIn = tgt.map((row) => [START, ...row.slice(0, 3)]);
    await seq2seq.fit([src, tgtIn], tgt, { epochs: 2, batchSize: 9, verbose: false });
    const want = alone((state) => greedySearch(seq2seq.decodeStep, state, options));
    const after = await pool.greedy(src, options);
    expectSame(after, want);
    // The rows the worker decodes (the last 4) changed with the weights.
    const moved = after
      .slice(5)
      .some((h, i) => Math.abs(h.logProb - before[5 + i]!.logProb) > 1e-4);
    expect(moved).toBe(true);
  });

  it('leaves no tensor behind on the calling thread', async () => {
    await pool.greedy(src, options);
    const before = tf.memory().numTensors;
    await pool.greedy(src, options);
    await pool.beam(src, { ...options, beamWidth: 2 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('decodes few rows on the calling thread alone', async () => {
    const few = src.slice(0, 3);
    const state = seq2seq.initialState(few);
    const want = greedySearch(seq2seq.decodeStep, state, options);
    tf.dispose(state);
    expectSame(await pool.greedy(few, options), want);
  });

  it('names what is wrong with its input, and keeps working', async () => {
    await expect(pool.greedy([[1, 2, V]], options)).rejects.toThrow(/src\[0\]\[2\]/);
    // Options a worker rejects reject the call with the same error, as on one thread.
    const bad = pool.beam(src, { ...options, beamWidth: 2, nBest: 3 });
    await expect(bad).rejects.toBeInstanceOf(EncdecError);
    await expect(bad).rejects.toThrow(/nBest must be at most beamWidth/);
    expect((await pool.greedy(src, options)).length).toBe(src.length);
  });

  it('replaces a worker that died between calls', async () => {
    const want = alone((state) => greedySearch(seq2seq.decodeStep, state, options));
    const dead = workersOf(pool)[0]!;
    await dead.thread.terminate();
    expectSame(await pool.greedy(src, options), want);
    const fresh = workersOf(pool)[0]!;
    expect(fresh).not.toBe(dead);
    expect(fresh.dead).toBe(false);
    expect(pool.threads).toBe(2);
    // The replacement decodes the next calls' shards.
    const beam = { ...options, beamWidth: 2 };
    const wantBeam = alone((state) => beamSearch(seq2seq.decodeStep, state, beam));
    (await pool.beam(src, beam)).forEach((hyps, i) => {
      expectSame(hyps, wantBeam[i]!);
    });
    expect(workersOf(pool)[0]).toBe(fresh);
  });

  it('decodes on the calling thread the shard of a worker that dies during the call', async () => {
    const want = alone((state) => greedySearch(seq2seq.decodeStep, state, options));
    const call = pool.greedy(src, options);
    const dying = workersOf(pool)[0]!.thread.terminate();
    expectSame(await call, want);
    await dying;
    expectSame(await pool.greedy(src, options), want);
  });

  it('names the disposed model instead of failing inside TF.js', async () => {
    const model = createSeq2Seq(seq2seq.config);
    const disposedPool = await createDecodePool(model, { workers: 1 });
    model.dispose();
    const message = (method: string) =>
      `${method}: the pool's Seq2Seq model was disposed, and a pool decodes with its weights. Close the pool before disposing the model, and create pools for models in use.`;
    const error = await disposedPool.greedy(src, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EncdecError);
    expect((error as Error).message).toBe(message('DecodePool.greedy()'));
    await expect(disposedPool.beam(src, { ...options, beamWidth: 2 })).rejects.toThrow(
      message('DecodePool.beam()'),
    );
    await expect(createDecodePool(model, { workers: 1 })).rejects.toThrow(
      message('createDecodePool()'),
    );
    await disposedPool.close();
  });

  it('rejects a bad worker count and use after close', async () => {
    await expect(createDecodePool(seq2seq, { workers: -1 })).rejects.toThrow(
      /workers must be a whole number >= 0, got -1/,
    );
    const alone = await createDecodePool(seq2seq, { workers: 0 });
    expect(alone.threads).toBe(1);
    expect((await alone.greedy(src, options)).length).toBe(src.length);
    await alone.close();
    await expect(alone.greedy(src, options)).rejects.toThrow(/greedy\(\) was called after close/);
  });
});
