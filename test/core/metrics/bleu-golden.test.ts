/**
 * corpusBleu against sacreBLEU 2.6 (every smoothing) and NLTK 3.8 ('epsilon' = method1) on 216
 * random corpora and three cases without a unigram match; the values come from
 * test/fixtures/bleu/make-golden.py, which says how each reference was called.
 */
import { readFileSync } from 'node:fs';
import { type BleuSmoothing, corpusBleu } from '@encdec/core';
import { describe, expect, it } from 'vitest';

interface GoldenCase {
  hypotheses: number[][];
  references: number[][][];
  maxOrder: number;
  smoothing: BleuSmoothing;
  epsilon: number;
  sacrebleu: {
    bleu: number;
    precisions: number[];
    brevityPenalty: number;
    hypothesisLength: number;
    referenceLength: number;
  };
  nltk?: number;
}

const golden = JSON.parse(
  readFileSync(new URL('../../fixtures/bleu/golden.json', import.meta.url), 'utf8'),
) as { cases: GoldenCase[] };

const score = (c: GoldenCase) =>
  corpusBleu(c.hypotheses, c.references, {
    maxOrder: c.maxOrder,
    smoothing: c.smoothing,
    epsilon: c.epsilon,
  });

describe('corpusBleu equals sacreBLEU', () => {
  for (const smoothing of ['none', 'epsilon', 'addOne'] as const) {
    it(`smoothing '${smoothing}': BLEU, precisions, brevity penalty and lengths`, () => {
      const cases = golden.cases.filter((c) => c.smoothing === smoothing);
      expect(cases.length).toBeGreaterThan(70);
      let positive = 0;
      for (const c of cases) {
        const got = score(c);
        const want = c.sacrebleu;
        expect(got.bleu).toBeCloseTo(want.bleu, 13);
        for (const [k, p] of got.precisions.entries()) {
          expect(p).toBeCloseTo(want.precisions[k]!, 13);
        }
        expect(got.brevityPenalty).toBeCloseTo(want.brevityPenalty, 13);
        expect([got.hypothesisLength, got.referenceLength]).toEqual([
          want.hypothesisLength,
          want.referenceLength,
        ]);
        if (want.bleu > 0) positive += 1;
      }
      expect(positive).toBeGreaterThan(30); // the corpora are not all scored 0
    });
  }

  it("'epsilon' and 'addOne' give 0 when no unigram matches (sentenceBleu([1], [[4]]))", () => {
    const none = golden.cases.filter((c) => c.sacrebleu.bleu === 0 && c.smoothing !== 'none');
    expect(none.length).toBeGreaterThanOrEqual(3);
    for (const c of none) expect(score(c).bleu).toBe(0);
    expect(corpusBleu([[1]], [[[4]]], { smoothing: 'epsilon' }).bleu).toBe(0);
  });
});

describe("'epsilon' equals NLTK's SmoothingFunction().method1", () => {
  it('whenever every hypothesis has at least maxOrder tokens', () => {
    const cases = golden.cases.filter(
      (c) => c.nltk !== undefined && c.hypotheses.every((h) => h.length >= c.maxOrder),
    );
    expect(cases.length).toBeGreaterThan(30);
    for (const c of cases) expect(score(c).bleu).toBeCloseTo(c.nltk!, 13);
  });
});
