import { describe, expect, it } from 'vitest';
import {
  NumpyRandomState,
  shuffledIndices,
} from '../../../packages/core/src/datasets/numpy-shuffle.js';
import { readFixture } from './fixtures.js';

interface Golden {
  shuffles: {
    seed: number;
    n: number;
    first: { head: number[]; tail: number[]; sum_i_times_v: number };
    second: { head: number[]; tail: number[] };
  }[];
  raw: Record<string, number[]>;
}
// Made by numpy itself (make-fixtures.py): an independent reference.
const golden = readFixture<Golden>('shuffle-golden.json');

describe('NumpyRandomState reproduces numpy RandomState', () => {
  it('gives the reference MT19937 outputs (seed 5489: 3499211612 first, as in mt19937ar.c)', () => {
    expect(golden.raw['5489']![0]).toBe(3499211612);
    for (const [seed, outputs] of Object.entries(golden.raw)) {
      const rng = new NumpyRandomState(Number(seed));
      expect(outputs.map(() => rng.nextUint32())).toEqual(outputs);
    }
  });

  it.each(golden.shuffles.map((s) => [s.seed, s.n, s] as const))(
    'shuffles like RandomState(%i).shuffle(np.arange(%i)), twice from one stream',
    (seed, n, s) => {
      const rng = new NumpyRandomState(seed);
      const first = Array.from(shuffledIndices(n, rng));
      const second = Array.from(shuffledIndices(n, rng));
      expect(first.slice(0, 20)).toEqual(s.first.head);
      expect(first.slice(-20)).toEqual(s.first.tail);
      expect(first.reduce((acc, v, i) => acc + i * v, 0)).toBe(s.first.sum_i_times_v);
      expect(second.slice(0, 20)).toEqual(s.second.head);
      expect(second.slice(-20)).toEqual(s.second.tail);
    },
  );

  it('shuffles any array in place and keeps its elements', () => {
    const words = ['a', 'b', 'c', 'd', 'e'];
    const shuffled = new NumpyRandomState(0).shuffle([...words]);
    expect([...shuffled].sort()).toEqual(words);
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN])('rejects seed %s naming it', (seed) => {
    expect(() => new NumpyRandomState(seed)).toThrow(
      `seed must be an integer between 0 and 2**32 - 1 (numpy RandomState), got ${seed}.`,
    );
  });
});
