/**
 * Test fixtures for search: a random second-order Markov chain over `vocabSize` tokens, one table
 * per batch row, exposed both as a step function on tensors and as plain arrays for independent
 * JavaScript references (an exhaustive enumerator and a greedy decoder). The next token depends
 * on the last TWO tokens, the second-to-last kept in the state, so a beam search that reorders
 * its state wrongly gives wrong answers. Each step also returns a fake attention row [srcLen]
 * that depends on the last token.
 */

import type { StepFn } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';

export interface Chain {
  vocabSize: number;
  /** The start token is vocabSize: an input only, never an output. */
  startId: number;
  endId: number;
  srcLen: number;
  /** logProbs[b][prev2][prev1] = float32-exact log-softmax over vocabSize. */
  logProbs: number[][][][];
  /** attention[b][prev1] = a distribution over srcLen. */
  attention: number[][][];
}

export type ChainState = { table: tf.Tensor4D; prev: tf.Tensor1D; attention: tf.Tensor3D };

function logSoftmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const log = Math.log(logits.reduce((sum, x) => sum + Math.exp(x - max), 0)) + max;
  return logits.map((x) => Math.fround(x - log));
}

/** A random chain for `batchSize` rows; `spread` scales the random logits (peakier when larger). */
export function randomChain(
  seed: string,
  batchSize: number,
  vocabSize: number,
  { endId = 0, srcLen = 3, spread = 2 } = {},
): Chain {
  const random = seedrandom(seed);
  const inputs = vocabSize + 1; // output tokens plus the start token
  const logProbs = Array.from({ length: batchSize }, () =>
    Array.from({ length: inputs }, () =>
      Array.from({ length: inputs }, () =>
        logSoftmax(Array.from({ length: vocabSize }, () => spread * (random() * 2 - 1))),
      ),
    ),
  );
  const attention = Array.from({ length: batchSize }, () =>
    Array.from({ length: inputs }, () =>
      logSoftmax(Array.from({ length: srcLen }, () => random() * 3)).map((x) =>
        Math.fround(Math.exp(x)),
      ),
    ),
  );
  return { vocabSize, startId: vocabSize, endId, srcLen, logProbs, attention };
}

/** Initial state [batchSize, ...] of the chain; the caller disposes it. */
export function chainState(chain: Chain): ChainState {
  return {
    table: tf.tensor4d(chain.logProbs),
    prev: tf.fill([chain.logProbs.length], chain.startId, 'int32') as tf.Tensor1D,
    attention: tf.tensor3d(chain.attention),
  };
}

/**
 * The step function of the chain: logProbs = table[row, prev2, prev1, :]. Typed with `satisfies`
 * so that callers see that it always returns `logProbs`.
 */
export const chainStep = ((tokens, state) => {
  const rows = tokens.shape[0];
  const byPrev2 = tf.gather(state.table, state.prev.reshape([rows, 1]), 1, 1); // [rows, 1, in, V]
  const table = byPrev2.reshape(byPrev2.shape.filter((_, i) => i !== 1)); // [rows, in, V]
  const logProbs = tf.gather(table, tokens.reshape([rows, 1]), 1, 1); // [rows, 1, V]
  const attention = tf.gather(state.attention, tokens.reshape([rows, 1]), 1, 1); // [rows, 1, srcLen]
  return {
    logProbs: logProbs.reshape([rows, logProbs.shape[2]!]) as tf.Tensor2D,
    attention: attention.reshape([rows, attention.shape[2]!]) as tf.Tensor2D,
    state: { table: state.table, prev: tokens, attention: state.attention },
  };
}) satisfies StepFn<ChainState>;

export interface Path {
  tokens: number[];
  logProb: number;
  attention: number[][];
}

/** Every sequence the chain can produce for row `b` (ending with endId or at maxLength). */
export function enumerate(
  chain: Chain,
  b: number,
  maxLength: number,
  allowed: (tokens: number[]) => boolean = () => true,
): Path[] {
  const paths: Path[] = [];
  const grow = (path: Path, prev2: number, prev1: number) => {
    for (let token = 0; token < chain.vocabSize; token++) {
      const next: Path = {
        tokens: [...path.tokens, token],
        logProb: path.logProb + chain.logProbs[b]![prev2]![prev1]![token]!,
        attention: [...path.attention, chain.attention[b]![prev1]!],
      };
      if (!allowed(next.tokens)) continue;
      if (token === chain.endId || next.tokens.length === maxLength) paths.push(next);
      else grow(next, prev1, token);
    }
  };
  grow({ tokens: [], logProb: 0, attention: [] }, chain.startId, chain.startId);
  return paths;
}

/** Greedy decoding of row `b`, by hand. */
export function greedyByHand(chain: Chain, b: number, maxLength: number): Path {
  const path: Path = { tokens: [], logProb: 0, attention: [] };
  let [prev2, prev1] = [chain.startId, chain.startId];
  while (path.tokens.length < maxLength) {
    const row = chain.logProbs[b]![prev2]![prev1]!;
    const token = row.indexOf(Math.max(...row));
    path.tokens.push(token);
    path.logProb += row[token]!;
    path.attention.push(chain.attention[b]![prev1]!);
    if (token === chain.endId) break;
    [prev2, prev1] = [prev1, token];
  }
  return path;
}

/** The chain's log-probability of `tokens` for row `b`, recomputed from the tables. */
export function logProbOf(chain: Chain, b: number, tokens: number[]): number {
  let [prev2, prev1, sum] = [chain.startId, chain.startId, 0];
  for (const token of tokens) {
    sum += chain.logProbs[b]![prev2]![prev1]![token]!;
    [prev2, prev1] = [prev1, token];
  }
  return sum;
}

export function disposeState(state: ChainState): void {
  tf.dispose([state.table, state.prev, state.attention]);
}
