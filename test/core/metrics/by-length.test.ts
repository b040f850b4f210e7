/** scoresByLength: buckets of lengths and their scores, on small cases counted by hand. */
import { EncdecError, scoresByLength } from '@encdec/core';
import { describe, expect, it } from 'vitest';

describe('scoresByLength', () => {
  // Lengths 4, 5, 6 and 11 (the padding 0 of row 1 does not count): buckets 0-4, 5-9, 10-14.
  const targets = [
    [1, 2, 3, 4],
    [1, 2, 3, 4, 5, 0],
    [6, 7, 8, 9, 10, 11],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  ];
  const predictions = [
    [1, 2, 3, 4], // all right
    [1, 2, 3, 4, 5], // all right
    [6, 7, 8, 9, 10, 12], // 5 of 6
    [1, 2, 3, 4, 5, 9, 9, 9, 9, 9, 9], // 6 of 11 (the 9 at index 8 is right)
  ];

  it('groups rows by target length and scores each bucket', () => {
    const buckets = scoresByLength(predictions, targets);
    expect(buckets.map((b) => [b.fromLength, b.toLength, b.count])).toEqual([
      [0, 4, 1],
      [5, 9, 2],
      [10, 14, 1],
    ]);
    expect(buckets.map((b) => b.tokenAccuracy)).toEqual([1, 10 / 11, 6 / 11]);
    expect(buckets.map((b) => b.exactMatch)).toEqual([1, 0.5, 0]);
    expect(buckets[0]!.bleu).toBe(1);
    // Bucket 5-9, BLEU-4 by hand (padding stripped): n-gram matches / totals over both rows are
    // 1-grams 10/11, 2-grams 8/9, 3-grams 6/7, 4-grams 4/5; lengths 11 = 11, no brevity penalty.
    const bleu = ((10 / 11) * (8 / 9) * (6 / 7) * (4 / 5)) ** 0.25;
    expect(buckets[1]!.bleu).toBeCloseTo(bleu, 12);
    // Bucket 10-14: 4-grams 2 of 8 match ([1 2 3 4], [2 3 4 5]); 1-grams 6 of 11 (one 9 clipped).
    const long = ((6 / 11) * (4 / 10) * (3 / 9) * (2 / 8)) ** 0.25;
    expect(buckets[2]!.bleu).toBeCloseTo(long, 12);
  });

  it('honours bucketSize and lengths given by the caller (e.g. source lengths)', () => {
    const buckets = scoresByLength(predictions, targets, {
      bucketSize: 10,
      lengths: [3, 30, 31, 12],
    });
    expect(buckets.map((b) => [b.fromLength, b.toLength, b.count])).toEqual([
      [0, 9, 1],
      [10, 19, 1],
      [30, 39, 2],
    ]);
    expect(buckets[2]!.tokenAccuracy).toBe(10 / 11); // rows 1 and 2
  });

  it('rejects bad input, naming it', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => scoresByLength(predictions, targets, { bucketSize: 0 }), /bucketSize.*0/],
      [() => scoresByLength(predictions.slice(1), targets), /predictions.*targets \(4\), got 3/],
      [
        () => scoresByLength(predictions, targets, { lengths: [1, 2] }),
        /lengths.*targets \(4\), got 2/,
      ],
      [() => scoresByLength(predictions, targets, { lengths: [1, 2, -3, 4] }), /lengths\[2\].*-3/],
      [() => scoresByLength(predictions, 'x' as never), /targets/],
    ];
    for (const [run, message] of cases) {
      expect(run).toThrow(EncdecError);
      expect(run).toThrow(message);
    }
  });
});
