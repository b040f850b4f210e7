/**
 * A worker thread of `DecodePool` (decode-pool.ts): a replica of the pool's Seq2Seq on a TF.js
 * backend of its own, which decodes the rows it is sent.
 *
 *   1. Start the backend the pool's thread uses, build the model from the config (its weights
 *      come with the first request), say `ready` with the backend it got.
 *   2. For each request: take the weights if it brings them, decode its rows with the same
 *      search function the calling thread uses, reply with the hypotheses (or the error).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import '../backend/kernels/register.js';
import { initBackend } from '../backend/init-backend.js';
import { EncdecError, invalidArgument } from '../errors.js';
import { createSeq2Seq, type Seq2Seq } from '../model/seq2seq.js';
import { withoutWarningsSync } from '../quiet-warnings.js';
import type {
  DecodeReply,
  DecodeRequest,
  WeightValues,
  WorkerReady,
  WorkerSetup,
} from './decode-messages.js';
import { decodeJob } from './decode-pool.js';

const port = parentPort;
if (port === null) throw new EncdecError('decode-worker.js runs as a worker thread of DecodePool.');

async function start(setup: WorkerSetup): Promise<void> {
  const choice = await initBackend({ backend: setup.backend, log: null });
  // The cpu backend's advice to install tfjs-node, printed at its first use: the calling thread
  // has shown it already.
  const advice = /^\n=+\nHi, looks like you are running TensorFlow\.js in Node\.js/;
  const seq2seq = withoutWarningsSync(
    (text) => advice.test(text),
    () => createSeq2Seq(setup.config),
  );
  port!.on('message', (request: DecodeRequest) => {
    port!.postMessage(answer(seq2seq, request));
  });
  const ready: WorkerReady = { ready: true, backend: choice.backend };
  port!.postMessage(ready);
}

function answer(seq2seq: Seq2Seq, request: DecodeRequest): DecodeReply {
  try {
    if (request.weights) setWeights(seq2seq, request.weights);
    const src = tf.tensor2d(request.src, [request.rows, request.srcLen], 'int32');
    try {
      return { id: request.id, result: decodeJob(seq2seq, src, request) };
    } finally {
      src.dispose();
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const argument = e instanceof EncdecError ? e.argument : undefined;
    return {
      id: request.id,
      error: { name: e.name, message: e.message, ...(argument ? { argument } : {}) },
    };
  }
}

function setWeights(seq2seq: Seq2Seq, weights: WeightValues): void {
  const mine = seq2seq.model.weights;
  const names = mine.map((w) => w.originalName);
  if (names.join() !== weights.names.join()) {
    throw invalidArgument('weights', weights.names, `the replica's weights ${names.join(', ')}`);
  }
  const values = mine.map((w, i) => tf.tensor(weights.values[i]!, w.shape as number[], 'float32'));
  try {
    seq2seq.model.setWeights(values);
  } finally {
    tf.dispose(values);
  }
}

// A failure here ends the thread; the pool reports it from the worker's 'error' event.
await start(workerData as WorkerSetup);
