/**
 * sinusoidalPositions against the formula of Vaswani et al. 2017, section 3.5, in float64:
 * PE(pos, 2i) = sin(pos / 10000^(2i / dModel)), PE(pos, 2i + 1) = cos(pos / 10000^(2i / dModel)).
 */
import { sinusoidalPositions } from '@encdec/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

describe('sinusoidalPositions', () => {
  for (const dModel of [8, 7]) {
    it(`matches the formula at chosen (pos, column), dModel ${dModel}`, () => {
      const before = tf.memory().numTensors;
      const table = sinusoidalPositions(50, dModel);
      expect(table.shape).toEqual([50, dModel]);
      const values = table.arraySync();
      table.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const cases: [number, number, number][] = [
        // [pos, column, expected]; written out from the formula, not from the implementation.
        [0, 0, 0], // sin(0)
        [0, 1, 1], // cos(0)
        [1, 0, Math.sin(1)], // i = 0: wavelength 2 pi
        [1, 1, Math.cos(1)],
        [7, 2, Math.sin(7 / 10000 ** (2 / dModel))], // i = 1
        [7, 3, Math.cos(7 / 10000 ** (2 / dModel))],
        [49, 4, Math.sin(49 / 10000 ** (4 / dModel))], // i = 2
        [49, 5, Math.cos(49 / 10000 ** (4 / dModel))],
        [23, 6, Math.sin(23 / 10000 ** (6 / dModel))], // i = 3: the last column when dModel = 7
      ];
      for (const [pos, col, expected] of cases) {
        expect(Math.abs(values[pos]![col]! - expected)).toBeLessThan(1e-7);
      }
      // Every row of a sine/cosine pair lies on the unit circle.
      for (const row of values) expect(row[2]! ** 2 + row[3]! ** 2).toBeCloseTo(1, 6);
    });
  }

  it('names a bad length or dModel', () => {
    expect(() => sinusoidalPositions(0, 4)).toThrow('length must be a positive integer, got 0.');
    expect(() => sinusoidalPositions(3, 2.5)).toThrow(
      'dModel must be a positive integer, got 2.5.',
    );
  });
});
