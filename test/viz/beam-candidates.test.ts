import { beamCandidates, renderSvg } from '@encdec/viz';
import { describe, expect, it } from 'vitest';
import { sceneItems, svgMarks, svgTexts } from './helpers/scene.js';
import { vegaLiteErrors } from './helpers/vega-lite-schema.js';

const vocabulary = ['<pad>', '<start>', '<end>', 'the', 'cat', 'sat'];
// Out of score order on purpose: the chart ranks them.
const row = [
  { tokens: [3, 4, 2], score: -0.9, logProb: -2.7 },
  { tokens: [3, 4, 5, 2], score: -0.4, logProb: -1.6 },
  { tokens: [3, 3, 2], score: -1.5, logProb: -4.5 },
];

describe('beamCandidates', () => {
  it('draws one bar per hypothesis, best first, labelled with its text', async () => {
    const spec = beamCandidates([row], { idToToken: vocabulary });
    expect(vegaLiteErrors(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    expect(svgMarks(svg, 'bar')).toHaveLength(3);
    const texts = svgTexts(svg);
    expect(texts).toEqual(
      expect.arrayContaining(['1. the cat sat <end>', '2. the cat <end>', '3. the the <end>']),
    );
    const bars = await sceneItems(spec, 'rect');
    // d3-format writes negative numbers with the minus sign U+2212.
    expect(bars.map((b) => b.tooltip)).toContainEqual({
      rank: '1',
      text: 'the cat sat <end>',
      score: '\u22120.4000',
      'log p': '\u22121.6000',
      length: '4',
    });
    // Bar tops in rank order down the y axis.
    const ys = bars
      .map((b) => [b.datum!.rank, b.y] as [number, number])
      .sort((a, b) => a[0] - b[0]);
    expect(ys[0]![1]).toBeLessThan(ys[1]![1]);
    expect(ys[1]![1]).toBeLessThan(ys[2]![1]);
  });

  it('takes a single row, string tokens, and any id-to-token mapping', () => {
    const values = (s: unknown) => (s as { data: { values: { text: string }[] } }).data.values;
    expect(values(beamCandidates(row))[0]!.text).toBe('3 4 5 2');
    expect(values(beamCandidates([{ tokens: ['a', 'b'], score: 0, logProb: 0 }]))[0]!.text).toBe(
      'a b',
    );
    const map = new Map([
      [3, 'le'],
      [4, 'chat'],
    ]);
    expect(values(beamCandidates(row, { idToToken: map }))[0]!.text).toBe('le chat 5 2');
    const fn = (id: number) => `w${id}`;
    expect(values(beamCandidates(row, { idToToken: fn, separator: '_' }))[0]!.text).toBe(
      'w3_w4_w5_w2',
    );
  });

  it('gives each input row its own panel', async () => {
    const spec = beamCandidates([row, row.slice(0, 2)], { idToToken: vocabulary });
    expect(vegaLiteErrors(spec)).toEqual([]);
    expect(svgMarks(await renderSvg(spec), 'bar')).toHaveLength(5);
  });

  it('rejects bad input', () => {
    expect(() => beamCandidates([])).toThrow('result is empty: there are no hypotheses to plot.');
    expect(() => beamCandidates([row, []])).toThrow('result[1] is empty');
    expect(() => beamCandidates([{ tokens: [1], score: Number.NaN, logProb: 0 }])).toThrow(
      'result[0][0].score must be a finite number, got NaN.',
    );
  });
});
