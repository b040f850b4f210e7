/**
 * BLEU against values computed by hand from the definitions of Papineni et al. 2002 (clipped
 * n-gram precision, brevity penalty with the closest reference length, uniform weights) and the
 * smoothings of Chen & Cherry 2014. Each hand computation is written out above its test.
 */
import { corpusBleu, EncdecError, sentenceBleu } from '@encdec/core';
import { describe, expect, it } from 'vitest';

const words = (text: string) => text.split(' ');

// Hypothesis 1 "the cat sat on the mat" (6) against "the cat is on the mat" (6):
//   1-grams: the x2, cat, sat, on, mat; ref the x2, cat, is, on, mat  -> clipped 2+1+0+1+1 = 5 / 6
//   2-grams: the cat, cat sat, sat on, on the, the mat                 -> the cat, on the, the mat: 3 / 5
//   3-grams: the cat sat, cat sat on, sat on the, on the mat           -> on the mat: 1 / 4
//   4-grams: the cat sat on, cat sat on the, sat on the mat            -> none: 0 / 3
// Hypothesis 2 "a b c d e" (5) against "a b c d e f g" (7) and "a b c" (3):
//   every n-gram matches: 5/5, 4/4, 3/3, 2/2; lengths 7 and 3 are equally close to 5 -> r = 3
const hyp1 = words('the cat sat on the mat');
const refs1 = [words('the cat is on the mat')];
const hyp2 = words('a b c d e');
const refs2 = [words('a b c d e f g'), words('a b c')];

describe('corpusBleu', () => {
  it('sums clipped counts over the corpus before dividing (BLEU-4 by hand)', () => {
    // p = 10/11, 7/9, 4/7, 2/5; c = 11 > r = 6 + 3 = 9 so BP = 1;
    // BLEU = (10*7*4*2 / (11*9*7*5))^(1/4) = (16/99)^(1/4).
    const got = corpusBleu([hyp1, hyp2], [refs1, refs2]);
    expect(got.precisions).toEqual([10 / 11, 7 / 9, 4 / 7, 2 / 5]);
    expect(got.hypothesisLength).toBe(11);
    expect(got.referenceLength).toBe(9);
    expect(got.brevityPenalty).toBe(1);
    expect(got.bleu).toBeCloseTo((16 / 99) ** 0.25, 12);
  });

  it("clips by the most a single reference holds (the paper's 'the the the' example)", () => {
    // "the" x7 against refs holding it at most twice: p1 = 2/7; c = 7, closest r = 7, BP = 1.
    const got = corpusBleu(
      [words('the the the the the the the')],
      [[words('the cat is on the mat'), words('there is a cat on the mat')]],
      { maxOrder: 1 },
    );
    expect(got.bleu).toBeCloseTo(2 / 7, 12);
  });

  it('takes each n-gram count from whichever reference holds it most', () => {
    // "the the cat": "the" twice in ref 2, "cat" once in ref 1 -> p1 = 3/3; r = 3 (closest), BP = 1.
    const got = corpusBleu([words('the the cat')], [[words('the cat'), words('the the dog')]], {
      maxOrder: 1,
    });
    expect(got.bleu).toBe(1);
  });

  it('applies the brevity penalty exp(1 - r/c) to short hypotheses', () => {
    // "the cat" vs a 6-token ref, BLEU-2: p1 = 2/2, p2 = 1/1, BP = exp(1 - 6/2) = exp(-2).
    const got = corpusBleu([words('the cat')], [refs1], { maxOrder: 2 });
    expect(got.brevityPenalty).toBeCloseTo(Math.exp(-2), 12);
    expect(got.bleu).toBeCloseTo(Math.exp(-2), 12);
  });

  it('works on token ids as well as words', () => {
    const ids = corpusBleu(
      [[1, 2, 3, 4, 5]],
      [
        [
          [1, 2, 3, 4, 5, 6, 7],
          [1, 2, 3],
        ],
      ],
    );
    const text = corpusBleu([hyp2], [refs2]);
    expect(ids).toEqual(text);
  });
});

