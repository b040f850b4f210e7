import { attentionHeatmap, renderPng, renderSvg, svgToPng, toVega } from '@encdec/viz';
import { describe, expect, it } from 'vitest';
import { pngSize } from './helpers/scene.js';

const spec = attentionHeatmap(
  [
    [0.1, 0.9],
    [0.6, 0.4],
  ],
  { sourceTokens: ['a', 'b'], targetTokens: ['x', 'y'] },
);

/** The pixel size vega wrote on the root <svg>. */
function svgSize(svg: string): { width: number; height: number } {
  const root = svg.match(/<svg[^>]*>/)![0];
  return {
    width: Number(root.match(/ width="([\d.]+)"/)![1]),
    height: Number(root.match(/ height="([\d.]+)"/)![1]),
  };
}

describe('render', () => {
  it('toVega compiles to a Vega spec', () => {
    const vega = toVega(spec) as { $schema: string; marks: unknown[] };
    expect(vega.$schema).toContain('vega/v5');
    expect(vega.marks.length).toBeGreaterThan(0);
  });

  it('renderSvg returns a standalone SVG document', async () => {
    const svg = await renderSvg(spec);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it("leaves the caller's spec untouched (Vega tags the data it reads)", async () => {
    const before = JSON.stringify(spec);
    await renderSvg(spec);
    const values = (spec as unknown as { data: { values: object[] } }).data.values;
    expect(Object.getOwnPropertySymbols(values[0]!)).toEqual([]);
    expect(JSON.stringify(spec)).toBe(before);
  });

  it('renderPng decodes to the SVG size times the scale', async () => {
    const { width, height } = svgSize(await renderSvg(spec));
    expect(width).toBeGreaterThan(50);
    for (const scale of [1, 3]) {
      const png = await renderPng(spec, { scale });
      expect(pngSize(png)).toEqual({
        width: Math.round(width * scale),
        height: Math.round(height * scale),
      });
    }
    expect(pngSize(await renderPng(spec))).toEqual({ width: width * 2, height: height * 2 }); // default 2
  });

  it('svgToPng paints the background and the cells', () => {
    const png = svgToPng(
      '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect x="2" width="2" height="2" fill="black"/></svg>',
      { scale: 1 },
    );
    expect(pngSize(png)).toEqual({ width: 4, height: 2 });
  });

  it('rejects a bad scale and a non-spec', async () => {
    await expect(renderPng(spec, { scale: 0 })).rejects.toThrow(
      'scale must be a positive number, got 0.',
    );
    expect(() => toVega(null as never)).toThrow('spec must be a Vega-Lite spec object, got null.');
  });
});

describe('PNG text font', () => {
  /** One word in `family`, big enough that glyph shapes differ between families. */
  const word = (family: string) =>
    svgToPng(
      `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="30" font-family="${family}" font-size="24">Attention</text></svg>`,
      { scale: 1 },
    );

  it('draws Vega text (font-family sans-serif) in DejaVu Sans, not a serif fallback', async () => {
    const svg = await renderSvg(spec);
    const families = new Set([...svg.matchAll(/font-family="([^"]*)"/g)].map((m) => m[1]));
    expect([...families]).toEqual(['sans-serif']);
    const sans = word('sans-serif');
    expect(Buffer.from(sans).equals(Buffer.from(word('DejaVu Sans')))).toBe(true);
    expect(Buffer.from(sans).equals(Buffer.from(word('DejaVu Serif')))).toBe(false);
  });
});

describe('headless text measure', () => {
  it("is vega's own again after rendering, so other Vega users are untouched", async () => {
    const { textMetrics } = (await import('vega')) as unknown as {
      textMetrics: { width: unknown; estimateWidth: unknown };
    };
    const before = textMetrics.width;
    await renderSvg(spec);
    expect(textMetrics.width).toBe(before);
  });
});
