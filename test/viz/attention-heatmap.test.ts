import { attentionHeatmap, attentionHeatmapGrid, renderSvg } from '@encdec/viz';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sceneItems, svgMarks, svgTexts } from './helpers/scene.js';
import { vegaLiteErrors } from './helpers/vega-lite-schema.js';

// A 2 x 3 matrix whose rows sum to 1, with a repeated source token ("le" at columns 0 and 2).
const weights = [
  [0.1, 0.2, 0.7],
  [0.5, 0.25, 0.25],
];
const sourceTokens = ['le', 'chat', 'le'];
const targetTokens = ['the', 'cat'];

describe('attentionHeatmap', () => {
  const spec = attentionHeatmap(weights, { sourceTokens, targetTokens, title: 'Attention' });

  it('produces a valid Vega-Lite v5 spec', () => {
    expect(vegaLiteErrors(spec)).toEqual([]);
  });

  it('the schema check rejects a broken spec (so the check above can fail)', () => {
    expect(vegaLiteErrors({ ...spec, mark: 'heat' })).not.toEqual([]);
  });

  it('renders one rect per cell, with both tokens and the weight in its label', async () => {
    const svg = await renderSvg(spec);
    const cells = svgMarks(svg, 'rect mark');
    expect(cells).toHaveLength(6);
    expect(cells.map((c) => c.label).sort()).toEqual(
      [
        'target: the; source: le; weight: 0.100',
        'target: the; source: chat; weight: 0.200',
        'target: the; source: le; weight: 0.700',
        'target: cat; source: le; weight: 0.500',
        'target: cat; source: chat; weight: 0.250',
        'target: cat; source: le; weight: 0.250',
      ].sort(),
    );
    const texts = svgTexts(svg);
    expect(texts.filter((t) => t === 'le')).toHaveLength(2); // both columns labelled
    expect(texts).toEqual(expect.arrayContaining(['chat', 'the', 'cat', 'Attention']));
  });

  it('has tooltips with the tokens and weight of each cell', async () => {
    const items = await sceneItems(spec, 'rect');
    const tooltips = items.map((item) => item.tooltip);
    const expected = weights.flatMap((row, i) =>
      row.map((w, j) => ({
        target: targetTokens[i],
        source: sourceTokens[j],
        weight: w.toFixed(3),
      })),
    );
    expect(tooltips).toEqual(expect.arrayContaining(expected));
    expect(tooltips).toHaveLength(6);
  });

  it('keeps repeated tokens in their own rows and columns', async () => {
    const items = await sceneItems(
      attentionHeatmap(
        [
          [0.5, 0.5],
          [0.9, 0.1],
        ],
        { sourceTokens: ['a', 'a'], targetTokens: ['b', 'b'] },
      ),
      'rect',
    );
    const places = new Set(items.map((item) => `${item.x},${item.y}`));
    expect(places.size).toBe(4);
  });

  it('reads a tf.Tensor2D once and leaves it alive, leaking nothing', () => {
    const tensor = tf.tensor2d(weights);
    const before = tf.memory().numTensors;
    const fromTensor = attentionHeatmap(tensor, { sourceTokens, targetTokens, title: 'Attention' });
    expect(tf.memory().numTensors).toBe(before);
    expect(tensor.isDisposed).toBe(false);
    // float32 rounding: compare values, not the whole spec
    const values = (fromTensor as { data: { values: { weight: number }[] } }).data.values;
    expect(values.map((v) => v.weight)).toEqual(weights.flat().map((w) => Math.fround(w)));
    tensor.dispose();
  });

  it('numbers as tokens are shown as text', () => {
    const s = attentionHeatmap([[1]], { sourceTokens: [7], targetTokens: [3] });
    const values = (s as { data: { values: { source: string; target: string }[] } }).data.values;
    expect(values[0]).toMatchObject({ source: '7', target: '3' });
  });
});