describe('sentenceBleu', () => {
  it('is 0 without smoothing when an order has no match', () => {
    expect(sentenceBleu(hyp1, refs1).bleu).toBe(0);
  });

  it('with epsilon smoothing (Chen & Cherry method 1): a zero count becomes 0.1', () => {
    // p = 5/6, 3/5, 1/4, 0.1/3; c = r = 6 so BP = exp(0) = 1; product = 1/2 * 1/4 * 1/30 = 1/240.
    const got = sentenceBleu(hyp1, refs1, { smoothing: 'epsilon' });
    expect(got.bleu).toBeCloseTo((1 / 240) ** 0.25, 12);
  });

  it('with addOne smoothing (Chen & Cherry method 2): +1 above and below for n >= 2', () => {
    // p = 5/6, 4/6, 2/5, 1/4; product = 20/360 = 1/18.
    const got = sentenceBleu(hyp1, refs1, { smoothing: 'addOne' });
    expect(got.precisions).toEqual([5 / 6, 4 / 6, 2 / 5, 1 / 4]);
    expect(got.bleu).toBeCloseTo((1 / 18) ** 0.25, 12);
  });

  it('is 1 for a hypothesis equal to a reference, and 0 for an empty one', () => {
    expect(sentenceBleu(refs1[0]!, refs1).bleu).toBe(1);
    expect(sentenceBleu([], refs1, { smoothing: 'epsilon' }).bleu).toBe(0);
  });
});

describe('rejects', () => {
  const cases: [() => unknown, string][] = [
    [
      () => corpusBleu([hyp1], [refs1, refs2]),
      'references must have as many entries as hypotheses (1), got 2.',
    ],
    [
      () => corpusBleu([hyp1], [[]]),
      'references[0] must be a non-empty array of token arrays, got [].',
    ],
    [
      () => sentenceBleu(hyp1, refs1, { maxOrder: 0 }),
      'maxOrder must be an integer in [1, 100], got 0.',
    ],
    // 1e9 allocated per-order arrays until the heap ran out and the process aborted.
    [
      () => corpusBleu([hyp1], [refs1], { maxOrder: 1e9 }),
      'maxOrder must be an integer in [1, 100], got 1000000000.',
    ],
    [
      () => sentenceBleu(hyp1, refs1, { maxOrder: 2.5 }),
      'maxOrder must be an integer in [1, 100], got 2.5.',
    ],
    // Infinity gave NaN, 5 gave BLEU 4.2.
    [
      () => sentenceBleu(hyp1, refs1, { smoothing: 'epsilon', epsilon: Infinity }),
      'epsilon must be a number in (0, 1), got Infinity.',
    ],
    [
      () => sentenceBleu(hyp1, refs1, { smoothing: 'epsilon', epsilon: 5 }),
      'epsilon must be a number in (0, 1), got 5.',
    ],
    [() => sentenceBleu(hyp1, refs1, { epsilon: 0 }), 'epsilon must be a number in (0, 1), got 0.'],
    // A string reference was read as characters and gave NaN.
    [
      () => corpusBleu([hyp1, hyp2], [refs1, [refs2[0]!, 'a b c' as never]]),
      'references[1][1] must be an array of tokens, got "a b c".',
    ],
    // An undefined hypothesis threw a TypeError.
    [
      () => corpusBleu([hyp1, undefined as never], [refs1, refs2]),
      'hypotheses[1] must be an array of tokens, got undefined.',
    ],
    [
      () => sentenceBleu(hyp1, refs1, { smoothing: 'floor' as never }),
      'smoothing must be one of "none", "epsilon", "addOne", got "floor".',
    ],
  ];
  for (const [call, message] of cases) {
    it(message, () => {
      expect(call).toThrow(EncdecError);
      expect(call).toThrow(message);
    });
  }
});
