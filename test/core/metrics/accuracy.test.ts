/** Token accuracy and exact match, on small cases counted by hand. */
import { EncdecError, exactMatch, tokenAccuracy } from '@encdec/core';
import { describe, expect, it } from 'vitest';

describe('tokenAccuracy', () => {
  it('counts only non-padding target positions; a missing prediction is wrong', () => {
    // Row 0: targets 1, 2, 4 count (the 0 is padding): 1 and 2 right -> 2 of 3.
    // Row 1: targets 4, 6, 7: 4 right, 5 != 6, nothing predicted for 7 -> 1 of 3. Total 3 / 6.
    const predictions = [
      [1, 2, 3, 9],
      [4, 5],
    ];
    const targets = [
      [1, 2, 4, 0],
      [4, 6, 7],
    ];
    expect(tokenAccuracy(predictions, targets)).toBe(0.5);
  });

  it('honours padId', () => {
    // With padId 9 the 0 counts (and is wrong: 9 predicted) and nothing is ignored: 3 right of 4.
    expect(tokenAccuracy([[1, 2, 3, 9]], [[1, 2, 3, 0]], { padId: 9 })).toBe(0.75);
    expect(tokenAccuracy([[1, 2, 3, 9]], [[1, 2, 3, 0]])).toBe(1);
  });

  it('is NaN when every target token is padding', () => {
    expect(tokenAccuracy([[1]], [[0, 0]])).toBeNaN();
  });
});

describe('exactMatch', () => {
  it('compares rows with padding removed from both sides', () => {
    // [1,2] = [1,2]; [3] = [3] (pre- vs post-padding); [5] != [5,6] -> 2 of 3.
    const predictions = [[1, 2, 0, 0], [0, 3], [5]];
    const targets = [
      [1, 2],
      [3, 0],
      [5, 6],
    ];
    expect(exactMatch(predictions, targets)).toBeCloseTo(2 / 3, 15);
  });
});

describe('rejects', () => {
  it('predictions and targets of different lengths, naming both', () => {
    const call = () => tokenAccuracy([[1]], [[1], [2]]);
    expect(call).toThrow(EncdecError);
    expect(call).toThrow('predictions must have as many entries as targets (2), got 1.');
  });

  it('a row that is not an array (a flat id list), naming it, instead of scoring 0', () => {
    for (const metric of [tokenAccuracy, exactMatch]) {
      const flat = () => metric([5] as never, [[1]]);
      expect(flat).toThrow(EncdecError);
      expect(flat).toThrow('predictions[0] must be an array of token ids, got 5.');
      expect(() => metric([[1], [2]], [[1], 2] as never)).toThrow(
        'targets[1] must be an array of token ids, got 2.',
      );
    }
  });

  it('a padId that is not an integer', () => {
    expect(() => exactMatch([[1]], [[1]], { padId: 0.5 })).toThrow(
      'padId must be an integer, got 0.5.',
    );
  });
});