describe('attentionHeatmap errors', () => {
  const ok = { sourceTokens, targetTokens };
  it('ragged weights', () => {
    expect(() =>
      attentionHeatmap([[0.1, 0.9], [1]], { sourceTokens: ['a', 'b'], targetTokens: ['x', 'y'] }),
    ).toThrow('weights is ragged: row 1 has 1 values but row 0 has 2.');
  });
  it('token counts that do not match the matrix', () => {
    expect(() => attentionHeatmap(weights, { ...ok, sourceTokens: ['le', 'chat'] })).toThrow(
      'sourceTokens has 2 tokens but the weight matrix has 3 columns.',
    );
    expect(() => attentionHeatmap(weights, { ...ok, targetTokens: ['the'] })).toThrow(
      'targetTokens has 1 tokens but the weight matrix has 2 rows.',
    );
  });
  it('NaN and non-number weights', () => {
    expect(() =>
      attentionHeatmap([[0.5, Number.NaN]], { sourceTokens: ['a', 'b'], targetTokens: ['x'] }),
    ).toThrow('weights[0][1] must be a finite number, got NaN.');
    expect(() =>
      attentionHeatmap([['0.5']] as never, { sourceTokens: ['a'], targetTokens: ['x'] }),
    ).toThrow('weights[0][0] must be a finite number, got "0.5".');
  });
  it('empty weights, a rank-3 tensor, missing tokens', () => {
    expect(() => attentionHeatmap([], ok)).toThrow('weights is empty');
    expect(() => attentionHeatmap([[]], ok)).toThrow('weights is empty');
    const t = tf.zeros([1, 2, 3]);
    expect(() => attentionHeatmap(t as never, ok)).toThrow(
      'weights.shape must be rank 2: [tgtLen, srcLen], got [1,2,3].',
    );
    t.dispose();
    expect(() => attentionHeatmap(weights, { sourceTokens } as never)).toThrow(
      'targetTokens must be an array of tokens, got undefined.',
    );
  });
  it('errors are EncdecErrors that name the argument', () => {
    try {
      attentionHeatmap(weights, { ...ok, sourceTokens: [] });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).name).toBe('EncdecError');
      expect((error as { argument: string }).argument).toBe('sourceTokens');
    }
  });
});

describe('attentionHeatmapGrid', () => {
  const panels = [
    { weights, sourceTokens, targetTokens, title: 'dot' },
    { weights: [[0.3, 0.3, 0.4]], sourceTokens, targetTokens: ['a'], title: 'additive' },
  ];

  it('is a valid spec with one panel per matrix and one shared colour scale', async () => {
    const spec = attentionHeatmapGrid(panels, { title: 'Kinds' });
    expect(vegaLiteErrors(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    expect(svgMarks(svg, 'rect mark')).toHaveLength(9);
    const texts = svgTexts(svg);
    expect(texts).toEqual(expect.arrayContaining(['dot', 'additive', 'Kinds']));
    // One legend for the shared scale: its title appears once.
    expect(texts.filter((t) => t === 'weight')).toHaveLength(1);
  });

  it('independent colour scales give each panel its own legend', async () => {
    const spec = attentionHeatmapGrid(panels, { colorScale: 'independent' });
    expect(vegaLiteErrors(spec)).toEqual([]);
    expect(svgTexts(await renderSvg(spec)).filter((t) => t === 'weight')).toHaveLength(2);
  });

  it('names the panel in errors', () => {
    expect(() =>
      attentionHeatmapGrid([...panels, { weights: [[1, 0]], sourceTokens, targetTokens: ['a'] }]),
    ).toThrow('panels[2].sourceTokens has 3 tokens but the weight matrix has 2 columns.');
    expect(() => attentionHeatmapGrid([])).toThrow('panels must be a non-empty array');
    expect(() => attentionHeatmapGrid(panels, { columns: 0 })).toThrow(
      'columns must be a positive integer, got 0.',
    );
  });
});
