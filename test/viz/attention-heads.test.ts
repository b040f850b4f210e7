import { attentionHeads, renderSvg } from '@encdec/viz';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { svgMarks, svgTexts } from './helpers/scene.js';
import { vegaLiteErrors } from './helpers/vega-lite-schema.js';

// 3 heads of a 2 x 3 attention (rows sum to 1), a repeated source token.
const weights = [
  [
    [0.1, 0.2, 0.7],
    [0.5, 0.25, 0.25],
  ],
  [
    [1, 0, 0],
    [0, 0, 1],
  ],
  [
    [0.3, 0.3, 0.4],
    [0.2, 0.6, 0.2],
  ],
];
const sourceTokens = ['le', 'chat', 'le'];
const targetTokens = ['the', 'cat'];
const ok = { sourceTokens, targetTokens };

interface Panel {
  title: string;
  data: { values: { row: number; col: number; weight: number; source: string; target: string }[] };
  encoding: { color: { scale: { domain: number[] } } };
}
const panelsOf = (spec: unknown) => (spec as { concat: Panel[] }).concat;

describe('attentionHeads', () => {
  const spec = attentionHeads(weights, { ...ok, title: 'Encoder self-attention', columns: 2 });

  it('is a valid Vega-Lite spec: one panel per head, titled head 1..H, wrapped', () => {
    expect(vegaLiteErrors(spec)).toEqual([]);
    expect(panelsOf(spec).map((p) => p.title)).toEqual(['head 1', 'head 2', 'head 3']);
    expect((spec as { columns: number }).columns).toBe(2);
    expect(attentionHeads(weights, ok) as { columns: number }).toMatchObject({ columns: 4 });
  });

  it('the data rows of each panel are that head weights', () => {
    panelsOf(spec).forEach((panel, h) => {
      const got = weights[h]!.map((row) => row.map(() => -1));
      for (const v of panel.data.values) got[v.row]![v.col] = v.weight;
      expect(got).toEqual(weights[h]);
      expect(panel.data.values[1]).toMatchObject({ source: 'chat', target: 'the' });
    });
  });

  it('shares one colour scale over [0, 1]: one legend', async () => {
    for (const panel of panelsOf(spec)) expect(panel.encoding.color.scale.domain).toEqual([0, 1]);
    expect((spec as { resolve: unknown }).resolve).toEqual({
      scale: { color: 'shared' },
      legend: { color: 'shared' },
    });
    const svg = await renderSvg(spec);
    expect(svgMarks(svg, 'rect mark')).toHaveLength(18);
    const texts = svgTexts(svg);
    expect(texts.filter((t) => t === 'weight')).toHaveLength(1);
    expect(texts).toEqual(
      expect.arrayContaining(['head 1', 'head 2', 'head 3', 'Encoder self-attention']),
    );
    // Tooltip text, carried in each cell's aria-label.
    expect(svgMarks(svg, 'rect mark').map((m) => m.label)).toContain(
      'target: cat; source: le; weight: 1.000',
    );
  });

  it('reads a tf.Tensor3D once, leaving it alive and leaking nothing', () => {
    const tensor = tf.tensor3d(weights);
    const before = tf.memory().numTensors;
    const fromTensor = attentionHeads(tensor, ok);
    expect(tf.memory().numTensors).toBe(before);
    expect(tensor.isDisposed).toBe(false);
    expect(panelsOf(fromTensor)[1]!.data.values.map((v) => v.weight)).toEqual(weights[1]!.flat());
    tensor.dispose();
  });
});

describe('attentionHeads errors', () => {
  it('no heads, ragged heads, ragged rows', () => {
    expect(() => attentionHeads([], ok)).toThrow('weights is empty: there are no heads to plot.');
    expect(() => attentionHeads([weights[0]!, [[1, 0, 0]]], ok)).toThrow(
      'weights is ragged: head 1 is 1 x 3 but head 0 is 2 x 3.',
    );
    expect(() => attentionHeads([[[0.5, 0.5], [1]]], ok)).toThrow(
      'weights[0] is ragged: row 1 has 1 values but row 0 has 2.',
    );
    expect(() => attentionHeads([[[0.5, Number.NaN]]], ok)).toThrow(
      'weights[0][0][1] must be a finite number, got NaN.',
    );
  });
  it('label counts that do not match, named by the option', () => {
    expect(() => attentionHeads(weights, { ...ok, sourceTokens: ['le'] })).toThrow(
      'sourceTokens has 1 tokens but the weight matrix has 3 columns.',
    );
    expect(() => attentionHeads(weights, { ...ok, targetTokens: ['the', 'cat', 'sat'] })).toThrow(
      'targetTokens has 3 tokens but the weight matrix has 2 rows.',
    );
  });
  it('a rank-2 tensor, a non-array, bad columns', () => {
    const t = tf.zeros([2, 3]);
    expect(() => attentionHeads(t as never, ok)).toThrow(
      'weights.shape must be rank 3: [heads, tgtLen, srcLen], got [2,3].',
    );
    t.dispose();
    expect(() => attentionHeads(7 as never, ok)).toThrow('weights must be a number[][][]');
    expect(() => attentionHeads(weights, { ...ok, columns: 1.5 })).toThrow(
      'columns must be a positive integer, got 1.5.',
    );
  });
});
