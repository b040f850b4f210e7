/**
 * A worker thread of `DecodePool` (decode-pool.ts) as the calling thread sees it: starting the
 * thread (decode-worker.ts) and waiting until its replica is built, the requests in flight and
 * their replies (decode-messages.ts), which weights the worker has, and a worker that fails or
 * exits: every request in flight and every later one is rejected.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeWorkerFailed, EncdecError, poolClosed } from '../errors.js';
import type { Seq2Seq } from '../model/seq2seq.js';
import type { Hypothesis, ScoredHypothesis } from '../search/types.js';
import type {
  DecodeReply,
  DecodeRequest,
  WeightValues,
  WorkerReady,
  WorkerSetup,
} from './decode-messages.js';

/** The model's weights at one moment: data identities, and values read once if a worker needs them. */
export class WeightSnapshot {
  readonly dataIds: object[];
  private read: WeightValues | undefined;

  constructor(private readonly seq2seq: Seq2Seq) {
    this.dataIds = seq2seq.model.weights.map((w) => w.read().dataId);
  }

  /** The values, for `worker`, which has them from now on. */
  values(worker: PoolWorker): WeightValues {
    const weights = this.seq2seq.model.weights;
    this.read ??= {
      names: weights.map((w) => w.originalName),
      values: weights.map((w) => w.read().dataSync() as Float32Array),
    };
    worker.weightIds = this.dataIds;
    return this.read;
  }
}

/** One worker thread, its requests in flight, and which weights it has. */
export class PoolWorker {
  /** Data identities of the weights the worker has (none at first). */
  weightIds: readonly object[] = [];
  private nextId = 0;
  private readonly inFlight = new Map<
    number,
    { resolve: (result: DecodeReply & { result: unknown }) => void; reject: (e: Error) => void }
  >();
  private failure: Error | undefined;

  constructor(private readonly thread: Worker) {
    thread.on('message', (reply: DecodeReply) => this.settle(reply));
    thread.on('error', (error) => this.fail(decodeWorkerFailed(error.message)));
    thread.on('exit', (code) => this.fail(decodeWorkerFailed(`it exited with code ${code}`)));
    thread.unref();
  }

  /** Whether the thread failed or exited (or the pool stopped it): it takes no more requests. */
  get dead(): boolean {
    return this.failure !== undefined;
  }

  needs(snapshot: WeightSnapshot): boolean {
    const ids = snapshot.dataIds;
    return ids.length !== this.weightIds.length || ids.some((id, i) => id !== this.weightIds[i]);
  }

  request(request: Omit<DecodeRequest, 'id'>): Promise<(Hypothesis | ScoredHypothesis[])[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const reply = new Promise<DecodeReply & { result: unknown }>((resolve, reject) => {
      this.inFlight.set(id, { resolve, reject });
    });
    // A worker with work keeps the process alive until it answers.
    this.thread.ref();
    this.thread.postMessage({ ...request, id } as DecodeRequest);
    return reply.then((r) => r.result as (Hypothesis | ScoredHypothesis[])[]);
  }

  async stop(): Promise<void> {
    this.fail(poolClosed());
    await this.thread.terminate();
  }

  private settle(reply: DecodeReply): void {
    const waiting = this.inFlight.get(reply.id);
    if (!waiting) return;
    this.inFlight.delete(reply.id);
    if (this.inFlight.size === 0) this.thread.unref();
    if ('error' in reply) {
      const { name, message, argument } = reply.error;
      const error =
        name === 'EncdecError' ? new EncdecError(message, argument) : new Error(message);
      waiting.reject(error);
    } else {
      waiting.resolve(reply);
    }
  }

  /** Rejects every request in flight and every later one with `error` (the first failure wins). */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const { reject } of this.inFlight.values()) reject(this.failure);
    this.inFlight.clear();
  }
}

/** Starts one worker and waits until its replica is built on `setup.backend`. */
export async function startWorker(setup: WorkerSetup): Promise<PoolWorker> {
  const file = workerFile();
  if (!existsSync(fileURLToPath(file))) {
    throw decodeWorkerFailed(
      `its module ${fileURLToPath(file)} is missing (build the package: npx tsc -b)`,
    );
  }
  const thread = new Worker(file, { workerData: setup });
  let onError: (error: Error) => void = () => {};
  let onExit: (code: number) => void = () => {};
  const ready = await new Promise<WorkerReady>((resolve, reject) => {
    onError = (error) => reject(decodeWorkerFailed(error.message));
    onExit = (code) => reject(decodeWorkerFailed(`it exited with code ${code}`));
    thread.once('message', resolve).once('error', onError).once('exit', onExit);
  });
  thread.off('error', onError).off('exit', onExit);
  if (ready.backend !== setup.backend) {
    await thread.terminate();
    throw decodeWorkerFailed(
      `it got the ${ready.backend} backend, not ${setup.backend} as the calling thread`,
    );
  }
  return new PoolWorker(thread);
}

/**
 * The worker's module: decode-worker.js beside this file in the built package. Worker threads run
 * plain Node, which cannot load the TypeScript sources, so the pool runs from the build only
 * (its test imports the built package).
 */
function workerFile(): URL {
  return new URL('./decode-worker.js', import.meta.url);
}
