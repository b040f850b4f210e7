import { type FitRecord, renderSvg, trainingCurves } from '@encdec/viz';
import { describe, expect, it } from 'vitest';
import { sceneItems, svgTexts } from './helpers/scene.js';
import { vegaLiteErrors } from './helpers/vega-lite-schema.js';

interface Point {
  metric: string;
  split: string;
  granularity: string;
  x: number;
  epoch: number;
  batch?: number;
  value: number;
}
const pointsOf = (spec: unknown) => (spec as { data: { values: Point[] } }).data.values;

// What TF.js `model.fit` resolves to, with TF.js's short `acc` key.
const history = {
  epoch: [0, 1, 2],
  history: {
    loss: [1.0, 0.8, 0.6],
    val_loss: [1.1, 0.9, 0.85],
    acc: [0.5, 0.6, 0.7],
  },
};

// Two epochs of two batches each, as liveTrainingCurves records them (TF.js adds batch and size).
const records: FitRecord[] = [
  { epoch: 0, batch: 0, logs: { batch: 0, size: 8, loss: 2.0, accuracy: 0.1 } },
  { epoch: 0, batch: 1, logs: { batch: 1, size: 8, loss: 1.5, accuracy: 0.3 } },
  { epoch: 0, logs: { loss: 1.75, accuracy: 0.2, val_loss: 1.8, val_accuracy: 0.15 } },
  { epoch: 1, batch: 0, logs: { loss: 1.2, accuracy: 0.4 } },
  { epoch: 1, batch: 1, logs: { loss: 1.0, accuracy: 0.5 } },
  { epoch: 1, logs: { loss: 1.1, accuracy: 0.45, val_loss: 1.3, val_accuracy: 0.4 } },
];

