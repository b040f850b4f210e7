/**
 * The shuffle of numpy's legacy `np.random.RandomState(seed).shuffle`, bit for bit, so that a seed
 * orders the IMDB reviews exactly as `keras.datasets.imdb.load_data(seed=...)` does.
 *
 * Generator: MT19937, the Mersenne Twister (Matsumoto & Nishimura, "Mersenne Twister: a
 * 623-dimensionally equidistributed uniform pseudo-random number generator", ACM TOMACS 1998),
 * seeded with the reference `init_genrand`, which is what numpy's legacy `RandomState(int)` does.
 * Shuffle: Fisher-Yates from the last element down (Knuth, TAOCP vol. 2, Algorithm P); numpy draws
 * each index j in [0, i] by masking a 32-bit draw to the smallest all-ones mask >= i and rejecting
 * values > i (numpy `random_interval`), which is reproduced here.
 */
import { invalidArgument } from '../errors.js';

const N = 624; // state words
const M = 397; // middle word
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** A seeded MT19937 stream with numpy's legacy `RandomState` seeding and shuffle. */
export class NumpyRandomState {
  private readonly mt = new Uint32Array(N);
  private index = N;

  /** `seed`: an integer in [0, 2^32 - 1], as numpy's `RandomState(seed)` requires. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw invalidArgument('seed', seed, 'an integer between 0 and 2**32 - 1 (numpy RandomState)');
    }
    // init_genrand: mt[i] = 1812433253 * (mt[i-1] ^ (mt[i-1] >>> 30)) + i  (mod 2^32)
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1]!;
      this.mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  /** The next 32-bit output (genrand_int32, tempered). */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform integer in [0, max] by masked rejection, as numpy's `random_interval`. */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /** Shuffles `array` in place, as `RandomState.shuffle` shuffles a 1-d array; returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** Regenerates the 624 state words. */
  private twist(): void {
    const mt = this.mt;
    for (let k = 0; k < N; k++) {
      const y = (mt[k]! & UPPER_MASK) | (mt[(k + 1) % N]! & LOWER_MASK);
      mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }
}

/** `[0, 1, ..., n - 1]` shuffled by `rng`: numpy's `idx = np.arange(n); rng.shuffle(idx)`. */
export function shuffledIndices(n: number, rng: NumpyRandomState): Int32Array {
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  return rng.shuffle(indices);
}
