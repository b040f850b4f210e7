import { positionalEncoding, renderSvg } from '@encdec/viz';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sceneItems, svgMarks, svgTexts } from './helpers/scene.js';
import { vegaLiteErrors } from './helpers/vega-lite-schema.js';

/** Sinusoidal encodings (Vaswani et al. 2017, sec. 3.5): sin on even dims, cos on odd ones. */
function sinusoids(length: number, dModel: number): number[][] {
  return Array.from({ length }, (_, pos) =>
    Array.from({ length: dModel }, (_, i) => {
      const angle = pos / 10000 ** ((2 * Math.floor(i / 2)) / dModel);
      return i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }),
  );
}

interface Unit {
  data: { values: { position: number; dimension: number; value: number }[] };
  encoding: { color: { scale: { domain: number[]; scheme: string } } };
  mark: { type: string };
}

const pe = sinusoids(12, 8);

describe('positionalEncoding', () => {
  it('a heatmap of position by dimension whose cells are the input values', async () => {
    const spec = positionalEncoding(pe);
    expect(vegaLiteErrors(spec)).toEqual([]);
    const unit = spec as unknown as Unit;
    expect(unit.encoding.color.scale).toMatchObject({ domain: [-1, 1], scheme: 'redblue' });
    const grid = pe.map((row) => row.map(() => Number.NaN));
    for (const v of unit.data.values) grid[v.position]![v.dimension] = v.value;
    expect(grid).toEqual(pe);
    const svg = await renderSvg(spec);
    expect(svgMarks(svg, 'rect mark')).toHaveLength(12 * 8);
    expect(svgTexts(svg)).toEqual(
      expect.arrayContaining(['Positional encoding', 'position', 'dimension']),
    );
  });

  it('with dimensions, lines of those dimensions against position below the heatmap', async () => {
    const spec = positionalEncoding(pe, { dimensions: [0, 5], title: 'PE' });
    expect(vegaLiteErrors(spec)).toEqual([]);
    const [heatmap, lines] = (spec as unknown as { vconcat: Unit[] }).vconcat;
    expect(heatmap!.data.values).toHaveLength(96);
    expect(lines!.mark.type).toBe('line');
    const dim5 = lines!.data.values.filter((v) => v.dimension === 5);
    expect(dim5.map((v) => v.value)).toEqual(pe.map((row) => row[5]));
    expect(lines!.data.values).toHaveLength(24);
    const paths = await sceneItems(spec, 'line');
    expect(paths).toHaveLength(24); // one item per point, in two line marks
    expect(svgTexts(await renderSvg(spec))).toEqual(expect.arrayContaining(['PE', '0', '5']));
  });

  it('labels a wide axis every 10th dimension only', () => {
    const spec = positionalEncoding(sinusoids(3, 64)) as unknown as {
      encoding: { x: { axis: { values: number[] } } };
    };
    expect(spec.encoding.x.axis.values).toEqual([0, 10, 20, 30, 40, 50, 60]);
  });

  it('reads a tf.Tensor2D once, leaving it alive and leaking nothing', () => {
    const tensor = tf.tensor2d(pe);
    const before = tf.memory().numTensors;
    const spec = positionalEncoding(tensor) as unknown as Unit;
    expect(tf.memory().numTensors).toBe(before);
    expect(tensor.isDisposed).toBe(false);
    expect(spec.data.values.map((v) => v.value)).toEqual(pe.flat().map((x) => Math.fround(x)));
    tensor.dispose();
  });

  it('names the argument in errors', () => {
    expect(() => positionalEncoding([])).toThrow('encodings is empty');
    expect(() => positionalEncoding([[0.1, 0.2], [0.3]])).toThrow(
      'encodings is ragged: row 1 has 1 values but row 0 has 2.',
    );
    expect(() => positionalEncoding(pe, { dimensions: [8] })).toThrow(
      'dimensions[0] must be an integer in [0, 7], got 8.',
    );
    expect(() => positionalEncoding(pe, { cellSize: 0 })).toThrow(
      'cellSize must be a positive number of pixels, got 0.',
    );
  });
});
