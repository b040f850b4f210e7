/**
 * The messages between `DecodePool` (decode-pool.ts) and its worker threads (decode-worker.ts).
 * Everything crosses by structured clone (a copy), never by transfer: on the `cpu` backend
 * `dataSync()` hands out the tensor's own storage, which a transfer would detach.
 */
import type { BackendName } from '../backend/backend-name.js';
import type { ResolvedSeq2SeqConfig } from '../model/config.js';
import type { BeamOptions } from '../search/beam.js';
import type { GreedyOptions } from '../search/greedy.js';
import type { Hypothesis, ScoredHypothesis } from '../search/types.js';

/** `workerData` of a decode worker: what it needs to build its replica of the model. */
export interface WorkerSetup {
  backend: BackendName;
  config: ResolvedSeq2SeqConfig;
}

/** Every weight of the model, in `model.weights` order (names to check that order). */
export interface WeightValues {
  names: string[];
  values: Float32Array[];
}

/** Which search, with its options: what the pool and each worker run on their rows. */
export type DecodeJob =
  | { search: 'greedy'; options: GreedyOptions }
  | { search: 'beam'; options: BeamOptions };

/** A decode request: `rows` source rows of `srcLen` ids, row-major in `src`. */
export type DecodeRequest = DecodeJob & {
  id: number;
  /** The model's weights, when they changed since this worker last got them. */
  weights?: WeightValues;
  src: Int32Array;
  rows: number;
  srcLen: number;
};

/** A worker's first message: ready on `backend` (which may differ from the one asked for). */
export interface WorkerReady {
  ready: true;
  backend: string;
}

/** A worker's answer to request `id`: the hypotheses of its rows, or why it failed. */
export type DecodeReply =
  | { id: number; result: Hypothesis[] | ScoredHypothesis[][] }
  | { id: number; error: { name: string; message: string; argument?: string } };
