/**
 * `DecodePool`: greedy and beam search of a `Seq2Seq` on several threads at once. The `wasm` and
 * `cpu` backends compute on one core; a pool splits the source rows into contiguous shards, the
 * calling thread decodes the first and each worker thread (decode-worker.ts, a replica of the
 * model on its own backend) one of the others, and the hypotheses come back in row order: the
 * same as `greedySearch` / `beamSearch` over all rows on one thread, since every row is decoded
 * on its own (bench/PERFORMANCE.md has the speed-ups).
 *
 *   1. createDecodePool: start the workers on the calling thread's backend, build the replicas.
 *   2. greedy / beam: check the rows; send each worker its shard and, when the model's weights
 *      changed since it last got them (training, setWeights), the weights; decode the first shard
 *      here meanwhile; wait for the workers' hypotheses.
 *   3. close: stop the workers. Idle workers do not keep a script from exiting.
 *
 * A worker that dies (killed, out of memory) is replaced by a fresh one at the next call, and a
 * shard it held when it died is decoded on the calling thread: calls keep working.
 *
 * Sampling stays on one thread (`sampleSearch`): split across threads, its seeded random stream
 * would draw differently than on one.
 *
 * Weights are compared by identity of each variable's data: every optimizer update and
 * `setWeights` gives a variable new data, so a pool always decodes with the current weights.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { isBackendName } from '../backend/backend-name.js';
import { invalidArgument, poolClosed, poolModelDisposed } from '../errors.js';
import { type TokenInput, toTokenTensor } from '../model/inputs.js';
import type { Seq2Seq } from '../model/seq2seq.js';
import { type BeamOptions, beamSearch } from '../search/beam.js';
import { type GreedyOptions, greedySearch } from '../search/greedy.js';
import type { Hypothesis, ScoredHypothesis } from '../search/types.js';
import type { DecodeJob, WorkerSetup } from './decode-messages.js';
import { type PoolWorker, startWorker, WeightSnapshot } from './pool-worker.js';

export interface DecodePoolOptions {
  /**
   * Worker threads besides the calling thread (which decodes a shard too). Default: one per
   * further core (`os.availableParallelism() - 1`); 0 on the `tensorflow` backend, whose native
   * kernels use every core already. Each worker holds its own backend and replica of the model
   * (~100 MB of memory for the Keras example).
   */
  workers?: number;
}

/**
 * Fewest rows a thread decodes: below this a shard's fixed cost per step (a dozen kernel calls)
 * outweighs what another core saves.
 */
const MIN_SHARD_ROWS = 4;

/** Starts a pool for `seq2seq` on the current TF.js backend (call `initBackend` first). */
export async function createDecodePool(
  seq2seq: Seq2Seq,
  options: DecodePoolOptions = {},
): Promise<DecodePool> {
  if (seq2seq?.isDisposed) throw poolModelDisposed('createDecodePool()');
  const backend = tf.getBackend();
  if (!isBackendName(backend)) {
    throw invalidArgument(
      'the TF.js backend',
      backend,
      'one of "tensorflow", "wasm" or "cpu" (call initBackend() first)',
    );
  }
  const count =
    options.workers ?? (backend === 'tensorflow' ? 0 : Math.max(0, availableParallelism() - 1));
  if (!(Number.isInteger(count) && count >= 0)) {
    throw invalidArgument('workers', count, 'a whole number >= 0');
  }
  const setup: WorkerSetup = { backend, config: seq2seq.config };
  const started = await Promise.allSettled(Array.from({ length: count }, () => startWorker(setup)));
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.stop()));
    throw failed.reason;
  }
  return new DecodePool(seq2seq, workers, setup);
}

export class DecodePool {
  private closed = false;
  /** Replacements being started for dead workers, by slot in `workers`. */
  private readonly restarts = new Map<number, Promise<PoolWorker>>();

  /** Use `createDecodePool`. */
  constructor(
    readonly seq2seq: Seq2Seq,
    private readonly workers: PoolWorker[],
    private readonly setup: WorkerSetup,
  ) {}

  /** Threads that decode: the workers and the calling thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** `greedySearch(seq2seq.decodeStep, seq2seq.initialState(src), options)`, on every thread. */
  greedy(src: TokenInput, options: GreedyOptions): Promise<Hypothesis[]> {
    return this.decode(src, { search: 'greedy', options }, 'greedy') as Promise<Hypothesis[]>;
  }

  /** `beamSearch(seq2seq.decodeStep, seq2seq.initialState(src), options)`, on every thread. */
  beam(src: TokenInput, options: BeamOptions): Promise<ScoredHypothesis[][]> {
    return this.decode(src, { search: 'beam', options }, 'beam') as Promise<ScoredHypothesis[][]>;
  }