describe('trainingCurves', () => {
  it('reads a TF.js History: one panel per metric, acc named accuracy, val_ as validation', async () => {
    const spec = trainingCurves(history);
    expect(vegaLiteErrors(spec)).toEqual([]);
    const points = pointsOf(spec);
    expect(points).toHaveLength(9);
    expect(points).toContainEqual({
      metric: 'loss',
      split: 'validation',
      granularity: 'epoch',
      x: 2,
      epoch: 2,
      value: 0.9,
    });
    expect(points).toContainEqual({
      metric: 'accuracy',
      split: 'training',
      granularity: 'epoch',
      x: 3,
      epoch: 3,
      value: 0.7,
    });
    const svg = await renderSvg(spec);
    const texts = svgTexts(svg);
    expect(texts).toEqual(expect.arrayContaining(['loss', 'accuracy', 'training', 'validation']));
    expect(texts).not.toContain('acc');
    // One point per epoch value, each with a tooltip naming its series.
    const symbols = await sceneItems(spec, 'symbol');
    expect(symbols).toHaveLength(9);
    expect(symbols.map((s) => s.tooltip)).toContainEqual({
      metric: 'loss',
      split: 'validation',
      epoch: '3',
      value: '0.8500',
    });
  });

  it('reads fit records: batches between epoch ends on one epoch axis', () => {
    const spec = trainingCurves(records);
    expect(vegaLiteErrors(spec)).toEqual([]);
    const points = pointsOf(spec);
    const loss = points.filter((p) => p.metric === 'loss' && p.split === 'training');
    // Batch b of n in epoch e at e + (b + 1) / n; the end of epoch e at e + 1.
    expect(loss.map((p) => [p.granularity, p.x, p.value]).sort()).toEqual(
      [
        ['batch', 0.5, 2.0],
        ['batch', 1, 1.5],
        ['batch', 1.5, 1.2],
        ['batch', 2, 1.0],
        ['epoch', 1, 1.75],
        ['epoch', 2, 1.1],
      ].sort(),
    );
    expect(points.some((p) => p.metric === 'batch' || p.metric === 'size')).toBe(false);
    expect(new Set(points.map((p) => p.metric))).toEqual(new Set(['loss', 'accuracy']));
  });

  it('names the faint per-batch line and the epoch line in a legend', async () => {
    /** The opacity legend's entries as [label, opacity of its line symbol]. */
    const granularityLegend = (svg: string) => {
      const legend = svg.split(/aria-label="Symbol legend for [^"]*opacity/)[1] ?? '';
      const opacities = [
        ...legend.matchAll(/role-legend-symbol[^>]*><path [^>]*opacity="([\d.]+)"/g),
      ];
      const labels = [...legend.matchAll(/role-legend-label[^>]*><text [^>]*>([^<]*)<\/text>/g)];
      return labels.map((m, i) => [m[1], Number(opacities[i]?.[1])]);
    };
    const spec = trainingCurves(records);
    expect(vegaLiteErrors(spec)).toEqual([]);
    const legend = granularityLegend(await renderSvg(spec));
    expect(legend).toEqual([
      ['per epoch', 1],
      ['per batch', expect.any(Number)],
    ]);
    // The legend's faint line is as faint as the drawn per-batch lines, and fainter than the rest.
    const lines = await sceneItems(spec, 'line');
    const batchLines = lines.filter((l) => l.datum?.granularity === 'batch');
    expect(batchLines.length).toBeGreaterThan(0);
    for (const line of batchLines) expect(line.opacity).toBe(legend[1]![1]);
    expect(legend[1]![1]).toBeLessThan(1);
    // Without per-batch values there is nothing to tell apart: no second legend.
    expect(
      granularityLegend(await renderSvg(trainingCurves(records, { perBatch: false }))),
    ).toEqual([]);
  });

  it('perBatch: false keeps only the epoch values', () => {
    const points = pointsOf(trainingCurves(records, { perBatch: false }));
    expect(points.every((p) => p.granularity === 'epoch')).toBe(true);
    expect(points).toHaveLength(8);
  });

  it('reads long-form rows', () => {
    const spec = trainingCurves([
      { metric: 'loss', epoch: 0, value: 3 },
      { metric: 'val_loss', epoch: 0, value: 4 },
      { metric: 'bleu', split: 'validation', epoch: 0, value: 0.2 },
    ]);
    expect(vegaLiteErrors(spec)).toEqual([]);
    expect(
      pointsOf(spec)
        .map((p) => `${p.metric}/${p.split}/${p.value}`)
        .sort(),
    ).toEqual(['bleu/validation/0.2', 'loss/training/3', 'loss/validation/4']);
  });

  it('metrics picks panels; loss comes first', () => {
    const spec = trainingCurves(records, { metrics: ['val_accuracy', 'loss'] });
    const facet = (spec as { facet: { sort: string[] } }).facet;
    expect(facet.sort).toEqual(['loss', 'accuracy']);
    expect(trainingCurves(history, { metrics: ['acc'] })).toBeDefined();
    const only = pointsOf(trainingCurves(history, { metrics: ['accuracy'] }));
    expect(new Set(only.map((p) => p.metric))).toEqual(new Set(['accuracy']));
  });

  it('averages long per-batch series down to maxBatchPoints', () => {
    const many = Array.from({ length: 1000 }, (_, b) => ({
      epoch: 0,
      batch: b,
      logs: { loss: b },
    }));
    const points = pointsOf(trainingCurves(many, { maxBatchPoints: 100 }));
    expect(points).toHaveLength(100);
    // Chunks of 10 consecutive batches: the mean of b = 0..9 is 4.5, of b = 990..999 is 994.5.
    expect(points[0]!.value).toBeCloseTo(4.5);
    expect(points[99]!.value).toBeCloseTo(994.5);
    expect(points[0]!.x).toBeCloseTo((0.001 + 0.01) / 2);
  });

  it('leaves out non-finite values (a diverged loss) instead of failing', () => {
    const points = pointsOf(trainingCurves({ epoch: [0, 1], history: { loss: [1, Number.NaN] } }));
    expect(points.map((p) => p.value)).toEqual([1]);
  });
});

describe('trainingCurves errors', () => {
  it('empty history', () => {
    expect(() => trainingCurves([])).toThrow(
      'history is empty: there are no loss or metric values to plot.',
    );
    expect(() => trainingCurves({ epoch: [], history: {} })).toThrow('history is empty');
  });
  it('unknown metrics name what the history has', () => {
    expect(() => trainingCurves(history, { metrics: ['bleu'] })).toThrow(
      'metrics ["bleu"] are not in the history; it has ["loss","accuracy"].',
    );
  });
  it('malformed input', () => {
    expect(() => trainingCurves([{ foo: 1 }] as never)).toThrow('history[0] must be a fit record');
    expect(() => trainingCurves([{ epoch: -1, logs: { loss: 1 } }])).toThrow(
      'history[0].epoch must be a non-negative integer, got -1.',
    );
    expect(() => trainingCurves(42 as never)).toThrow('history must be a TF.js History');
  });
});
