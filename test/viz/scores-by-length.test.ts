import { renderSvg, scoresByLengthChart } from '@encdec/viz';
import { describe, expect, it } from 'vitest';
import { sceneItems, svgTexts } from './helpers/scene.js';
import { vegaLiteErrors } from './helpers/vega-lite-schema.js';

// Two models, two buckets each: the model without attention falls with length, the other not.
const series = {
  'no attention': [
    { fromLength: 5, toLength: 9, count: 10, tokenAccuracy: 0.4, bleu: 0.2 },
    { fromLength: 10, toLength: 14, count: 12, tokenAccuracy: 0.1, bleu: 0.05 },
  ],
  attention: [
    { fromLength: 5, toLength: 9, count: 10, tokenAccuracy: 0.95, bleu: 0.9 },
    { fromLength: 10, toLength: 14, count: 12, tokenAccuracy: 0.9, bleu: 0.85 },
  ],
};

describe('scoresByLengthChart', () => {
  it('is valid and draws one point per model and bucket at the bucket middle', async () => {
    const spec = scoresByLengthChart(series, { metricTitle: 'token accuracy' });
    expect(vegaLiteErrors(spec)).toEqual([]);
    const points = await sceneItems(spec, 'symbol');
    const drawn = points.map((p) => [p.datum!.model, p.datum!.length, p.datum!.score]);
    expect(drawn).toEqual(
      expect.arrayContaining([
        ['no attention', 7, 0.4],
        ['no attention', 12, 0.1],
        ['attention', 7, 0.95],
        ['attention', 12, 0.9],
      ]),
    );
    expect(drawn).toHaveLength(4);
    const texts = svgTexts(await renderSvg(spec));
    expect(texts).toContain('token accuracy by source length');
    expect(texts).toContain('source length (words)');
    expect(texts).toEqual(expect.arrayContaining(['no attention', 'attention']));
  });

  it('draws the metric asked for', async () => {
    const points = await sceneItems(scoresByLengthChart(series, { metric: 'bleu' }), 'symbol');
    expect(points.map((p) => p.datum!.score).sort()).toEqual([0.05, 0.2, 0.85, 0.9]);
  });

  it('rejects bad input', () => {
    expect(() => scoresByLengthChart({})).toThrow(
      'series is empty: there are no length buckets to plot.',
    );
    expect(() => scoresByLengthChart([] as never)).toThrow(
      'series must be an object of model name -> length buckets',
    );
    expect(() => scoresByLengthChart(series, { metric: 'exactMatch' })).toThrow(
      'series.no attention[0].exactMatch must be a finite number, got undefined.',
    );
    expect(() =>
      scoresByLengthChart({ a: [{ fromLength: 1.5, toLength: 2, tokenAccuracy: 1 } as never] }),
    ).toThrow('series.a[0] must be a bucket with integer fromLength and toLength');
  });
});