  /** Stops the workers; the pool cannot decode afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.restarts.values()); // a replacement joins `workers` first
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  private async decode(
    src: TokenInput,
    job: DecodeJob,
    method: string,
  ): Promise<(Hypothesis | ScoredHypothesis[])[]> {
    if (this.closed) throw poolClosed(method);
    if (this.seq2seq.isDisposed) throw poolModelDisposed(`DecodePool.${method}()`);
    const vocabSize = this.seq2seq.config.encoder.vocabSize;
    const { tensor, owned } = toTokenTensor('src', src, vocabSize);
    try {
      const [rows, srcLen] = tensor.shape;
      const shards = shardRows(rows, this.threads);
      const workers = await Promise.all(shards.slice(1).map((_, i) => this.live(i, method)));
      // 2. The workers' shards first, so that they decode while this thread does the first one.
      const ids = shards.length > 1 ? (tensor.dataSync() as Int32Array) : undefined;
      const weights = shards.length > 1 ? new WeightSnapshot(this.seq2seq) : undefined;
      const pending = shards.slice(1).map(([start, size], i) => {
        const worker = workers[i]!;
        const request = worker.request({
          ...job,
          src: ids!.slice(start * srcLen, (start + size) * srcLen),
          rows: size,
          srcLen,
          ...(worker.needs(weights!) ? { weights: weights!.values(worker) } : {}),
        });
        // A worker that died with the shard (not one whose search failed): decode it here.
        return request.catch((error: unknown) => {
          if (this.closed || !worker.dead) throw error;
          return this.decodeHere(tensor, start, size, job);
        });
      });
      let mine: (Hypothesis | ScoredHypothesis[])[];
      try {
        mine = this.decodeHere(tensor, 0, shards[0]![1], job);
      } catch (error) {
        await Promise.allSettled(pending);
        throw error;
      }
      const theirs = await Promise.all(pending);
      return [mine, ...theirs].flat(1) as (Hypothesis | ScoredHypothesis[])[];
    } finally {
      if (owned) tensor.dispose();
    }
  }

  /** Worker `i`, replaced by a fresh one first when it died. */
  private async live(i: number, method: string): Promise<PoolWorker> {
    if (!this.workers[i]!.dead) return this.workers[i]!;
    let restart = this.restarts.get(i);
    if (!restart) {
      // The replacement takes the slot before any caller can see the slot free again.
      restart = startWorker(this.setup)
        .then((worker) => {
          this.workers[i] = worker;
          return worker;
        })
        .finally(() => this.restarts.delete(i));
      this.restarts.set(i, restart);
    }
    const worker = await restart;
    if (this.closed) throw poolClosed(method);
    return worker;
  }

  /** Rows [start, start + size) of `src`, decoded on this thread. */
  private decodeHere(
    src: tf.Tensor2D,
    start: number,
    size: number,
    job: DecodeJob,
  ): (Hypothesis | ScoredHypothesis[])[] {
    const rows =
      size === src.shape[0] ? src : (tf.slice(src, [start, 0], [size, -1]) as tf.Tensor2D); // [size, srcLen]
    try {
      return decodeJob(this.seq2seq, rows, job);
    } finally {
      if (rows !== src) rows.dispose();
    }
  }
}

/** `job`'s search over every row of `src` on this thread (the pool's and each worker's share). */
export function decodeJob(
  seq2seq: Seq2Seq,
  src: tf.Tensor2D,
  job: DecodeJob,
): Hypothesis[] | ScoredHypothesis[][] {
  const state = seq2seq.initialState(src);
  try {
    return job.search === 'greedy'
      ? greedySearch(seq2seq.decodeStep, state, job.options)
      : beamSearch(seq2seq.decodeStep, state, job.options);
  } finally {
    tf.dispose(state);
  }
}

/**
 * [start, size] of each thread's rows: as even as the rows allow, at most `threads` shards and
 * at least MIN_SHARD_ROWS rows each (always one shard).
 */
export function shardRows(rows: number, threads: number): [number, number][] {
  const count = Math.max(1, Math.min(threads, Math.floor(rows / MIN_SHARD_ROWS)));
  const base = Math.floor(rows / count);
  const extra = rows % count;
  const shards: [number, number][] = [];
  let start = 0;
  for (let s = 0; s < count; s++) {
    const size = base + (s < extra ? 1 : 0);
    shards.push([start, size]);
    start += size;
  }
  return shards;
}
