import { lengthHistogram, renderSvg } from '@encdec/viz';
import { describe, expect, it } from 'vitest';
import { sceneItems, svgMarks, svgTexts } from './helpers/scene.js';
import { vegaLiteErrors } from './helpers/vega-lite-schema.js';

// Lengths 1..10: with maxlen 7, three of ten (8, 9, 10) are longer: 30.0%. Median (lower) 5.
const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('lengthHistogram', () => {
  it('is valid, marks maxlen with a rule and reports the share truncated', async () => {
    const spec = lengthHistogram(lengths, { maxlen: 7, maxBins: 10 });
    expect(vegaLiteErrors(spec)).toEqual([]);
    expect((spec as { title: unknown }).title).toEqual({
      text: 'Sequence lengths (n = 10)',
      subtitle: 'median 5; max 10; 30.0% longer than maxlen = 7 (truncated)',
    });
    const svg = await renderSvg(spec);
    const texts = svgTexts(svg);
    expect(texts).toContain('maxlen = 7');
    expect(texts).toContain('median 5; max 10; 30.0% longer than maxlen = 7 (truncated)');
    expect(svgMarks(svg, 'rule mark')).toHaveLength(1);
    // The bars hold every sequence once.
    const bars = await sceneItems(spec, 'rect');
    const total = bars.reduce((sum, bar) => sum + Number(bar.datum!.sum_count), 0);
    expect(total).toBe(10);
  });

  it('takes sequences as well as lengths', () => {
    const sequences = lengths.map((n) => Array.from({ length: n }, (_, i) => i));
    expect(lengthHistogram(sequences, { maxlen: 7 })).toEqual(
      lengthHistogram(lengths, { maxlen: 7 }),
    );
  });

  it('sends one row per distinct length, not per sequence', () => {
    // Lengths 10..309, 80 sequences each.
    const many = Array.from({ length: 24_000 }, (_, i) => 10 + (i % 300));
    const spec = lengthHistogram(many, { maxlen: 200 });
    expect((spec as { data: { values: unknown[] } }).data.values).toHaveLength(300);
    // Lengths 201..309 are longer than 200: 109 of the 300 lengths, 36.33...%.
    expect(JSON.stringify(spec)).toContain('36.3% longer than maxlen = 200');
    expect(JSON.stringify(spec)).toContain('n = 24,000');
  });

  it('without maxlen there is no rule', async () => {
    const svg = await renderSvg(lengthHistogram(lengths));
    expect(svgMarks(svg, 'rule mark')).toHaveLength(0);
  });

  it('rejects bad input', () => {
    expect(() => lengthHistogram([])).toThrow('input is empty: there are no lengths to plot.');
    expect(() => lengthHistogram([3, -1])).toThrow(
      'input[1] must be a sequence (array) or a non-negative integer length, got -1.',
    );
    expect(() => lengthHistogram(lengths, { maxlen: 0 })).toThrow(
      'maxlen must be a positive integer, got 0.',
    );
  });
});
